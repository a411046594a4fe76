//! `http`: a request answered with the expected status, and optionally a body containing a string or a JSON
//! document passing a pointer comparison. Executed by runsheet-probes `kinds::http`.

use super::{FieldSpec, FieldType, KindSpec};
use crate::probe::fields::Fields;
use crate::probe::{ProbeCheck, ProbeSpecError, SpecResult};

pub(super) const SPEC: KindSpec = KindSpec {
    kind: "http",
    summary: "an HTTP request answers with the expected status (and body)",
    fields: &[
        FieldSpec::required(
            "url",
            FieldType::Url { schemes: &["http://", "https://"] },
            "The URL to request.",
        ),
        FieldSpec::defaulted("method", FieldType::Text, "\"GET\"", "HTTP method such as GET or HEAD."),
        FieldSpec::optional("headers", FieldType::StringTable, "Request headers; values may reference secrets."),
        FieldSpec::defaulted(
            "expect_status",
            FieldType::Integer { min: 100, max: 599, what: Some("an HTTP status") },
            "200",
            "The status the response must have.",
        ),
        FieldSpec::optional("body_contains", FieldType::Text, "Text the response body must contain."),
        FieldSpec::optional("json", FieldType::JsonCheck, "A JSON pointer and comparison the body must pass."),
        FieldSpec::defaulted("insecure", FieldType::Bool, "false", "Skip certificate checks (a test server)."),
        FieldSpec::optional("ca_file", FieldType::Text, "PEM file of extra trusted root certificates (a private CA)."),
    ],
    parse,
};

fn parse(f: &mut Fields) -> SpecResult<ProbeCheck> {
    let url = f.url("url")?;
    let method = f.text("method")?.to_ascii_uppercase();
    if method.is_empty() || !method.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Err(ProbeSpecError::field("method", "must be an HTTP method such as GET or HEAD"));
    }
    let expect_status = f.int("expect_status")? as u16;
    let json = f.opt_json_check("json")?;
    Ok(ProbeCheck::Http {
        url,
        method,
        headers: f.string_table("headers")?,
        expect_status,
        body_contains: f.opt_text("body_contains")?,
        json,
        insecure: f.bool("insecure")?,
        ca_file: f.opt_text("ca_file")?,
    })
}
