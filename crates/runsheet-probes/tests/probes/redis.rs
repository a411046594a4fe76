//! `redis` probes against a real redis-server with `requirepass`, the password read from the real keyring.

use std::time::Duration;

use runsheet_core::probe::{parse, Outcome};
use runsheet_probes::ResolvedSecrets;
use runsheet_secrets::Sensitive;

use crate::support::*;

#[tokio::test]
async fn ping_with_and_without_auth() {
    let Some(server) = redis("r3dis-pw") else { return };
    let a = format!("127.0.0.1:{}", server.port);
    let mut secrets = ResolvedSecrets::none();
    secrets.insert("redis_pw", Sensitive::new("r3dis-pw".into()));
    let ev = probe_with(&format!("kind = \"redis\"\naddress = \"{a}\"\npassword = \"{{{{secret:redis_pw}}}}\""), secrets).await;
    assert_eq!(ev.outcome, Outcome::Pass, "{ev:?}");
    let ev = probe(&format!("kind = \"redis\"\naddress = \"{a}\"")).await;
    assert_eq!(ev.outcome, Outcome::Fail, "no AUTH → NOAUTH: {ev:?}");
    assert!(ev.detail.contains("NOAUTH"), "{}", ev.detail);
    let mut wrong = ResolvedSecrets::none();
    wrong.insert("redis_pw", Sensitive::new("nope".into()));
    let ev = probe_with(&format!("kind = \"redis\"\naddress = \"{a}\"\npassword = \"{{{{secret:redis_pw}}}}\""), wrong).await;
    assert_eq!(ev.outcome, Outcome::Fail, "{ev:?}");
    assert!(!ev.detail.contains("nope"));
}

#[tokio::test]
async fn redis_password_from_the_real_keyring() {
    let Some(server) = redis("kr-redis-pw") else { return };
    let Some(store) = keyring_store("redis") else { return };
    store.set("redis_pw", &Sensitive::new("kr-redis-pw".into())).unwrap();
    let spec = parse(&format!("kind = \"redis\"\naddress = \"127.0.0.1:{}\"\npassword = \"{{{{secret:redis_pw}}}}\"", server.port)).unwrap();
    let secrets = ResolvedSecrets::resolve(Ok(&store), [&spec]);
    let job = runsheet_probes::ProbeJob { item: "i".into(), index: 0, spec, armed: false, refusal: None };
    let ev = runsheet_probes::Runner::default().run_one(&job, &secrets).await;
    store.delete("redis_pw").unwrap();
    assert_eq!(ev.outcome, Outcome::Pass, "{ev:?}");
}

#[tokio::test]
async fn silent_and_refused_redis() {
    let addr = silent_server().await;
    let ev = probe(&format!("kind = \"redis\"\naddress = \"{addr}\"\ntimeout = \"1s\"")).await;
    assert_eq!(ev.outcome, Outcome::Timeout, "{ev:?}");
    assert_within(&ev, Duration::from_millis(1500));
    let ev = probe(&format!("kind = \"redis\"\naddress = \"127.0.0.1:{}\"", free_port())).await;
    assert_eq!(ev.outcome, Outcome::Error, "{ev:?}");
}
