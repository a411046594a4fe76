//! `disk`: the filesystem holding a path has at least `min_free` bytes free. Executed by runsheet-probes
//! `kinds::local`.

use super::{FieldSpec, FieldType, KindSpec};
use crate::probe::fields::Fields;
use crate::probe::{ProbeCheck, SpecResult};

pub(super) const SPEC: KindSpec = KindSpec {
    kind: "disk",
    summary: "the filesystem holding the path has enough free space",
    fields: &[
        FieldSpec::required("path", FieldType::Text, "A path on the filesystem to check."),
        // Written even at its default: the threshold is what the reader of a checklist wants to see.
        FieldSpec::defaulted("min_free", FieldType::ByteSize, "\"10GB\"", "The free space required.")
            .written_when_default(),
    ],
    parse,
};

fn parse(f: &mut Fields) -> SpecResult<ProbeCheck> {
    let path = f.text("path")?;
    Ok(ProbeCheck::Disk { path, min_free: f.byte_size("min_free")? })
}
