//! `postgres` probes against a real PostgreSQL (initdb in a temp dir, scram password auth), the password stored
//! through the real keyring.

use runsheet_core::probe::{parse, Outcome};
use runsheet_probes::{ProbeJob, ResolvedSecrets, Runner};
use runsheet_secrets::Sensitive;

use crate::support::*;

#[tokio::test]
async fn select_one_query_and_wrong_password() {
    let Some(store) = keyring_store("pg") else { return };
    let Some(server) = postgres("pg-Secret-42") else { return };
    store.set("pg_pw", &Sensitive::new("pg-Secret-42".into())).unwrap();
    let url = format!("postgres://runsheet@127.0.0.1:{}/postgres", server.port);
    let run = |toml: String| {
        let store = &store;
        async move {
            let spec = parse(&toml).unwrap();
            let secrets = ResolvedSecrets::resolve(Ok(store), [&spec]);
            Runner::default().run_one(&ProbeJob { item: "db".into(), index: 0, spec, armed: false, refusal: None }, &secrets).await
        }
    };
    let ev = run(format!("kind = \"postgres\"\nurl = \"{url}\"\npassword = \"{{{{secret:pg_pw}}}}\"\ntimeout = \"10s\"")).await;
    assert_eq!(ev.outcome, Outcome::Pass, "{ev:?}");
    assert_eq!(ev.detail, "SELECT 1 → 1");
    let ev = run(format!(
        "kind = \"postgres\"\nurl = \"{url}\"\npassword = \"{{{{secret:pg_pw}}}}\"\nquery = \"SELECT current_user\"\nexpect = \"runsheet\"\ntimeout = \"10s\""
    ))
    .await;
    assert_eq!(ev.outcome, Outcome::Pass, "{ev:?}");
    let ev = run(format!(
        "kind = \"postgres\"\nurl = \"{url}\"\npassword = \"{{{{secret:pg_pw}}}}\"\nquery = \"SELECT 2\"\nexpect = \"1\"\ntimeout = \"10s\""
    ))
    .await;
    assert_eq!(ev.outcome, Outcome::Fail, "{ev:?}");
    store.set("pg_pw", &Sensitive::new("wrong-password".into())).unwrap();
    let ev = run(format!("kind = \"postgres\"\nurl = \"{url}\"\npassword = \"{{{{secret:pg_pw}}}}\"\ntimeout = \"10s\"")).await;
    store.delete("pg_pw").unwrap();
    assert_eq!(ev.outcome, Outcome::Fail, "{ev:?}");
    assert!(ev.detail.contains("28P01") || ev.detail.contains("password"), "{}", ev.detail);
    assert!(!ev.detail.contains("wrong-password"));
}

#[tokio::test]
async fn silent_postgres_times_out() {
    let addr = silent_server().await;
    let ev = probe(&format!("kind = \"postgres\"\nurl = \"postgres://u@{addr}/db\"\ntimeout = \"1s\"")).await;
    assert_eq!(ev.outcome, Outcome::Timeout, "{ev:?}");
    assert_within(&ev, std::time::Duration::from_millis(1500));
}
