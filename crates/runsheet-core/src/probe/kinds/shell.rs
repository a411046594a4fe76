//! `shell`: a command exits with the expected code; it runs only after the operator armed it for the run.
//! Executed by runsheet-probes `kinds::shell`.

use super::{FieldSpec, FieldType, KindSpec};
use crate::probe::fields::Fields;
use crate::probe::{ProbeCheck, SpecResult};

pub(super) const SPEC: KindSpec = KindSpec {
    kind: "shell",
    summary: "the command exits with the expected code (runs only once armed for the run)",
    fields: &[
        FieldSpec::required("command", FieldType::Text, "The command line, run by the shell."),
        FieldSpec::optional("cwd", FieldType::Text, "The working directory."),
        FieldSpec::optional("env", FieldType::StringTable, "Extra environment variables; values may reference secrets."),
        FieldSpec::defaulted(
            "expect_exit",
            FieldType::Integer { min: 0, max: 255, what: Some("an exit code") },
            "0",
            "The exit code the command must return.",
        ),
    ],
    parse,
};

fn parse(f: &mut Fields) -> SpecResult<ProbeCheck> {
    let command = f.text("command")?;
    let expect_exit = f.int("expect_exit")? as i32;
    Ok(ProbeCheck::Shell { command, cwd: f.opt_text("cwd")?, env: f.string_table("env")?, expect_exit })
}
