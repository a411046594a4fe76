//! Verification of a signed deployment log: every PDF signature's CMS over its byte range, that the last
//! signature covers the whole file (anything appended after signing fails), and the attached JSON run log's
//! hash-linked event DAG. Says who signed (certificate subject and SHA-256 fingerprint).
//!
//! Trust is not decided here: a self-signed certificate verifies as "intact, signed by X with certificate F";
//! whether F is someone you trust is for the reader (or pyHanko with `--trust`) to decide.

use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerIdentifier};
use der::Encode;
use lopdf::Object;
use p256::ecdsa::signature::Verifier;
use p256::ecdsa::{DerSignature, VerifyingKey};
use runsheet_core::event::{verify_chain, Event};
use serde::Serialize;
use sha2::{Digest, Sha256};
use x509_cert::Certificate;

use crate::identity::subject_cn;
use crate::pades::{OID_ECDSA_SHA256, OID_MESSAGE_DIGEST, OID_SHA256, OID_SIGNED_DATA};
use crate::{Error, Result, RUN_LOG_NAME};

/// Result of [`verify_pdf`]. `ok` is the bottom line; the rest says why.
#[derive(Debug, Clone, Serialize)]
pub struct VerifyReport {
    pub ok: bool,
    pub signatures: Vec<SignatureCheck>,
    /// The last signature's byte range ends at the end of the file.
    pub covers_whole_file: bool,
    pub run_log: Option<RunLogCheck>,
    /// Human-readable reasons for failure (empty when ok).
    pub problems: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SignatureCheck {
    pub byte_range: [usize; 4],
    pub digest_matches: bool,
    pub signature_valid: bool,
    pub signer: String,
    pub fingerprint: String,
    /// The signature dictionary's `/M`, as written (a PDF date, `D:20261124004938+00'00'`).
    pub signing_time: Option<String>,
    pub sub_filter: Option<String>,
}

impl SignatureCheck {
    /// `signing_time` as a date, when it is a well-formed PDF date.
    pub fn signed_at(&self) -> Option<chrono::DateTime<chrono::FixedOffset>> {
        self.signing_time.as_deref().and_then(parse_pdf_date)
    }
}

/// A PDF date with seconds and offset (`D:20261124004938+00'00'`, `D:20261124004938Z`), as PDF writers emit them.
pub fn parse_pdf_date(d: &str) -> Option<chrono::DateTime<chrono::FixedOffset>> {
    let t = d.strip_prefix("D:").unwrap_or(d).replace('\'', "");
    let t = match t.strip_suffix('Z') {
        Some(rest) => format!("{rest}+0000"),
        None => t,
    };
    chrono::DateTime::parse_from_str(&t, "%Y%m%d%H%M%S%z").ok()
}

#[derive(Debug, Clone, Serialize)]
pub struct RunLogCheck {
    /// The log's `format` tag (`None` for a bare array of events or a log that did not parse).
    pub format: Option<String>,
    pub events: usize,
    pub run_id: Option<String>,
    pub heads: Vec<String>,
    /// The chain checks of `runsheet_core::event::verify_chain` passed: every hash matches its event's content,
    /// every parent is present and earlier, Lamport counters are consistent, one `run_created` root.
    pub dag_ok: bool,
    /// Each event's hash was recomputed from its content (false when the log did not parse).
    pub hashes_recomputed: bool,
    /// The events whose author signature verified against the run's membership, by event id, with the member
    /// who signed ([`crate::event_sig::check_event_authors`]; empty when the chain did not verify).
    pub authors: std::collections::BTreeMap<String, crate::event_sig::VerifiedAuthor>,
    pub problems: Vec<String>,
}

/// Verify a signed Runsheet PDF.
pub fn verify_pdf(bytes: &[u8]) -> Result<VerifyReport> {
    let doc = lopdf::Document::load_mem(bytes).map_err(|e| Error::Pdf(format!("parsing pdf: {e}")))?;
    let mut problems = Vec::new();
    let mut sigs = Vec::new();
    for (id, obj) in doc.objects.iter() {
        let Ok(d) = obj.as_dict() else { continue };
        if d.get(b"ByteRange").is_err() || d.get(b"Contents").is_err() {
            continue;
        }
        match check_signature(bytes, d) {
            Ok(s) => sigs.push(s),
            Err(e) => problems.push(format!("signature object {} {}: {e}", id.0, id.1)),
        }
    }
    sigs.sort_by_key(|s| s.byte_range[2] + s.byte_range[3]);
    if sigs.is_empty() && problems.is_empty() {
        problems.push("the PDF has no signature".into());
    }
    for s in &sigs {
        if !s.digest_matches {
            problems.push(format!("the signed bytes were changed (digest mismatch for {})", s.signer));
        }
        if !s.signature_valid {
            problems.push(format!("the CMS signature of {} does not verify", s.signer));
        }
    }
    let covers_whole_file = sigs.last().is_some_and(|s| s.byte_range[2] + s.byte_range[3] == bytes.len());
    if !sigs.is_empty() && !covers_whole_file {
        problems.push("the file was changed after signing (the signature does not cover the whole file)".into());
    }
    let run_log = match extract_attachment(&doc, RUN_LOG_NAME) {
        Ok(Some(data)) => Some(check_run_log(&data)),
        Ok(None) => {
            problems.push(format!("no attached run log `{RUN_LOG_NAME}`"));
            None
        }
        Err(e) => {
            problems.push(format!("reading the attached run log: {e}"));
            None
        }
    };
    if let Some(l) = &run_log {
        problems.extend(l.problems.iter().map(|p| format!("run log: {p}")));
    }
    Ok(VerifyReport { ok: problems.is_empty(), signatures: sigs, covers_whole_file, run_log, problems })
}

fn name_of(d: &lopdf::Dictionary, key: &[u8]) -> Option<String> {
    d.get(key).ok().and_then(|o| o.as_name().ok()).map(|n| String::from_utf8_lossy(n).into_owned())
}

fn check_signature(pdf: &[u8], d: &lopdf::Dictionary) -> Result<SignatureCheck> {
    let br = d.get(b"ByteRange").and_then(Object::as_array).map_err(|_| Error::Pdf("/ByteRange is not an array".into()))?;
    let nums: Vec<usize> = br.iter().filter_map(|o| o.as_i64().ok()).filter(|n| *n >= 0).map(|n| n as usize).collect();
    let [a, b, c, l] = nums[..] else {
        return Err(Error::Pdf("/ByteRange must hold four non-negative integers".into()));
    };
    if a != 0 || b > c || c.checked_add(l).is_none_or(|end| end > pdf.len()) {
        return Err(Error::Pdf(format!("/ByteRange [{a} {b} {c} {l}] does not fit the file")));
    }
    let contents = match d.get(b"Contents") {
        Ok(Object::String(s, _)) => s.clone(),
        _ => return Err(Error::Pdf("/Contents is not a string".into())),
    };
    // The gap must be exactly the hex string holding /Contents, nothing else.
    let gap = &pdf[b..c];
    let gap_ok = gap.first() == Some(&b'<')
        && gap.last() == Some(&b'>')
        && hex::decode(&gap[1..gap.len() - 1]).is_ok_and(|g| g.starts_with(&contents) && g[contents.len()..].iter().all(|x| *x == 0));
    if !gap_ok {
        return Err(Error::Pdf("the unsigned gap of /ByteRange is not the /Contents string".into()));
    }
    let mut h = Sha256::new();
    h.update(&pdf[..b]);
    h.update(&pdf[c..c + l]);
    let digest = h.finalize().to_vec();
    let (digest_matches, signature_valid, signer, fingerprint) = check_cms(&contents, &digest)?;
    let signing_time = d.get(b"M").ok().and_then(|m| m.as_str().ok()).map(|s| String::from_utf8_lossy(s).into_owned());
    Ok(SignatureCheck { byte_range: [a, b, c, l], digest_matches, signature_valid, signer, fingerprint, signing_time, sub_filter: name_of(d, b"SubFilter") })
}

/// (digest matches, signature valid, signer CN, certificate fingerprint)
fn check_cms(contents: &[u8], digest: &[u8]) -> Result<(bool, bool, String, String)> {
    fn e(what: &'static str) -> impl Fn(der::Error) -> Error {
        move |err| Error::Sign(format!("{what}: {err}"))
    }
    // The placeholder is zero-padded after the DER; decode only the DER itself.
    let ci = {
        let mut reader = der::SliceReader::new(contents).map_err(e("cms"))?;
        <ContentInfo as der::Decode>::decode(&mut reader).map_err(e("cms content info"))?
    };
    if ci.content_type != OID_SIGNED_DATA {
        return Err(Error::Sign("CMS content is not SignedData".into()));
    }
    let sd: SignedData = ci.content.decode_as().map_err(e("signed data"))?;
    let si = sd.signer_infos.0.iter().next().ok_or_else(|| Error::Sign("no signer info".into()))?;
    let certs: Vec<Certificate> = sd
        .certificates
        .iter()
        .flat_map(|cs| cs.0.iter())
        .filter_map(|c| match c {
            cms::cert::CertificateChoices::Certificate(c) => Some(c.clone()),
            _ => None,
        })
        .collect();
    let cert = match &si.sid {
        SignerIdentifier::IssuerAndSerialNumber(ias) => certs
            .iter()
            .find(|c| c.tbs_certificate.issuer == ias.issuer && c.tbs_certificate.serial_number == ias.serial_number),
        SignerIdentifier::SubjectKeyIdentifier(_) => certs.first(),
    }
    .ok_or_else(|| Error::Sign("the signer's certificate is not in the signature".into()))?;
    let cert_der = cert.to_der().map_err(e("certificate"))?;
    let fingerprint = hex::encode(Sha256::digest(&cert_der));
    let signer = subject_cn(cert);
    if si.digest_alg.oid != OID_SHA256 || si.signature_algorithm.oid != OID_ECDSA_SHA256 {
        return Err(Error::Sign(format!(
            "unsupported algorithms (digest {}, signature {}); Runsheet verifies SHA-256 with ECDSA P-256",
            si.digest_alg.oid, si.signature_algorithm.oid
        )));
    }
    let attrs = si.signed_attrs.as_ref().ok_or_else(|| Error::Sign("no signed attributes".into()))?;
    let md = attrs
        .iter()
        .find(|a| a.oid == OID_MESSAGE_DIGEST)
        .and_then(|a| a.values.iter().next())
        .and_then(|v| v.decode_as::<der::asn1::OctetString>().ok())
        .ok_or_else(|| Error::Sign("no message-digest attribute".into()))?;
    let digest_matches = md.as_bytes() == digest;
    let signed = attrs.to_der().map_err(e("signed attributes"))?;
    let spki = cert.tbs_certificate.subject_public_key_info.to_der().map_err(e("public key"))?;
    let vk = <VerifyingKey as p256::pkcs8::DecodePublicKey>::from_public_key_der(&spki)
        .map_err(|err| Error::Sign(format!("the signer key is not P-256: {err}")))?;
    let sig = DerSignature::from_bytes(si.signature.as_bytes()).map_err(|err| Error::Sign(format!("signature encoding: {err}")))?;
    let signature_valid = vk.verify(&signed, &sig).is_ok();
    Ok((digest_matches, signature_valid, signer, fingerprint))
}

/// The attached run log (`runsheet-run-log.json`) of a PDF's bytes, if it has one: the exact bytes
/// [`crate::run_log_json`] wrote, for `runsheet verify`, tests and anyone extracting the log.
pub fn extract_run_log(pdf: &[u8]) -> Result<Option<Vec<u8>>> {
    let doc = lopdf::Document::load_mem(pdf).map_err(|e| Error::Pdf(format!("parsing pdf: {e}")))?;
    extract_attachment(&doc, RUN_LOG_NAME)
}

/// The bytes of the embedded file named `name`, if the PDF has one.
pub fn extract_attachment(doc: &lopdf::Document, name: &str) -> Result<Option<Vec<u8>>> {
    let pdf = |m: &str| Error::Pdf(m.to_string());
    let catalog = doc.catalog().map_err(|e| Error::Pdf(format!("catalog: {e}")))?;
    let Ok(names) = catalog.get(b"Names") else { return Ok(None) };
    let (_, names) = doc.dereference(names).map_err(|e| Error::Pdf(format!("/Names: {e}")))?;
    let Ok(ef) = names.as_dict().and_then(|d| d.get(b"EmbeddedFiles")) else { return Ok(None) };
    let (_, ef) = doc.dereference(ef).map_err(|e| Error::Pdf(format!("/EmbeddedFiles: {e}")))?;
    let arr = ef.as_dict().and_then(|d| d.get(b"Names")).and_then(Object::as_array).map_err(|_| pdf("/EmbeddedFiles has no /Names"))?;
    for pair in arr.chunks(2) {
        let [Object::String(n, _), spec] = pair else { continue };
        if n.as_slice() != name.as_bytes() {
            continue;
        }
        let (_, spec) = doc.dereference(spec).map_err(|e| Error::Pdf(format!("file spec: {e}")))?;
        let ef = spec.as_dict().and_then(|d| d.get(b"EF")).map_err(|_| pdf("file spec has no /EF"))?;
        let (_, ef) = doc.dereference(ef).map_err(|e| Error::Pdf(format!("/EF: {e}")))?;
        let f = ef.as_dict().and_then(|d| d.get(b"F")).map_err(|_| pdf("/EF has no /F"))?;
        let (_, stream) = doc.dereference(f).map_err(|e| Error::Pdf(format!("embedded file: {e}")))?;
        let stream = stream.as_stream().map_err(|_| pdf("embedded file is not a stream"))?;
        let data = if stream.dict.get(b"Filter").is_ok() {
            stream.decompressed_content().map_err(|e| Error::Pdf(format!("inflating embedded file: {e}")))?
        } else {
            stream.content.clone()
        };
        return Ok(Some(data));
    }
    Ok(None)
}

/// A JSON run log as read back, whichever version wrote it.
#[derive(Debug, Clone)]
pub struct RunLog {
    /// The `format` tag ([`crate::RUN_LOG_FORMAT`] or [`crate::RUN_LOG_FORMAT_V1`]); `None` for a bare array of
    /// events.
    pub format: Option<String>,
    /// `/2` only: the run id and head hashes the writer claimed, checked against the events by [`check_run_log`].
    pub run_id: Option<String>,
    pub head_hashes: Option<Vec<String>>,
    pub events: Vec<Event>,
}

/// Read a run log: `runsheet-run-log/2`, `runsheet-run-log/1` (both the PDF's `{format, events}` and the CLI's
/// `{format, run, events}`), or a bare array of events. The `run` view is never read: it is informative.
pub fn read_run_log(data: &[u8]) -> Result<RunLog> {
    parse_run_log(data).map_err(|e| Error::Input(format!("run log: {e}")))
}

/// [`read_run_log`] with the reason as plain text (the problems of a [`RunLogCheck`] are plain text).
fn parse_run_log(data: &[u8]) -> std::result::Result<RunLog, String> {
    let events_of = |v: serde_json::Value| -> std::result::Result<Vec<Event>, String> {
        serde_json::from_value(v).map_err(|e| format!("events do not parse: {e}"))
    };
    let value: serde_json::Value = serde_json::from_slice(data).map_err(|e| format!("not JSON: {e}"))?;
    let mut map = match value {
        serde_json::Value::Object(map) => map,
        serde_json::Value::Array(_) => return Ok(RunLog { format: None, run_id: None, head_hashes: None, events: events_of(value)? }),
        _ => return Err("neither an object nor an array of events".into()),
    };
    let format = match map.remove("format") {
        Some(serde_json::Value::String(f)) if f == crate::RUN_LOG_FORMAT || f == crate::RUN_LOG_FORMAT_V1 => f,
        Some(other) => {
            return Err(format!(
                "unsupported format {other} (this build reads {} and {})",
                crate::RUN_LOG_FORMAT,
                crate::RUN_LOG_FORMAT_V1
            ))
        }
        None => return Err("no `format` field".into()),
    };
    let events = events_of(map.remove("events").ok_or("no `events` field")?)?;
    if format == crate::RUN_LOG_FORMAT_V1 {
        return Ok(RunLog { format: Some(format), run_id: None, head_hashes: None, events });
    }
    let run_id = match map.remove("run_id") {
        Some(serde_json::Value::String(id)) => id,
        _ => return Err("`run_id` is missing or not a string".into()),
    };
    let head_hashes = serde_json::from_value::<Vec<String>>(map.remove("head_hashes").ok_or("no `head_hashes` field")?)
        .map_err(|e| format!("`head_hashes` is not a list of strings: {e}"))?;
    Ok(RunLog { format: Some(format), run_id: Some(run_id), head_hashes: Some(head_hashes), events })
}

/// Check a JSON run log ([`read_run_log`]): the events' hash-linked DAG ([`verify_chain`]) and, for `/2`, that
/// the events are in fold order and that `run_id` and `head_hashes` are what the events say.
pub fn check_run_log(data: &[u8]) -> RunLogCheck {
    let mut problems = Vec::new();
    let log = match parse_run_log(data) {
        Ok(log) => log,
        Err(problem) => {
            return RunLogCheck {
                format: None,
                events: 0,
                run_id: None,
                heads: Vec::new(),
                dag_ok: false,
                hashes_recomputed: false,
                authors: Default::default(),
                problems: vec![problem],
            };
        }
    };
    let events = &log.events;
    let run_id = events.first().map(|e| e.run_id.clone());
    let mut heads = Vec::new();
    let mut hashes_recomputed = false;
    if let Some(run) = &run_id {
        match verify_chain(run, events) {
            Ok(h) => {
                heads = h;
                hashes_recomputed = true;
            }
            Err(e) => problems.push(e.to_string()),
        }
    } else {
        problems.push("the run log holds no events".into());
    }
    if let (Some(claimed), Some(run)) = (&log.run_id, &run_id) {
        if claimed != run {
            problems.push(format!("run_id {claimed} is not the events' run {run}"));
        }
    }
    if let Some(claimed) = &log.head_hashes {
        if !events.windows(2).all(|w| w[0].fold_key() <= w[1].fold_key()) {
            problems.push("the events are not in fold order (lamport, device, id)".into());
        }
        let (mut claimed, mut actual) = (claimed.clone(), heads.clone());
        claimed.sort_unstable();
        actual.sort_unstable();
        if hashes_recomputed && claimed != actual {
            problems.push(format!("head_hashes {claimed:?} are not the events' heads {actual:?}"));
        }
    }
    let dag_ok = problems.is_empty();
    // Signatures only mean something on an intact chain: checked after it.
    let mut authors = Default::default();
    if dag_ok {
        match crate::event_sig::check_event_authors(events, &|_| true) {
            Ok(a) => authors = a,
            Err(e) => problems.push(e.to_string()),
        }
    }
    RunLogCheck { format: log.format, events: events.len(), run_id, heads, dag_ok, hashes_recomputed, authors, problems }
}

#[cfg(test)]
mod pdf_date_tests {
    #[test]
    fn pdf_dates_parse_with_their_offsets() {
        let t = |s: &str| super::parse_pdf_date(s).map(|d| d.to_rfc3339());
        assert_eq!(t("D:20261124004938+00'00'").as_deref(), Some("2026-11-24T00:49:38+00:00"));
        assert_eq!(t("D:20261124004938+01'30'").as_deref(), Some("2026-11-24T00:49:38+01:30"));
        assert_eq!(t("D:20261124004938Z").as_deref(), Some("2026-11-24T00:49:38+00:00"));
        assert_eq!(t("yesterday"), None);
    }
}
