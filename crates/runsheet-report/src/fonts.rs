//! The embedded fonts and per-character font routing: DejaVu Sans (regular, bold), DejaVu Sans Mono and a
//! symbol/emoji fallback (Symbola, cut down to the symbol blocks), all compiled into the binary so a report never
//! depends on the fonts of the machine that prints it.
//!
//! Every character is routed to the first font that has a glyph for it (the style's own font, then DejaVu Sans,
//! then Symbola). A character no font covers becomes a visible U+FFFD replacement, never a silent gap, so
//! `pdftotext` and the reader both see that something was there. Widths come from the fonts' `hmtx` tables, which
//! is what our own wrapping measures with. Colour emoji (CBDT) are out of scope: Symbola draws them in outline.

use ttf_parser::Face;

use crate::{Error, Result};

pub(crate) const DEJAVU_SANS: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");
pub(crate) const DEJAVU_SANS_BOLD: &[u8] = include_bytes!("../fonts/DejaVuSans-Bold.ttf");
pub(crate) const DEJAVU_SANS_MONO: &[u8] = include_bytes!("../fonts/DejaVuSansMono.ttf");
pub(crate) const SYMBOLA: &[u8] = include_bytes!("../fonts/Symbola-symbols.ttf");

/// Index into [`FontSet::faces`]; also the order fonts are registered with printpdf.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FontKind {
    Regular = 0,
    Bold = 1,
    Mono = 2,
    Symbol = 3,
}

impl FontKind {
    pub const ALL: [FontKind; 4] = [FontKind::Regular, FontKind::Bold, FontKind::Mono, FontKind::Symbol];

    pub(crate) fn bytes(self) -> &'static [u8] {
        match self {
            FontKind::Regular => DEJAVU_SANS,
            FontKind::Bold => DEJAVU_SANS_BOLD,
            FontKind::Mono => DEJAVU_SANS_MONO,
            FontKind::Symbol => SYMBOLA,
        }
    }
}

/// The parsed faces, used for glyph coverage and advance widths.
pub struct FontSet {
    faces: Vec<Face<'static>>,
}

impl std::fmt::Debug for FontSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FontSet").field("faces", &self.faces.len()).finish()
    }
}

/// A run of characters that all render in one font.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    pub font: FontKind,
    pub text: String,
}

/// Characters that only modify their neighbour (variation selectors, zero-width joiner): they have no glyph of
/// their own, so they are not drawn and not replaced.
fn is_invisible_modifier(c: char) -> bool {
    matches!(c, '\u{FE00}'..='\u{FE0F}' | '\u{200D}' | '\u{200B}' | '\u{2060}' | '\u{E0100}'..='\u{E01EF}')
}

impl FontSet {
    pub fn load() -> Result<Self> {
        let faces = FontKind::ALL
            .iter()
            .map(|k| Face::parse(k.bytes(), 0).map_err(|e| Error::Font(format!("parsing embedded font {k:?}: {e}"))))
            .collect::<Result<Vec<_>>>()?;
        Ok(FontSet { faces })
    }

    fn face(&self, k: FontKind) -> &Face<'static> {
        &self.faces[k as usize]
    }

    fn has(&self, k: FontKind, c: char) -> bool {
        self.face(k).glyph_index(c).is_some_and(|g| g.0 != 0)
    }

    /// The font that will draw `c` for text styled with `primary`, or None when no embedded font has it.
    pub fn route(&self, primary: FontKind, c: char) -> Option<FontKind> {
        if c == ' ' {
            return Some(primary);
        }
        let chain: &[FontKind] = match primary {
            FontKind::Regular => &[FontKind::Regular, FontKind::Symbol],
            FontKind::Bold => &[FontKind::Bold, FontKind::Regular, FontKind::Symbol],
            FontKind::Mono => &[FontKind::Mono, FontKind::Regular, FontKind::Symbol],
            FontKind::Symbol => &[FontKind::Symbol, FontKind::Regular],
        };
        chain.iter().copied().find(|k| self.has(*k, c))
    }

    /// Split `text` into font runs; control characters become spaces, uncovered characters U+FFFD.
    pub fn runs(&self, primary: FontKind, text: &str) -> Vec<Run> {
        let mut out: Vec<Run> = Vec::new();
        for c in text.chars() {
            if is_invisible_modifier(c) {
                continue;
            }
            let c = if c.is_control() { ' ' } else { c };
            let (font, c) = match self.route(primary, c) {
                Some(f) => (f, c),
                None => (FontKind::Regular, '\u{FFFD}'),
            };
            match out.last_mut() {
                Some(r) if r.font == font => r.text.push(c),
                _ => out.push(Run { font, text: c.to_string() }),
            }
        }
        out
    }

    /// Advance width of one character in points at `size`, after routing.
    pub fn char_width(&self, primary: FontKind, c: char, size: f32) -> f32 {
        if is_invisible_modifier(c) {
            return 0.0;
        }
        let c = if c.is_control() { ' ' } else { c };
        let (font, c) = match self.route(primary, c) {
            Some(f) => (f, c),
            None => (FontKind::Regular, '\u{FFFD}'),
        };
        let face = self.face(font);
        let adv = face.glyph_index(c).and_then(|g| face.glyph_hor_advance(g)).unwrap_or(0);
        adv as f32 * size / face.units_per_em() as f32
    }

    /// Width of `text` in points.
    pub fn width(&self, primary: FontKind, text: &str, size: f32) -> f32 {
        text.chars().map(|c| self.char_width(primary, c, size)).sum()
    }

    /// Greedy word wrap into lines no wider than `max` points; words longer than a line are broken by character.
    pub fn wrap(&self, primary: FontKind, text: &str, size: f32, max: f32) -> Vec<String> {
        let mut lines = Vec::new();
        for para in text.split('\n') {
            let mut line = String::new();
            let mut line_w = 0.0f32;
            let space_w = self.char_width(primary, ' ', size);
            for word in para.split(' ').filter(|w| !w.is_empty()) {
                let w = self.width(primary, word, size);
                let extra = if line.is_empty() { w } else { space_w + w };
                if line_w + extra <= max {
                    if !line.is_empty() {
                        line.push(' ');
                    }
                    line.push_str(word);
                    line_w += extra;
                    continue;
                }
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                    line_w = 0.0;
                }
                if w <= max {
                    line.push_str(word);
                    line_w = w;
                } else {
                    for c in word.chars() {
                        let cw = self.char_width(primary, c, size);
                        if line_w + cw > max && !line.is_empty() {
                            lines.push(std::mem::take(&mut line));
                            line_w = 0.0;
                        }
                        line.push(c);
                        line_w += cw;
                    }
                }
            }
            lines.push(line);
        }
        lines
    }

    /// Cut `text` to fit `max` points, ending in an ellipsis when cut.
    pub fn ellipsize(&self, primary: FontKind, text: &str, size: f32, max: f32) -> String {
        if self.width(primary, text, size) <= max {
            return text.to_string();
        }
        let ell = self.char_width(primary, '…', size);
        let mut out = String::new();
        let mut w = 0.0;
        for c in text.chars() {
            let cw = self.char_width(primary, c, size);
            if w + cw + ell > max {
                break;
            }
            out.push(c);
            w += cw;
        }
        out.push('…');
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_emoji_to_symbol_font_and_replaces_unknown() {
        let f = FontSet::load().unwrap();
        let runs = f.runs(FontKind::Bold, "Deploy 🚀 now");
        assert_eq!(runs.len(), 3, "bold text, the rocket from the symbol font, bold text again: {runs:?}");
        assert_eq!(runs[1].font, FontKind::Symbol);
        // A private-use code point no embedded font has must stay visible as a replacement character.
        let runs = f.runs(FontKind::Regular, "a\u{F8FF}b");
        let joined: String = runs.iter().map(|r| r.text.as_str()).collect();
        assert_eq!(joined, "a\u{FFFD}b");
        // Variation selectors are dropped, not replaced.
        let joined: String = f.runs(FontKind::Regular, "✅\u{FE0F}").iter().map(|r| r.text.clone()).collect();
        assert_eq!(joined, "✅");
    }

    #[test]
    fn wraps_by_measured_width() {
        let f = FontSet::load().unwrap();
        let text = "the quick brown fox jumps over the lazy dog ".repeat(5);
        let lines = f.wrap(FontKind::Regular, &text, 10.0, 150.0);
        assert!(lines.len() > 3);
        for l in &lines {
            assert!(f.width(FontKind::Regular, l, 10.0) <= 150.0, "line too wide: {l}");
        }
        let long = "x".repeat(200);
        assert!(f.wrap(FontKind::Mono, &long, 10.0, 100.0).len() > 1, "an unbreakable word is broken by character");
    }
}
