//! The signing identity: an ECDSA P-256 key and its X.509 certificate, self-signed on first use or imported from
//! a PKCS#12 file issued by an organisation CA.
//!
//! The private key is kept by a [`KeyStore`] (the OS keyring in practice, through runsheet-secrets) as PKCS#8
//! PEM; the certificate (public) is kept beside it. Nothing here prints or logs the key; `Debug` redacts it.

use chrono::{DateTime, Utc};
use der::{Decode, Encode, EncodePem};
use p256::ecdsa::{signature::Signer, DerSignature, SigningKey};
use p256::pkcs8::{DecodePrivateKey, EncodePrivateKey, LineEnding};
use sha2::{Digest, Sha256};
use x509_cert::builder::{Builder, CertificateBuilder, Profile};
use x509_cert::ext::pkix::{BasicConstraints, KeyUsage, KeyUsages};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::SubjectPublicKeyInfoOwned;
use x509_cert::time::Validity;
use x509_cert::Certificate;

use crate::render::SignerSummary;
use crate::{Error, Result};

/// Keyring entry names.
pub const KEY_ENTRY: &str = "runsheet-signing-key";
pub const CERT_ENTRY: &str = "runsheet-signing-cert";

/// Where the private key (and the certificate) live: implemented over the OS keyring by the caller.
pub trait KeyStore {
    fn get(&self, name: &str) -> Result<Option<String>>;
    fn set(&self, name: &str, value: &str) -> Result<()>;
}

/// A signing key with its certificate (and any CA chain that came with it).
#[derive(Clone)]
pub struct Identity {
    key: SigningKey,
    cert_der: Vec<u8>,
    chain: Vec<Vec<u8>>,
}

impl std::fmt::Debug for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Identity").field("subject", &self.subject()).field("key", &"<redacted>").finish()
    }
}

fn ie(what: &str) -> impl Fn(der::Error) -> Error + '_ {
    move |e| Error::Identity(format!("{what}: {e}"))
}

impl Identity {
    /// A new key and a self-signed certificate for `common_name`, valid for 5 years from `now`.
    pub fn generate(common_name: &str, now: DateTime<Utc>) -> Result<Identity> {
        let key = SigningKey::random(&mut rand_core::OsRng);
        let cn = common_name.replace([',', '+', '=', '"', '\\', '<', '>', ';'], " ");
        let subject: Name = format!("CN={},O=Runsheet self-signed", cn.trim())
            .parse()
            .map_err(ie("subject name"))?;
        let start = std::time::UNIX_EPOCH + std::time::Duration::from_secs(now.timestamp().max(0) as u64 - 60);
        let end = start + std::time::Duration::from_secs(5 * 365 * 24 * 3600);
        let validity = Validity {
            not_before: x509_cert::time::Time::try_from(start).map_err(ie("validity"))?,
            not_after: x509_cert::time::Time::try_from(end).map_err(ie("validity"))?,
        };
        let mut serial = [0u8; 16];
        rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut serial);
        serial[0] &= 0x7F;
        serial[0] |= 0x01;
        let serial = SerialNumber::new(&serial).map_err(ie("serial"))?;
        let spki = SubjectPublicKeyInfoOwned::from_key(*key.verifying_key())
            .map_err(|e| Error::Identity(format!("public key: {e}")))?;
        let mut b = CertificateBuilder::new(Profile::Manual { issuer: None }, serial, validity, subject, spki, &key)
            .map_err(|e| Error::Identity(format!("certificate builder: {e}")))?;
        b.add_extension(&BasicConstraints { ca: false, path_len_constraint: None })
            .map_err(|e| Error::Identity(format!("extension: {e}")))?;
        b.add_extension(&KeyUsage(KeyUsages::DigitalSignature | KeyUsages::NonRepudiation))
            .map_err(|e| Error::Identity(format!("extension: {e}")))?;
        let cert = b.build::<DerSignature>().map_err(|e| Error::Identity(format!("signing certificate: {e}")))?;
        let cert_der = cert.to_der().map_err(ie("certificate"))?;
        Ok(Identity { key, cert_der, chain: Vec::new() })
    }

    /// Key (PKCS#8 PEM) and certificate (PEM or DER) as stored.
    pub fn from_parts(key_pem: &str, cert: &[u8]) -> Result<Identity> {
        let key = SigningKey::from_pkcs8_pem(key_pem).map_err(|e| Error::Identity(format!("reading the P-256 key: {e}")))?;
        let cert_der = cert_to_der(cert)?;
        Identity::check(key, cert_der, Vec::new())
    }

    fn check(key: SigningKey, cert_der: Vec<u8>, chain: Vec<Vec<u8>>) -> Result<Identity> {
        let cert = Certificate::from_der(&cert_der).map_err(ie("parsing certificate"))?;
        let spki = SubjectPublicKeyInfoOwned::from_key(*key.verifying_key()).map_err(|e| Error::Identity(format!("public key: {e}")))?;
        if spki != cert.tbs_certificate.subject_public_key_info {
            return Err(Error::Identity("the certificate does not belong to the private key".into()));
        }
        Ok(Identity { key, cert_der, chain })
    }

    /// Import a PKCS#12 file (organisation CA): the first private key entry must be ECDSA P-256.
    pub fn from_pkcs12(bytes: &[u8], password: &str) -> Result<Identity> {
        let ks = p12_keystore::KeyStore::from_pkcs12(bytes, password, p12_keystore::Pkcs12ImportPolicy::Strict)
            .map_err(|e| Error::Identity(format!("reading PKCS#12 (wrong password?): {e}")))?;
        let (_, chain) = ks.private_key_chain().ok_or_else(|| Error::Identity("the PKCS#12 file holds no private key".into()))?;
        let key = SigningKey::from_pkcs8_der(chain.key().as_der())
            .map_err(|e| Error::Identity(format!("the PKCS#12 key is not an ECDSA P-256 key: {e}")))?;
        let certs: Vec<Vec<u8>> = chain.certs().iter().map(|c| c.as_der().to_vec()).collect();
        let (leaf, rest) = certs.split_first().ok_or_else(|| Error::Identity("the PKCS#12 file holds no certificate".into()))?;
        Identity::check(key, leaf.clone(), rest.to_vec())
    }

    pub fn cert_der(&self) -> &[u8] {
        &self.cert_der
    }

    /// Issuer certificates that came with an imported identity.
    pub fn chain_der(&self) -> &[Vec<u8>] {
        &self.chain
    }

    pub fn cert_pem(&self) -> Result<String> {
        let cert = Certificate::from_der(&self.cert_der).map_err(ie("certificate"))?;
        cert.to_pem(der::pem::LineEnding::LF).map_err(ie("certificate PEM"))
    }

    /// Hex SHA-256 of the certificate DER.
    pub fn fingerprint(&self) -> String {
        hex::encode(Sha256::digest(&self.cert_der))
    }

    /// The certificate subject's common name (or the whole subject when it has none).
    pub fn subject(&self) -> String {
        Certificate::from_der(&self.cert_der).map(|c| subject_cn(&c)).unwrap_or_else(|_| "unknown".into())
    }

    pub fn summary(&self) -> SignerSummary {
        SignerSummary { subject: self.subject(), fingerprint: self.fingerprint() }
    }

    /// ECDSA-SHA256 signature (DER) over `data`.
    pub fn sign_der(&self, data: &[u8]) -> Result<Vec<u8>> {
        let sig: DerSignature = self.key.try_sign(data).map_err(|e| Error::Sign(format!("ecdsa: {e}")))?;
        Ok(sig.as_bytes().to_vec())
    }

    /// Keep key and certificate in `store`.
    pub fn save(&self, store: &dyn KeyStore) -> Result<()> {
        let pem = self.key.to_pkcs8_pem(LineEnding::LF).map_err(|e| Error::Identity(format!("encoding key: {e}")))?;
        store.set(KEY_ENTRY, &pem)?;
        let mut certs = self.cert_pem()?;
        for c in &self.chain {
            let c = Certificate::from_der(c).map_err(ie("chain"))?;
            certs.push_str(&c.to_pem(der::pem::LineEnding::LF).map_err(ie("chain PEM"))?);
        }
        store.set(CERT_ENTRY, &certs)
    }

    /// The identity kept in `store`, if any.
    pub fn load(store: &dyn KeyStore) -> Result<Option<Identity>> {
        let (Some(key), Some(certs)) = (store.get(KEY_ENTRY)?, store.get(CERT_ENTRY)?) else {
            return Ok(None);
        };
        let key = SigningKey::from_pkcs8_pem(&key).map_err(|e| Error::Identity(format!("reading stored key: {e}")))?;
        let ders = pem_certs(&certs)?;
        let (leaf, rest) = ders.split_first().ok_or_else(|| Error::Identity("stored certificate is empty".into()))?;
        Identity::check(key, leaf.clone(), rest.to_vec()).map(Some)
    }
}

pub(crate) fn subject_cn(cert: &Certificate) -> String {
    const CN: der::asn1::ObjectIdentifier = der::asn1::ObjectIdentifier::new_unwrap("2.5.4.3");
    for rdn in cert.tbs_certificate.subject.0.iter() {
        for atv in rdn.0.iter() {
            if atv.oid == CN {
                if let Ok(s) = der::asn1::Utf8StringRef::try_from(&atv.value) {
                    return s.as_str().to_string();
                }
                if let Ok(s) = der::asn1::PrintableStringRef::try_from(&atv.value) {
                    return s.as_str().to_string();
                }
            }
        }
    }
    cert.tbs_certificate.subject.to_string()
}

fn pem_certs(text: &str) -> Result<Vec<Vec<u8>>> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("-----BEGIN CERTIFICATE-----") {
        let end_marker = "-----END CERTIFICATE-----";
        let end = rest[start..].find(end_marker).ok_or_else(|| Error::Identity("unterminated PEM certificate".into()))? + start + end_marker.len();
        let (_, der) = der::pem::decode_vec(rest[start..end].as_bytes()).map_err(|e| Error::Identity(format!("PEM: {e}")))?;
        out.push(der);
        rest = &rest[end..];
    }
    Ok(out)
}

fn cert_to_der(cert: &[u8]) -> Result<Vec<u8>> {
    if cert.starts_with(b"-----") {
        let text = std::str::from_utf8(cert).map_err(|_| Error::Identity("certificate PEM is not UTF-8".into()))?;
        pem_certs(text)?.into_iter().next().ok_or_else(|| Error::Identity("no certificate in PEM".into()))
    } else {
        Ok(cert.to_vec())
    }
}

/// An in-memory [`KeyStore`] for tests and for one-shot use (nothing persists).
#[derive(Debug, Default)]
pub struct MemoryKeyStore(std::sync::Mutex<std::collections::BTreeMap<String, String>>);

impl KeyStore for MemoryKeyStore {
    fn get(&self, name: &str) -> Result<Option<String>> {
        Ok(self.0.lock().map_err(|_| Error::KeyStore("poisoned".into()))?.get(name).cloned())
    }
    fn set(&self, name: &str, value: &str) -> Result<()> {
        self.0.lock().map_err(|_| Error::KeyStore("poisoned".into()))?.insert(name.into(), value.into());
        Ok(())
    }
}

/// The OS keyring (through runsheet-secrets) under its own service, so the signing key never shows up among the
/// probe secrets of `runsheet secret list`.
#[derive(Debug)]
pub struct KeyringKeyStore(runsheet_secrets::SecretStore);

/// Keyring service holding the signing identity.
pub const IDENTITY_SERVICE: &str = "runsheet-identity";

impl KeyringKeyStore {
    pub fn open() -> Result<KeyringKeyStore> {
        Self::with_service(IDENTITY_SERVICE)
    }

    /// Another service name (tests use their own).
    pub fn with_service(service: &str) -> Result<KeyringKeyStore> {
        runsheet_secrets::SecretStore::with_service(service).map(KeyringKeyStore).map_err(|e| Error::KeyStore(e.to_string()))
    }
}

impl KeyStore for KeyringKeyStore {
    fn get(&self, name: &str) -> Result<Option<String>> {
        match self.0.get(name) {
            Ok(v) => Ok(Some(v.into_inner())),
            Err(runsheet_secrets::SecretError::NotFound { .. }) => Ok(None),
            Err(e) => Err(Error::KeyStore(e.to_string())),
        }
    }
    fn set(&self, name: &str, value: &str) -> Result<()> {
        self.0.set(name, &runsheet_secrets::Sensitive::new(value.to_string())).map_err(|e| Error::KeyStore(e.to_string()))
    }
}

/// Certificate facts for `identity show`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CertInfo {
    pub subject: String,
    pub subject_dn: String,
    pub issuer_dn: String,
    pub self_signed: bool,
    pub serial: String,
    pub not_before: String,
    pub not_after: String,
    pub fingerprint_sha256: String,
    pub chain_len: usize,
}

impl Identity {
    pub fn info(&self) -> Result<CertInfo> {
        let c = Certificate::from_der(&self.cert_der).map_err(ie("certificate"))?;
        let tbs = &c.tbs_certificate;
        Ok(CertInfo {
            subject: subject_cn(&c),
            subject_dn: tbs.subject.to_string(),
            issuer_dn: tbs.issuer.to_string(),
            self_signed: tbs.subject == tbs.issuer,
            serial: hex::encode(tbs.serial_number.as_bytes()),
            not_before: tbs.validity.not_before.to_string(),
            not_after: tbs.validity.not_after.to_string(),
            fingerprint_sha256: self.fingerprint(),
            chain_len: self.chain.len(),
        })
    }
}
