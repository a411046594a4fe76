//! `tcp`: an address accepts a TCP connection. Executed by runsheet-probes `kinds::net`.

use super::{FieldSpec, FieldType, KindSpec};
use crate::probe::fields::Fields;
use crate::probe::{ProbeCheck, SpecResult};

pub(super) const SPEC: KindSpec = KindSpec {
    kind: "tcp",
    summary: "a TCP connection to the address succeeds",
    fields: &[FieldSpec::required("address", FieldType::Address, "The host:port to connect to.")],
    parse,
};

fn parse(f: &mut Fields) -> SpecResult<ProbeCheck> {
    Ok(ProbeCheck::Tcp { address: f.address("address")? })
}
