//! A temporary home with an `App`, and a small checklist with two phases and two sign-off roles.

use runsheet_app::{App, Services};

pub const CHECKLIST: &str = "# Payments Release

## Preparation

- [ ] Backup taken
- [ ] Port 8001 free

## Rollout

- [ ] Deploy version 3.1.0
- [ ] Smoke test the checkout

## Sign-off

- [ ] QA Lead: ______ Date: ____
- [ ] Release Manager: ______ Date: ____
";

pub struct Home {
    pub app: App,
    _dir: tempfile::TempDir,
}

/// A fresh installation with its own keyring services (so parallel tests never share entries).
pub fn home(test: &str) -> Home {
    let dir = tempfile::tempdir().expect("a temp dir");
    let services = Services {
        secrets: format!("runsheet-app-test-{test}-{}", std::process::id()),
        identity: format!("runsheet-app-test-{test}-{}-identity", std::process::id()),
    };
    Home { app: App::with_services(dir.path(), services), _dir: dir }
}

impl Home {
    /// Import [`CHECKLIST`] and create a run of it as `op`; returns the run id.
    pub fn run(&self) -> String {
        let c = self.app.import_bytes("payments.md", CHECKLIST.as_bytes()).expect("the checklist imports");
        let new = runsheet_app::runs::NewRun { checklist: c.id, title: "Payments 3.1.0".into(), ..Default::default() };
        self.app.create_run(new, "op").expect("a run is created")
    }

    /// The id of the item whose text is `text`.
    pub fn item(&self, run: &str, text: &str) -> String {
        let state = self.app.run(run).expect("the run folds");
        runsheet_app::runs::resolve_item(&state, text).expect("the item exists")
    }
}
