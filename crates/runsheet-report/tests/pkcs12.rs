//! An identity issued by an organisation CA: OpenSSL makes the CA, the signer's P-256 key and certificate and the
//! PKCS#12 file; we import it, sign a report, and pyHanko validates the signature with only the CA as trust root.
//! A missing external tool fails the test when CI=true and skips it (loudly) elsewhere.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use runsheet_report::{export_signed_pdf, verify_pdf, ExportOptions, Identity, Paper};

fn tool(cands: &[PathBuf]) -> Option<PathBuf> {
    cands.iter().find(|p| p.is_file()).cloned()
}

fn on_path(name: &str) -> Vec<PathBuf> {
    std::env::var_os("PATH").map(|p| std::env::split_paths(&p).map(|d| d.join(name)).collect()).unwrap_or_default()
}

fn required(found: Option<PathBuf>, name: &str) -> Option<PathBuf> {
    if found.is_none() {
        assert!(std::env::var("CI").as_deref() != Ok("true"), "{name} is required in CI (see scripts/setup.sh / test.sh)");
        // Past libtest's capture, so the skip shows in every run and in scripts/test.sh's summary.
        let _ = std::io::Write::write_all(&mut std::io::stderr(), format!("skipped: {name} not installed (CI=true requires it)\n").as_bytes());
    }
    found
}

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl").current_dir(dir).args(args).output().unwrap();
    assert!(out.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

/// CA + leaf + PKCS#12 (with the CA certificate in the bag) in `dir`.
fn org_pkcs12(dir: &Path, password: &str) -> Vec<u8> {
    openssl(dir, &["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "ca.key"]);
    openssl(dir, &[
        "req", "-x509", "-new", "-key", "ca.key", "-subj", "/O=Example Org/CN=Example Release CA", "-days", "365",
        "-out", "ca.pem", "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
    ]);
    openssl(dir, &["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "me.key"]);
    openssl(dir, &["req", "-new", "-key", "me.key", "-subj", "/O=Example Org/CN=Dana Release", "-out", "me.csr"]);
    std::fs::write(dir.join("ext.cnf"), "keyUsage=critical,digitalSignature,nonRepudiation\n").unwrap();
    openssl(dir, &[
        "x509", "-req", "-in", "me.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-days", "90",
        "-out", "me.pem", "-extfile", "ext.cnf",
    ]);
    let pass = format!("pass:{password}");
    openssl(dir, &["pkcs12", "-export", "-inkey", "me.key", "-in", "me.pem", "-certfile", "ca.pem", "-out", "me.p12", "-passout", &pass]);
    std::fs::read(dir.join("me.p12")).unwrap()
}

#[test]
fn an_org_ca_pkcs12_identity_signs_a_report_that_validates_against_the_ca() {
    if required(tool(&on_path("openssl")), "openssl").is_none() {
        return;
    }
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("pkcs12");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let p12 = org_pkcs12(&dir, "s3cret-p12");

    assert!(Identity::from_pkcs12(&p12, "wrong").is_err(), "a wrong password must be refused");
    let id = Identity::from_pkcs12(&p12, "s3cret-p12").unwrap();
    assert_eq!(id.subject(), "Dana Release");
    assert_eq!(id.chain_der().len(), 1, "the CA certificate in the bag is kept as the chain");

    let events = common::run(3, true);
    let pdf = export_signed_pdf(&common::state(&events), &id, common::t0() + chrono::TimeDelta::hours(3), ExportOptions { paper: Paper::A4 }).unwrap();
    let rep = verify_pdf(&pdf).unwrap();
    assert!(rep.ok, "{:?}", rep.problems);
    assert_eq!(rep.signatures[0].signer, "Dana Release");
    let path = dir.join("org-signed.pdf");
    std::fs::write(&path, &pdf).unwrap();

    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut venv = vec![repo.join(".venv-test/bin/python3")];
    if let Some(v) = std::env::var_os("RUNSHEET_TEST_VENV") {
        venv.insert(0, PathBuf::from(v).join("bin/python3"));
    }
    let Some(py) = required(tool(&venv), "pyHanko venv (.venv-test)") else { return };
    let script = r#"
import sys
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pyhanko.keys import load_cert_from_pemder
vc = ValidationContext(trust_roots=[load_cert_from_pemder(sys.argv[2])])
with open(sys.argv[1], 'rb') as f:
    st = validate_pdf_signature(PdfFileReader(f).embedded_signatures[0], vc)
    print("intact", st.intact, "valid", st.valid, "trusted", st.trusted, "coverage", st.coverage, "bottom_line", st.bottom_line)
"#;
    let check = |ca: &Path| {
        let out = Command::new(&py).arg("-c").arg(script).arg(&path).arg(ca).output().unwrap();
        format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
    };
    let text = check(&dir.join("ca.pem"));
    assert!(text.contains("intact True valid True trusted True"), "pyHanko with the org CA as trust root:\n{text}");
    assert!(text.contains("ENTIRE_FILE") && text.contains("bottom_line True"), "pyHanko:\n{text}");

    // A different CA must not make it trusted: the test can fail.
    let other = dir.join("other");
    std::fs::create_dir_all(&other).unwrap();
    org_pkcs12(&other, "x");
    let text = check(&other.join("ca.pem"));
    assert!(text.contains("trusted False"), "an unrelated CA must not be a trust path:\n{text}");
}
