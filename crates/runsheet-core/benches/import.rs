//! Import benchmark (plain harness): each seed checklist and a generated 10,000-item checklist, parsed
//! repeatedly; prints median and p95 per file. Run: `cargo bench -p runsheet-core --bench import`.

use std::time::{Duration, Instant};

fn measure(name: &str, source: &str, min_runs: usize) {
    // Warm up once, then time until both the run count and a small time budget are reached.
    let items = match runsheet_core::import::parse(name, source) {
        Ok(c) => c.items().len(),
        Err(e) => {
            eprintln!("{name}: {e}");
            return;
        }
    };
    let mut times: Vec<Duration> = Vec::new();
    let budget = Instant::now();
    while times.len() < min_runs || (budget.elapsed() < Duration::from_secs(2) && times.len() < 10_000) {
        let t = Instant::now();
        let c = runsheet_core::import::parse(name, source);
        times.push(t.elapsed());
        std::hint::black_box(c).ok();
    }
    times.sort();
    let p = |q: f64| times[((times.len() - 1) as f64 * q) as usize];
    let mb = source.len() as f64 / 1e6;
    let median = p(0.5);
    println!(
        "{name:<40} {:>9} bytes {items:>6} items  runs {:>5}  median {:>10.3?}  p95 {:>10.3?}  {:>7.1} MB/s",
        source.len(),
        times.len(),
        median,
        p(0.95),
        mb / median.as_secs_f64()
    );
}

fn generated(items: usize) -> String {
    let mut s = String::from("---\nversion: 1.2.3\n---\n# Generated checklist\n\n");
    for i in 0..items {
        if i % 500 == 0 {
            s.push_str(&format!("\n## Phase {} (T+{} minutes)\n\n", i / 500, i / 50));
        }
        if i % 50 == 0 {
            s.push_str(&format!("\n### Section {i}\n\n"));
        }
        match i % 5 {
            0 => s.push_str(&format!("- [ ] Check service {i}: `curl http://localhost:8001/health/{i}`\n")),
            1 => s.push_str(&format!("  - [x] Nested **detail** {i}\n")),
            2 => s.push_str(&format!(
                "- [ ] Probe {i}\n  ```probe\n  kind = \"tcp\"\n  address = \"127.0.0.1:{}\"\n  ```\n",
                1000 + i % 50000
            )),
            3 => s.push_str(&format!("- [ ] Plain item number {i} with `requirements.txt`\n")),
            _ => s.push_str(&format!("* [X] Star item {i}\n")),
        }
    }
    s.push_str("\n## Sign-off\n\n- [ ] Technical Lead: ________ Date: ____\n");
    s
}

fn main() {
    let seeds = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/seeds");
    let mut files: Vec<_> = std::fs::read_dir(&seeds).map(|d| d.flatten().map(|e| e.path()).collect()).unwrap_or_default();
    files.sort();
    if files.is_empty() {
        eprintln!("no seeds at {}", seeds.display());
    }
    for f in files {
        if let Ok(src) = std::fs::read_to_string(&f) {
            let name = f.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            measure(&name, &src, 200);
        }
    }
    let templates = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../checklists");
    let mut files: Vec<_> = std::fs::read_dir(&templates).map(|d| d.flatten().map(|e| e.path()).collect()).unwrap_or_default();
    files.sort();
    for f in files {
        if let Ok(src) = std::fs::read_to_string(&f) {
            let name = format!("checklists/{}", f.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default());
            measure(&name, &src, 200);
        }
    }
    let big = generated(10_000);
    measure("generated 10,000 items", &big, 20);
    if std::env::var_os("IMPORT_BENCH_VARIANTS").is_some() {
        for n in [5_000, 10_000, 20_000] {
            let plain: String = (0..n).map(|i| format!("- [ ] Plain item {i}\n")).collect();
            measure(&format!("{n} plain items, one list"), &plain, 10);
            let no_box: String = (0..n).map(|i| format!("- Plain bullet {i}\n")).collect();
            measure(&format!("{n} plain bullets (no tasks)"), &no_box, 10);
        }
        let probes: String = (0..2_000).map(|i| format!("- [ ] P {i}\n  ```probe\n  kind = \"tcp\"\n  address = \"127.0.0.1:1\"\n  ```\n")).collect();
        measure("2,000 probe items", &probes, 20);
        let nested: String = (0..2_000).map(|i| format!("- [ ] N {i}\n  - [x] child\n")).collect();
        measure("2,000 nested pairs", &nested, 20);
    }
}
