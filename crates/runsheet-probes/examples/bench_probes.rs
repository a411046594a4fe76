//! Benchmark: 200 http probes against loopback with 2 s timeouts, 50 of them hanging, run by the runner; versus a
//! sequential `curl --max-time 2` loop over the same targets. Run with
//! `cargo run --release -p runsheet-probes --example bench_probes` (add `--no-curl` to skip the slow loop).

use std::sync::Arc;
use std::time::{Duration, Instant};

use runsheet_core::probe::{parse, Outcome};
use runsheet_probes::{ProbeJob, ResolvedSecrets, Runner, DEFAULT_CONCURRENCY};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

async fn server(hang: bool) -> std::net::SocketAddr {
    let l = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = l.local_addr().expect("addr");
    tokio::spawn(async move {
        loop {
            let Ok((mut s, _)) = l.accept().await else { return };
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = s.read(&mut buf).await;
                if hang {
                    tokio::time::sleep(Duration::from_secs(3600)).await;
                } else {
                    let _ = s.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok").await;
                }
            });
        }
    });
    addr
}

fn main() {
    let no_curl = std::env::args().any(|a| a == "--no-curl");
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    rt.block_on(async {
        let ok = server(false).await;
        let hang = server(true).await;
        let urls: Vec<String> = (0..200)
            .map(|i| if i % 4 == 0 { format!("http://{hang}/h{i}") } else { format!("http://{ok}/p{i}") })
            .collect();
        let jobs: Vec<ProbeJob> = urls
            .iter()
            .enumerate()
            .map(|(i, u)| ProbeJob {
                item: format!("item-{i}"),
                index: 0,
                spec: parse(&format!("kind = \"http\"\nurl = \"{u}\"\ntimeout = \"2s\"")).expect("spec"),
                armed: false,
                refusal: None,
            })
            .collect();
        let t = Instant::now();
        let results = Runner::new(DEFAULT_CONCURRENCY).run(jobs, Arc::new(ResolvedSecrets::none())).await;
        let wall = t.elapsed();
        let pass = results.iter().filter(|r| r.evidence.outcome == Outcome::Pass).count();
        let timeout = results.iter().filter(|r| r.evidence.outcome == Outcome::Timeout).count();
        println!(
            "runner: 200 probes (50 hanging, 2 s timeout, concurrency {DEFAULT_CONCURRENCY}): {:.2} s wall ({:.2}x one timeout); pass {pass}, timeout {timeout}",
            wall.as_secs_f64(),
            wall.as_secs_f64() / 2.0
        );
        if no_curl {
            return;
        }
        let t = Instant::now();
        let curl = tokio::task::spawn_blocking(move || {
            let mut ok = 0;
            for u in &urls {
                let st = std::process::Command::new("curl")
                    .args(["-s", "-o", "/dev/null", "--max-time", "2", u])
                    .status();
                if st.is_ok_and(|s| s.success()) {
                    ok += 1;
                }
            }
            ok
        })
        .await
        .expect("curl loop");
        println!("sequential curl --max-time 2 loop: {:.2} s wall; {curl} succeeded", t.elapsed().as_secs_f64());
    });
}
