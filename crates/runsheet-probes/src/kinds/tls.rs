//! `tls` probes: a rustls handshake that records (rather than enforces) chain verification, then separate checks
//! on the leaf certificate: validity dates, hostname, trust (unless `insecure`), and at least `min_days` left.
//!
//! Recording instead of failing the handshake lets the evidence say *why* a certificate is bad ("expired on …",
//! "not valid for …") instead of a generic handshake error. Revocation (OCSP/CRL) is not checked.

use std::sync::{Arc, Mutex};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, RootCertStore, SignatureScheme};
use tokio::time::{timeout_at, Instant};

use super::{net, Attempt};

#[derive(Debug)]
struct Recording {
    inner: Arc<WebPkiServerVerifier>,
    verdict: Mutex<Option<Result<(), rustls::Error>>>,
}

impl ServerCertVerifier for Recording {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let r = self.inner.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now).map(|_| ());
        if let Ok(mut v) = self.verdict.lock() {
            *v = Some(r);
        }
        Ok(ServerCertVerified::assertion())
    }
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }
    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

fn roots(ca_file: Option<&str>) -> Result<RootCertStore, String> {
    let mut roots = RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() };
    if let Some(path) = ca_file {
        let pem = std::fs::read(path).map_err(|e| format!("reading ca_file {path}: {e}"))?;
        let mut any = false;
        for c in rustls_pemfile::certs(&mut pem.as_slice()) {
            let c = c.map_err(|e| format!("ca_file {path}: {e}"))?;
            roots.add(c).map_err(|e| format!("ca_file {path}: {e}"))?;
            any = true;
        }
        if !any {
            return Err(format!("ca_file {path} holds no PEM certificate"));
        }
    }
    Ok(roots)
}

pub(crate) async fn run(
    address: &str,
    server_name: Option<String>,
    min_days: u32,
    insecure: bool,
    ca_file: Option<&str>,
    deadline: Instant,
) -> Attempt {
    let host = address.rsplit_once(':').map(|(h, _)| h.trim_start_matches('[').trim_end_matches(']')).unwrap_or(address);
    let name_text = server_name.unwrap_or_else(|| host.to_string());
    let name = match ServerName::try_from(name_text.clone()) {
        Ok(n) => n,
        Err(e) => return Attempt::error(format!("invalid server name {name_text}: {e}")),
    };
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let roots = match roots(ca_file) {
        Ok(r) => Arc::new(r),
        Err(m) => return Attempt::error(m),
    };
    let inner = match WebPkiServerVerifier::builder_with_provider(roots, provider.clone()).build() {
        Ok(v) => v,
        Err(e) => return Attempt::error(format!("building the certificate verifier: {e}")),
    };
    let recording = Arc::new(Recording { inner, verdict: Mutex::new(None) });
    let config = match rustls::ClientConfig::builder_with_provider(provider).with_safe_default_protocol_versions() {
        Ok(b) => b.dangerous().with_custom_certificate_verifier(recording.clone()).with_no_client_auth(),
        Err(e) => return Attempt::error(format!("TLS configuration: {e}")),
    };
    let tcp = match net::connect(address, deadline).await {
        Ok(s) => s,
        Err(a) => return a,
    };
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let stream = match timeout_at(deadline, connector.connect(name.clone(), tcp)).await {
        Err(_) => return Attempt::timeout("TLS handshake did not finish before the timeout"),
        Ok(Err(e)) => return Attempt::error(format!("TLS handshake failed: {e}")),
        Ok(Ok(s)) => s,
    };
    let Some(leaf) = stream.get_ref().1.peer_certificates().and_then(|c| c.first()).cloned() else {
        return Attempt::error("the server sent no certificate".into());
    };
    let verdict = recording.verdict.lock().ok().and_then(|mut v| v.take());
    judge(&leaf, &name, &name_text, min_days, insecure, verdict)
}

fn judge(
    leaf: &CertificateDer<'_>,
    name: &ServerName<'_>,
    name_text: &str,
    min_days: u32,
    insecure: bool,
    verdict: Option<Result<(), rustls::Error>>,
) -> Attempt {
    let (_, cert) = match x509_parser::parse_x509_certificate(leaf.as_ref()) {
        Ok(c) => c,
        Err(e) => return Attempt::error(format!("cannot parse the server certificate: {e}")),
    };
    let now = chrono::Utc::now().timestamp();
    let not_after = cert.validity().not_after.timestamp();
    let not_before = cert.validity().not_before.timestamp();
    let date = |t: i64| {
        chrono::DateTime::from_timestamp(t, 0).map(|d| d.format("%Y-%m-%d %H:%M UTC").to_string()).unwrap_or_default()
    };
    if now > not_after {
        return Attempt::fail(format!("certificate expired on {}", date(not_after)));
    }
    if now < not_before {
        return Attempt::fail(format!("certificate not valid before {}", date(not_before)));
    }
    let name_ok = rustls::server::ParsedCertificate::try_from(leaf)
        .map(|p| rustls::client::verify_server_name(&p, name).is_ok())
        .unwrap_or(false);
    if !name_ok {
        return Attempt::fail(format!("certificate is not valid for {name_text}"));
    }
    let trust = match verdict {
        Some(Ok(())) => "trusted".to_string(),
        Some(Err(e)) if insecure => format!("not trusted ({e}), accepted because insecure = true"),
        Some(Err(e)) => return Attempt::fail(format!("certificate not trusted: {e}")),
        None if insecure => "trust not checked".to_string(),
        None => return Attempt::error("the certificate was not verified during the handshake".into()),
    };
    let days_left = (not_after - now) / 86_400;
    let issuer = cert.issuer().to_string();
    let detail = format!("valid until {} ({days_left} days left), issuer {issuer}, {trust}", date(not_after));
    if days_left < i64::from(min_days) {
        return Attempt::fail(format!("expires in {days_left} days, fewer than {min_days}: {detail}"));
    }
    Attempt::pass(detail)
}
