//! The run log attachment and the PAdES baseline B-B signature, both as incremental updates of a rendered PDF.
//!
//! [`attach_file`] adds an embedded file (EmbeddedFiles name tree plus the catalog's `/AF` associated files) and a
//! clean document information dictionary. [`sign`] appends a `/Sig` dictionary (`/SubFilter
//! /ETSI.CAdES.detached`) with a fixed-width `/ByteRange` and a zero-filled `/Contents` placeholder, an invisible
//! signature field in `/AcroForm`, hashes the two byte ranges and writes a detached CMS SignedData (ECDSA P-256,
//! SHA-256) with the signed attributes content-type, message-digest and signing-certificate-v2. As PAdES requires,
//! the claimed signing time is the dictionary's `/M`, not a CMS signing-time attribute. No timestamps (B-T) or
//! revocation data (B-LT) here.

use chrono::{DateTime, Utc};
use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, DigestAlgorithmIdentifiers, EncapsulatedContentInfo, SignedAttributes, SignedData, SignerIdentifier,
    SignerInfo, SignerInfos,
};
use der::asn1::{ObjectIdentifier, OctetString, SetOfVec};
use der::{Any, Decode, Encode};
use lopdf::{Dictionary, Object, StringFormat};
use sha2::{Digest, Sha256};
use spki::AlgorithmIdentifierOwned;
use x509_cert::attr::Attribute;
use x509_cert::Certificate;

use crate::identity::Identity;
use crate::pdfobj::{self, find, pdf_date, text_string, Update};
use crate::{Error, Result};

pub(crate) const OID_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
pub(crate) const OID_SIGNED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");
pub(crate) const OID_CONTENT_TYPE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.3");
pub(crate) const OID_MESSAGE_DIGEST: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.4");
pub(crate) const OID_SIGNING_CERT_V2: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.47");
pub(crate) const OID_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
pub(crate) const OID_ECDSA_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");

/// Bytes reserved for the CMS blob (hex-encoded in the file, so twice this many characters).
const CONTENTS_BYTES: usize = 8192;
const BYTERANGE_PLACEHOLDER: &str = "[0 ********** ********** **********]";

/// Attach `data` as an embedded file named `name` and return the updated PDF. Also replaces the document
/// information dictionary with one that carries no PDF/X claim (printpdf writes one by default).
pub fn attach_file(pdf: &[u8], name: &str, mime: &str, data: &[u8], description: &str, now: DateTime<Utc>) -> Result<Vec<u8>> {
    let base = pdfobj::load(pdf)?;
    let mut catalog = base
        .doc
        .get_dictionary(base.root)
        .map_err(|e| Error::Pdf(format!("reading the catalog: {e}")))?
        .clone();
    let mut up = Update::new(pdf);
    let (file_id, spec_id, info_id) = (base.next_id, base.next_id + 1, base.info.map(|i| i.0).unwrap_or(base.next_id + 2));

    let mut compressed = Vec::new();
    {
        use std::io::Write;
        let mut z = flate2::write::ZlibEncoder::new(&mut compressed, flate2::Compression::default());
        z.write_all(data).and_then(|_| z.finish().map(|_| ())).map_err(|e| Error::Pdf(format!("compressing attachment: {e}")))?;
    }
    let mut params = Dictionary::new();
    params.set("Size", Object::Integer(data.len() as i64));
    params.set("ModDate", Object::String(pdf_date(&now).into_bytes(), StringFormat::Literal));
    params.set("CreationDate", Object::String(pdf_date(&now).into_bytes(), StringFormat::Literal));
    let mut fdict = Dictionary::new();
    fdict.set("Type", Object::Name(b"EmbeddedFile".to_vec()));
    fdict.set("Subtype", Object::Name(mime.as_bytes().to_vec()));
    fdict.set("Params", Object::Dictionary(params));
    fdict.set("Filter", Object::Name(b"FlateDecode".to_vec()));
    fdict.set("Length", Object::Integer(compressed.len() as i64));
    let mut body = pdfobj::serialize(&Object::Dictionary(fdict));
    body.extend_from_slice(b"\nstream\n");
    body.extend_from_slice(&compressed);
    body.extend_from_slice(b"\nendstream");
    up.raw(file_id, &body);

    let mut ef = Dictionary::new();
    ef.set("F", Object::Reference((file_id, 0)));
    ef.set("UF", Object::Reference((file_id, 0)));
    let mut spec = Dictionary::new();
    spec.set("Type", Object::Name(b"Filespec".to_vec()));
    spec.set("F", Object::String(name.as_bytes().to_vec(), StringFormat::Literal));
    spec.set("UF", text_string(name));
    spec.set("Desc", text_string(description));
    spec.set("AFRelationship", Object::Name(b"Data".to_vec()));
    spec.set("EF", Object::Dictionary(ef));
    up.object(spec_id, &Object::Dictionary(spec));

    let mut embedded = Dictionary::new();
    embedded.set(
        "Names",
        Object::Array(vec![Object::String(name.as_bytes().to_vec(), StringFormat::Literal), Object::Reference((spec_id, 0))]),
    );
    let mut names = match catalog.get(b"Names").ok().map(|n| base.doc.dereference(n)) {
        Some(Ok((_, Object::Dictionary(d)))) => d.clone(),
        _ => Dictionary::new(),
    };
    names.set("EmbeddedFiles", Object::Dictionary(embedded));
    catalog.set("Names", Object::Dictionary(names));
    catalog.set("AF", Object::Array(vec![Object::Reference((spec_id, 0))]));
    catalog.set("PageMode", Object::Name(b"UseAttachments".to_vec()));
    up.object(base.root.0, &Object::Dictionary(catalog));

    let mut info = match base.info.and_then(|i| base.doc.get_dictionary(i).ok()) {
        Some(d) => d.clone(),
        None => Dictionary::new(),
    };
    info.remove(b"GTS_PDFXVersion");
    info.remove(b"Trapped");
    info.set("ModDate", Object::String(pdf_date(&now).into_bytes(), StringFormat::Literal));
    up.object(info_id, &Object::Dictionary(info));
    Ok(up.finish(&base, Some((info_id, 0))))
}

/// Sign `pdf` in place (as an incremental update) with `identity`; the signature covers the whole result.
pub fn sign(pdf: &[u8], identity: &Identity, now: DateTime<Utc>, reason: &str) -> Result<Vec<u8>> {
    let base = pdfobj::load(pdf)?;
    let mut catalog = base
        .doc
        .get_dictionary(base.root)
        .map_err(|e| Error::Pdf(format!("reading the catalog: {e}")))?
        .clone();
    let pages = base.doc.get_pages();
    let (&_, &page_id) = pages.iter().next().ok_or_else(|| Error::Pdf("the document has no pages".into()))?;
    let mut page = base.doc.get_dictionary(page_id).map_err(|e| Error::Pdf(format!("reading page 1: {e}")))?.clone();
    let sig_id = base.next_id;
    let field_id = base.next_id + 1;

    let mut up = Update::new(pdf);
    // The signature dictionary is written by hand so the placeholders sit at offsets we can find again.
    let mut sig = format!(
        "<</Type/Sig/Filter/Adobe.PPKLite/SubFilter/ETSI.CAdES.detached/M({})/Name",
        pdf_date(&now)
    )
    .into_bytes();
    sig.extend_from_slice(&pdfobj::serialize(&text_string(&identity.subject())));
    sig.extend_from_slice(b"/Reason");
    sig.extend_from_slice(&pdfobj::serialize(&text_string(reason)));
    sig.extend_from_slice(format!("/ByteRange{BYTERANGE_PLACEHOLDER}/Contents<").as_bytes());
    sig.extend(std::iter::repeat_n(b'0', CONTENTS_BYTES * 2));
    sig.extend_from_slice(b">>>");
    let sig_at = up.raw(sig_id, &sig);

    let mut field = Dictionary::new();
    field.set("Type", Object::Name(b"Annot".to_vec()));
    field.set("Subtype", Object::Name(b"Widget".to_vec()));
    field.set("FT", Object::Name(b"Sig".to_vec()));
    field.set("T", text_string("Runsheet signature"));
    field.set("V", Object::Reference((sig_id, 0)));
    field.set("F", Object::Integer(132)); // print + locked
    field.set("Rect", Object::Array(vec![0.into(), 0.into(), 0.into(), 0.into()]));
    field.set("P", Object::Reference(page_id));
    up.object(field_id, &Object::Dictionary(field));

    let mut annots = match page.get(b"Annots").ok().map(|a| base.doc.dereference(a)) {
        Some(Ok((_, Object::Array(a)))) => a.clone(),
        _ => Vec::new(),
    };
    annots.push(Object::Reference((field_id, 0)));
    page.set("Annots", Object::Array(annots));
    up.object(page_id.0, &Object::Dictionary(page));

    let mut fields = match catalog.get(b"AcroForm").ok().map(|a| base.doc.dereference(a)) {
        Some(Ok((_, Object::Dictionary(d)))) => match d.get(b"Fields").ok().map(|f| base.doc.dereference(f)) {
            Some(Ok((_, Object::Array(a)))) => a.clone(),
            _ => Vec::new(),
        },
        _ => Vec::new(),
    };
    fields.push(Object::Reference((field_id, 0)));
    let mut acro = Dictionary::new();
    acro.set("Fields", Object::Array(fields));
    acro.set("SigFlags", Object::Integer(3));
    catalog.set("AcroForm", Object::Dictionary(acro));
    up.object(base.root.0, &Object::Dictionary(catalog));

    let mut out = up.finish(&base, None);

    // Patch the byte range and fill in the signature.
    let br_at = find(&out, BYTERANGE_PLACEHOLDER.as_bytes(), sig_at).ok_or_else(|| Error::Sign("byte range placeholder lost".into()))?;
    let c_start = find(&out, b"/Contents<", sig_at).ok_or_else(|| Error::Sign("contents placeholder lost".into()))? + 9;
    let c_end = c_start + CONTENTS_BYTES * 2 + 2;
    let ranges = [0, c_start, c_end, out.len() - c_end];
    let mut br = format!("[{} {} {} {}]", ranges[0], ranges[1], ranges[2], ranges[3]);
    if br.len() > BYTERANGE_PLACEHOLDER.len() {
        return Err(Error::Sign("file too large for the byte range placeholder".into()));
    }
    while br.len() < BYTERANGE_PLACEHOLDER.len() {
        br.push(' ');
    }
    out[br_at..br_at + br.len()].copy_from_slice(br.as_bytes());
    let mut h = Sha256::new();
    h.update(&out[..c_start]);
    h.update(&out[c_end..]);
    let digest = h.finalize();
    let cms = cms_sign(&digest, identity)?;
    if cms.len() > CONTENTS_BYTES {
        return Err(Error::Sign(format!("signature of {} bytes does not fit the {CONTENTS_BYTES}-byte placeholder", cms.len())));
    }
    let hexed = hex::encode_upper(&cms);
    out[c_start + 1..c_start + 1 + hexed.len()].copy_from_slice(hexed.as_bytes());
    Ok(out)
}

fn attr(oid: ObjectIdentifier, value_der: &[u8]) -> Result<Attribute> {
    let v = Any::from_der(value_der).map_err(|e| Error::Sign(format!("encoding attribute {oid}: {e}")))?;
    let mut values = SetOfVec::new();
    values.insert(v).map_err(|e| Error::Sign(format!("encoding attribute {oid}: {e}")))?;
    Ok(Attribute { oid, values })
}

/// DER tag-length-value.
pub(crate) fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let n = content.len();
    if n < 0x80 {
        out.push(n as u8);
    } else {
        let bytes: Vec<u8> = n.to_be_bytes().iter().copied().skip_while(|b| *b == 0).collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend_from_slice(&bytes);
    }
    out.extend_from_slice(content);
    out
}

/// signing-certificate-v2 (RFC 5035): SEQUENCE { SEQUENCE OF ESSCertIDv2 { certHash, issuerSerial } }, with the
/// hash algorithm left at its DEFAULT (SHA-256) and therefore omitted, as DER requires.
fn signing_certificate_v2(cert: &Certificate, cert_der: &[u8]) -> Result<Vec<u8>> {
    let hash = Sha256::digest(cert_der);
    let issuer = cert.tbs_certificate.issuer.to_der().map_err(|e| Error::Sign(format!("encoding issuer: {e}")))?;
    let serial = cert.tbs_certificate.serial_number.to_der().map_err(|e| Error::Sign(format!("encoding serial: {e}")))?;
    let general_names = tlv(0x30, &tlv(0xA4, &issuer));
    let mut issuer_serial = general_names;
    issuer_serial.extend_from_slice(&serial);
    let mut ess = tlv(0x04, &hash);
    ess.extend_from_slice(&tlv(0x30, &issuer_serial));
    Ok(tlv(0x30, &tlv(0x30, &tlv(0x30, &ess))))
}

fn alg(oid: ObjectIdentifier) -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned { oid, parameters: None }
}

/// Detached CMS SignedData over a precomputed SHA-256 `digest`.
pub(crate) fn cms_sign(digest: &[u8], identity: &Identity) -> Result<Vec<u8>> {
    let cert_der = identity.cert_der();
    let cert = Certificate::from_der(cert_der).map_err(|e| Error::Sign(format!("parsing certificate: {e}")))?;
    let e = |what: &str, err: der::Error| Error::Sign(format!("{what}: {err}"));
    let mut attrs = SetOfVec::new();
    attrs.insert(attr(OID_CONTENT_TYPE, &OID_DATA.to_der().map_err(|x| e("content type", x))?)?).map_err(|x| e("attrs", x))?;
    let md = OctetString::new(digest.to_vec()).map_err(|x| e("digest", x))?;
    attrs.insert(attr(OID_MESSAGE_DIGEST, &md.to_der().map_err(|x| e("digest", x))?)?).map_err(|x| e("attrs", x))?;
    attrs.insert(attr(OID_SIGNING_CERT_V2, &signing_certificate_v2(&cert, cert_der)?)?).map_err(|x| e("attrs", x))?;
    let signed_attrs: SignedAttributes = attrs;
    let to_sign = signed_attrs.to_der().map_err(|x| e("signed attributes", x))?;
    let signature = identity.sign_der(&to_sign)?;

    let signer = SignerInfo {
        version: CmsVersion::V1,
        sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
            issuer: cert.tbs_certificate.issuer.clone(),
            serial_number: cert.tbs_certificate.serial_number.clone(),
        }),
        digest_alg: alg(OID_SHA256),
        signed_attrs: Some(signed_attrs),
        signature_algorithm: alg(OID_ECDSA_SHA256),
        signature: OctetString::new(signature).map_err(|x| e("signature", x))?,
        unsigned_attrs: None,
    };
    let mut digest_algorithms: DigestAlgorithmIdentifiers = SetOfVec::new();
    digest_algorithms.insert(alg(OID_SHA256)).map_err(|x| e("digest algorithms", x))?;
    let mut certs = SetOfVec::new();
    certs.insert(CertificateChoices::Certificate(cert.clone())).map_err(|x| e("certificates", x))?;
    for extra in identity.chain_der() {
        let c = Certificate::from_der(extra).map_err(|x| e("chain certificate", x))?;
        certs.insert(CertificateChoices::Certificate(c)).map_err(|x| e("certificates", x))?;
    }
    let mut signer_infos = SetOfVec::new();
    signer_infos.insert(signer).map_err(|x| e("signer infos", x))?;
    let sd = SignedData {
        version: CmsVersion::V1,
        digest_algorithms,
        encap_content_info: EncapsulatedContentInfo { econtent_type: OID_DATA, econtent: None },
        certificates: Some(CertificateSet(certs)),
        crls: None,
        signer_infos: SignerInfos(signer_infos),
    };
    let content = Any::encode_from(&sd).map_err(|x| e("signed data", x))?;
    ContentInfo { content_type: OID_SIGNED_DATA, content }.to_der().map_err(|x| e("content info", x))
}
