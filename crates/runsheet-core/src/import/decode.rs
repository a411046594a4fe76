//! Bytes to text for [`super::parse_bytes`]: UTF-8 (BOM stripped), UTF-16 with BOM, else Windows-1252.
//! Refuses binary data instead of guessing at it.

use std::borrow::Cow;

use super::{ImportError, Result};

/// Windows-1252 code points for bytes 0x80..=0x9F (U+FFFD where the code page leaves a hole).
const CP1252_HIGH: [char; 32] = [
    '€', '\u{FFFD}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{FFFD}', 'Ž', '\u{FFFD}',
    '\u{FFFD}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{FFFD}', 'ž', 'Ÿ',
];

pub(super) fn decode<'a>(name: &str, bytes: &'a [u8]) -> Result<Cow<'a, str>> {
    let not_text = |message: &str| ImportError::NotText { name: name.to_string(), message: message.to_string() };
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return std::str::from_utf8(rest).map(Cow::Borrowed).map_err(|e| {
            ImportError::NotText { name: name.to_string(), message: format!("UTF-8 byte order mark but invalid UTF-8: {e}") }
        });
    }
    let utf16 = |rest: &[u8], le: bool| -> Result<Cow<'a, str>> {
        if !rest.len().is_multiple_of(2) {
            return Err(not_text("UTF-16 byte order mark but an odd number of bytes"));
        }
        let units = rest.chunks_exact(2).map(|p| if le { u16::from_le_bytes([p[0], p[1]]) } else { u16::from_be_bytes([p[0], p[1]]) });
        char::decode_utf16(units)
            .collect::<std::result::Result<String, _>>()
            .map(Cow::Owned)
            .map_err(|e| not_text(&format!("invalid UTF-16: {e}")))
    };
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        return utf16(rest, true);
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        return utf16(rest, false);
    }
    if let Some(pos) = bytes.iter().position(|b| *b == 0) {
        return Err(not_text(&format!("NUL byte at offset {pos} (binary data?)")));
    }
    let control = bytes.iter().filter(|b| **b < 0x20 && !matches!(**b, b'\t' | b'\n' | b'\r' | 0x0C)).count();
    if control > 0 && control * 100 > bytes.len() {
        return Err(not_text(&format!("{control} control characters in {} bytes (binary data?)", bytes.len())));
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(Cow::Borrowed(s)),
        Err(_) => Ok(Cow::Owned(
            bytes
                .iter()
                .map(|&b| match b {
                    0x80..=0x9F => CP1252_HIGH[usize::from(b - 0x80)],
                    _ => char::from(b),
                })
                .collect(),
        )),
    }
}
