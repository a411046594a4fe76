//! `postgres`: a query runs on a PostgreSQL server, optionally returning an expected value. Executed by
//! runsheet-probes `kinds::postgres`.

use super::{FieldSpec, FieldType, KindSpec};
use crate::probe::fields::Fields;
use crate::probe::{ProbeCheck, SpecResult};

pub(super) const SPEC: KindSpec = KindSpec {
    kind: "postgres",
    summary: "the query runs (and returns the expected value)",
    fields: &[
        FieldSpec::required(
            "url",
            FieldType::Url { schemes: &["postgres://", "postgresql://"] },
            "The connection URL (\"postgres://user@host:5432/db\"), without a password.",
        ),
        FieldSpec::optional("password", FieldType::SecretRef, "The password, as a keyring secret reference."),
        FieldSpec::defaulted("query", FieldType::Text, "\"SELECT 1\"", "The query to run."),
        FieldSpec::optional("expect", FieldType::Scalar, "The value the first column of the first row must have."),
    ],
    parse,
};

fn parse(f: &mut Fields) -> SpecResult<ProbeCheck> {
    Ok(ProbeCheck::Postgres {
        url: f.url("url")?,
        password: f.opt_secret_ref("password")?,
        query: f.text("query")?,
        expect: f.opt_scalar("expect")?,
    })
}
