//! `env`: an environment variable is set and not empty. Executed by runsheet-probes `kinds::local`.

use super::{FieldSpec, FieldType, KindSpec};
use crate::probe::fields::Fields;
use crate::probe::{ProbeCheck, ProbeSpecError, SpecResult};

pub(super) const SPEC: KindSpec = KindSpec {
    kind: "env",
    summary: "the environment variable is set and not empty",
    fields: &[FieldSpec::required("name", FieldType::Text, "The variable's name.")],
    parse,
};

fn parse(f: &mut Fields) -> SpecResult<ProbeCheck> {
    let name = f.text("name")?;
    if name.is_empty() || name.contains('=') || name.contains('\0') {
        return Err(ProbeSpecError::field("name", "must be an environment variable name"));
    }
    Ok(ProbeCheck::Env { name })
}
