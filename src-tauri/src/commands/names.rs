// The name of every command the webview may call, shared by build.rs (the app manifest: a command missing here
// cannot be allowed) and the tests that keep it, the capability file and the invoke handler in step.
// Plain `const` with no attributes so build.rs can `include!` it.

pub const COMMANDS: &[&str] = &[
    // library
    "list_checklists",
    "import_checklist_file",
    "import_checklist_text",
    "preview_checklist",
    // runs
    "list_runs",
    "create_run",
    "get_run",
    "set_item_state",
    "add_note",
    "timeline",
    "timeline_chart",
    // probes
    "run_probes",
    "evidence",
    "arm_shell_probe",
    "validate_probe",
    "probe_kinds",
    "add_probe",
    // rollback
    "rollback_state",
    "declare_trigger",
    "decide_rollback",
    // clock
    "run_clock",
    // contacts
    "contacts",
    "set_contact",
    // secrets
    "keyring_status",
    "list_credentials",
    "set_credential",
    "delete_credential",
    "grant_secret",
    // signoff
    "signoff",
    "sign_off",
    "add_role",
    "waive",
    "set_run_settings",
    // export
    "export_run",
    "verify_pdf_file",
    "verify_pdf_bytes",
    "open_path",
    // settings
    "get_settings",
    "update_settings",
    "create_identity",
    "import_identity",
    "export_certificate",
    "perf_samples",
    "mark_painted",
    // dialogs
    "open_file_dialog",
    "save_file_dialog",
];
