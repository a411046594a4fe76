//! `port_free`: nothing listens on a local port yet. Executed by runsheet-probes `kinds::net`.

use super::{FieldSpec, FieldType, KindSpec};
use crate::probe::fields::Fields;
use crate::probe::{ProbeCheck, SpecResult};

pub(super) const SPEC: KindSpec = KindSpec {
    kind: "port_free",
    summary: "nothing is listening on the port",
    fields: &[
        FieldSpec::required("port", FieldType::Port, "The port that must be free."),
        FieldSpec::defaulted("host", FieldType::Text, "\"127.0.0.1\"", "The address the port is checked on."),
    ],
    parse,
};

fn parse(f: &mut Fields) -> SpecResult<ProbeCheck> {
    let port = f.port("port")?;
    Ok(ProbeCheck::PortFree { port, host: f.text("host")? })
}
