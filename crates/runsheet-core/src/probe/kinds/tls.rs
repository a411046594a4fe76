//! `tls`: a TLS server presents a trusted certificate valid for at least `min_days` more days. Executed by
//! runsheet-probes `kinds::tls`.

use super::{FieldSpec, FieldType, KindSpec};
use crate::probe::fields::Fields;
use crate::probe::{ProbeCheck, SpecResult};

pub(super) const SPEC: KindSpec = KindSpec {
    kind: "tls",
    summary: "the server's certificate is trusted and valid for min_days more days",
    // `ca_file` before `insecure`: the order `to_toml` has always written them in.
    fields: &[
        FieldSpec::required("address", FieldType::Address, "The host:port of the TLS server (\"host:443\")."),
        FieldSpec::optional("server_name", FieldType::Text, "The name to check the certificate for (default: the host)."),
        FieldSpec::defaulted(
            "min_days",
            FieldType::Integer { min: 0, max: 3650, what: None },
            "14",
            "Days the certificate must still be valid.",
        ),
        FieldSpec::optional("ca_file", FieldType::Text, "PEM file of extra trusted root certificates (a private CA)."),
        FieldSpec::defaulted(
            "insecure",
            FieldType::Bool,
            "false",
            "Skip chain trust (expiry and host name are still checked).",
        ),
    ],
    parse,
};

fn parse(f: &mut Fields) -> SpecResult<ProbeCheck> {
    let address = f.address("address")?;
    let min_days = f.int("min_days")? as u32;
    Ok(ProbeCheck::Tls {
        address,
        server_name: f.opt_text("server_name")?,
        min_days,
        insecure: f.bool("insecure")?,
        ca_file: f.opt_text("ca_file")?,
    })
}
