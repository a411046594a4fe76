//! `dns`: a name resolves, optionally to an expected address. Executed by runsheet-probes `kinds::net`.

use super::{FieldSpec, FieldType, KindSpec};
use crate::probe::fields::Fields;
use crate::probe::{ProbeCheck, SpecResult};

pub(super) const SPEC: KindSpec = KindSpec {
    kind: "dns",
    summary: "the name resolves (to the expected address)",
    fields: &[
        FieldSpec::required("name", FieldType::Text, "The host name to resolve."),
        FieldSpec::optional("expect", FieldType::Ip, "An address the name must resolve to."),
    ],
    parse,
};

fn parse(f: &mut Fields) -> SpecResult<ProbeCheck> {
    let name = f.text("name")?;
    Ok(ProbeCheck::Dns { name, expect: f.opt_ip("expect")? })
}
