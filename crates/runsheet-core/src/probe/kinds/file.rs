//! `file`: a file exists. Executed by runsheet-probes `kinds::local`.

use super::{FieldSpec, FieldType, KindSpec};
use crate::probe::fields::Fields;
use crate::probe::{ProbeCheck, SpecResult};

pub(super) const SPEC: KindSpec = KindSpec {
    kind: "file",
    summary: "the file exists",
    fields: &[FieldSpec::required("path", FieldType::Text, "The file's path.")],
    parse,
};

fn parse(f: &mut Fields) -> SpecResult<ProbeCheck> {
    Ok(ProbeCheck::File { path: f.text("path")? })
}
