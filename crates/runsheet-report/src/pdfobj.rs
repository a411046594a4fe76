//! A small writer for PDF incremental updates: appends new or replaced objects, a classic cross-reference
//! section and a trailer chained to the previous one with `/Prev`, leaving every earlier byte untouched (which is
//! what lets a signature cover an earlier revision, and what lets a verifier see anything appended later).
//!
//! Parsing is lopdf's; this writes objects with lopdf's serializer, except where the caller supplies raw bytes
//! (the signature dictionary, whose placeholders must sit at known offsets).

use lopdf::{Dictionary, Object, ObjectId, StringFormat};

use crate::{Error, Result};

/// Facts about the last revision that an update needs.
#[derive(Debug, Clone)]
pub(crate) struct Base {
    pub doc: lopdf::Document,
    pub root: ObjectId,
    pub info: Option<ObjectId>,
    pub id: Option<Object>,
    pub prev_xref: usize,
    pub next_id: u32,
}

pub(crate) fn load(pdf: &[u8]) -> Result<Base> {
    let doc = lopdf::Document::load_mem(pdf).map_err(|e| Error::Pdf(format!("parsing pdf: {e}")))?;
    let root = doc
        .trailer
        .get(b"Root")
        .and_then(Object::as_reference)
        .map_err(|_| Error::Pdf("trailer has no /Root reference".into()))?;
    let info = doc.trailer.get(b"Info").and_then(Object::as_reference).ok();
    let id = doc.trailer.get(b"ID").ok().cloned();
    let size = doc.trailer.get(b"Size").and_then(Object::as_i64).unwrap_or(0).max(0) as u32;
    let next_id = size.max(doc.max_id + 1);
    let prev_xref = startxref(pdf)?;
    Ok(Base { doc, root, info, id, prev_xref, next_id })
}

/// The offset after the last `startxref`.
pub(crate) fn startxref(pdf: &[u8]) -> Result<usize> {
    let tail_start = pdf.len().saturating_sub(1024);
    let tail = &pdf[tail_start..];
    let pos = rfind(tail, b"startxref").ok_or_else(|| Error::Pdf("no startxref".into()))?;
    let rest = &tail[pos + 9..];
    let digits: String = rest.iter().map(|b| *b as char).skip_while(|c| c.is_whitespace()).take_while(char::is_ascii_digit).collect();
    digits.parse().map_err(|_| Error::Pdf("startxref is not a number".into()))
}

pub(crate) fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.len() > hay.len() {
        return None;
    }
    (0..=hay.len() - needle.len()).rev().find(|&i| &hay[i..i + needle.len()] == needle)
}

pub(crate) fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if needle.len() > hay.len() {
        return None;
    }
    (from..=hay.len() - needle.len()).find(|&i| &hay[i..i + needle.len()] == needle)
}

/// Serialize a direct object (streams are written by the caller as raw bytes; a stream here writes its dictionary
/// only, which never happens for the objects this crate writes).
pub(crate) fn serialize(obj: &Object) -> Vec<u8> {
    let mut out = Vec::new();
    write(&mut out, obj);
    out
}

fn write(out: &mut Vec<u8>, obj: &Object) {
    match obj {
        Object::Null => out.extend_from_slice(b"null"),
        Object::Boolean(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Object::Integer(i) => out.extend_from_slice(i.to_string().as_bytes()),
        Object::Real(r) => out.extend_from_slice(format!("{r}").as_bytes()),
        Object::Name(n) => write_name(out, n),
        Object::String(s, StringFormat::Hexadecimal) => {
            out.push(b'<');
            out.extend_from_slice(hex::encode_upper(s).as_bytes());
            out.push(b'>');
        }
        Object::String(s, StringFormat::Literal) => {
            out.push(b'(');
            for &b in s {
                match b {
                    b'(' | b')' | b'\\' => {
                        out.push(b'\\');
                        out.push(b);
                    }
                    b'\r' => out.extend_from_slice(b"\\r"),
                    b'\n' => out.extend_from_slice(b"\\n"),
                    _ => out.push(b),
                }
            }
            out.push(b')');
        }
        Object::Array(a) => {
            out.push(b'[');
            for (i, o) in a.iter().enumerate() {
                if i > 0 {
                    out.push(b' ');
                }
                write(out, o);
            }
            out.push(b']');
        }
        Object::Dictionary(d) => write_dict(out, d),
        Object::Stream(s) => write_dict(out, &s.dict),
        Object::Reference((id, gen)) => out.extend_from_slice(format!("{id} {gen} R").as_bytes()),
    }
}

fn write_dict(out: &mut Vec<u8>, d: &Dictionary) {
    out.extend_from_slice(b"<<");
    for (k, v) in d.iter() {
        write_name(out, k);
        out.push(b' ');
        write(out, v);
    }
    out.extend_from_slice(b">>");
}

fn write_name(out: &mut Vec<u8>, name: &[u8]) {
    out.push(b'/');
    for &b in name {
        if b"()<>[]{}/%#".contains(&b) || !(33..=126).contains(&b) {
            out.extend_from_slice(format!("#{b:02X}").as_bytes());
        } else {
            out.push(b);
        }
    }
}

/// An incremental update being assembled on top of `original`.
pub(crate) struct Update {
    pub out: Vec<u8>,
    offsets: Vec<(u32, usize)>,
}

impl Update {
    pub fn new(original: &[u8]) -> Update {
        let mut out = original.to_vec();
        if !out.ends_with(b"\n") {
            out.push(b'\n');
        }
        Update { out, offsets: Vec::new() }
    }

    /// Append `id 0 obj <body> endobj`; returns the offset of the body.
    pub fn raw(&mut self, id: u32, body: &[u8]) -> usize {
        self.offsets.push((id, self.out.len()));
        self.out.extend_from_slice(format!("{id} 0 obj\n").as_bytes());
        let at = self.out.len();
        self.out.extend_from_slice(body);
        self.out.extend_from_slice(b"\nendobj\n");
        at
    }

    pub fn object(&mut self, id: u32, obj: &Object) {
        let body = serialize(obj);
        self.raw(id, &body);
    }

    /// Cross-reference section and trailer; finishes the file.
    pub fn finish(mut self, base: &Base, info: Option<ObjectId>) -> Vec<u8> {
        let xref_at = self.out.len();
        let mut entries = self.offsets.clone();
        entries.sort();
        entries.dedup_by_key(|e| e.0);
        let mut x = String::from("xref\n");
        let mut i = 0;
        while i < entries.len() {
            let mut j = i;
            while j + 1 < entries.len() && entries[j + 1].0 == entries[j].0 + 1 {
                j += 1;
            }
            x.push_str(&format!("{} {}\n", entries[i].0, j - i + 1));
            for e in &entries[i..=j] {
                x.push_str(&format!("{:010} 00000 n\r\n", e.1));
            }
            i = j + 1;
        }
        self.out.extend_from_slice(x.as_bytes());
        let max = entries.iter().map(|e| e.0 + 1).max().unwrap_or(0).max(base.next_id);
        let mut t = Dictionary::new();
        t.set("Size", Object::Integer(i64::from(max)));
        t.set("Root", Object::Reference(base.root));
        if let Some(i) = info.or(base.info) {
            t.set("Info", Object::Reference(i));
        }
        if let Some(id) = &base.id {
            t.set("ID", id.clone());
        }
        t.set("Prev", Object::Integer(base.prev_xref as i64));
        self.out.extend_from_slice(b"trailer\n");
        self.out.extend_from_slice(&serialize(&Object::Dictionary(t)));
        self.out.extend_from_slice(format!("\nstartxref\n{xref_at}\n%%EOF\n").as_bytes());
        self.out
    }
}

/// PDF date string `D:YYYYMMDDHHmmSS+00'00'`.
pub(crate) fn pdf_date(t: &chrono::DateTime<chrono::Utc>) -> String {
    format!("D:{}+00'00'", t.format("%Y%m%d%H%M%S"))
}

/// A text string as UTF-16BE with BOM (any Unicode is safe in PDF text strings this way).
pub(crate) fn text_string(s: &str) -> Object {
    if s.is_ascii() {
        return Object::String(s.as_bytes().to_vec(), lopdf::StringFormat::Literal);
    }
    let mut b = vec![0xFE, 0xFF];
    for u in s.encode_utf16() {
        b.extend_from_slice(&u.to_be_bytes());
    }
    Object::String(b, lopdf::StringFormat::Hexadecimal)
}
