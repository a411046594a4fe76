//! `redis`: a Redis server answers PING with PONG. Executed by runsheet-probes `kinds::redis`.

use super::{FieldSpec, FieldType, KindSpec};
use crate::probe::fields::Fields;
use crate::probe::{ProbeCheck, SpecResult};

pub(super) const SPEC: KindSpec = KindSpec {
    kind: "redis",
    summary: "the Redis server answers PING with PONG",
    fields: &[
        FieldSpec::required("address", FieldType::Address, "The host:port of the server (\"host:6379\")."),
        FieldSpec::optional("password", FieldType::SecretRef, "The password, as a keyring secret reference."),
    ],
    parse,
};

fn parse(f: &mut Fields) -> SpecResult<ProbeCheck> {
    Ok(ProbeCheck::Redis { address: f.address("address")?, password: f.opt_secret_ref("password")? })
}
