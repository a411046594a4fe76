//! Lays out a [`ReportInput`] as PDF pages with printpdf: cover (run metadata, outcome, chain head, signer),
//! per-phase summary with progress bars, timeline of planned versus actual times, every item with its status,
//! who/when, notes, waiver and evidence, the sign-off block, and "Page i of N" on every page.
//!
//! printpdf has no text layout: this module measures glyph widths ([`FontSet`]), wraps and paginates itself and
//! routes every character to a font that has it. No signing or attachment here (see `pades`).

use chrono::{DateTime, Utc};
use printpdf::{
    Color, FontId, LinePoint, Mm, Op, PaintMode, ParsedFont, PdfDocument, PdfFontHandle, PdfPage, PdfSaveOptions,
    Point, Pt, Rect, Rgb, TextItem, TextMatrix,
};
use runsheet_core::event::{GateMode, ItemState};
use runsheet_core::signoff::Blocker;

use crate::fonts::{FontKind, FontSet};
use crate::input::{EvidenceRow, ItemReport, PhaseReport, ReportInput};
use crate::{Error, Result};

/// Paper size of the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Paper {
    #[default]
    A4,
    Letter,
}

impl Paper {
    /// (width, height) in points.
    pub fn size(self) -> (f32, f32) {
        match self {
            Paper::A4 => (595.28, 841.89),
            Paper::Letter => (612.0, 792.0),
        }
    }
}

impl std::str::FromStr for Paper {
    type Err = Error;
    fn from_str(s: &str) -> Result<Paper> {
        match s.to_ascii_lowercase().as_str() {
            "a4" => Ok(Paper::A4),
            "letter" => Ok(Paper::Letter),
            other => Err(Error::Input(format!("unknown paper size `{other}` (a4 or letter)"))),
        }
    }
}

/// Who signs the report, shown on the cover (the signature itself is added later).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignerSummary {
    pub subject: String,
    /// Hex SHA-256 of the certificate DER.
    pub fingerprint: String,
}

const MARGIN_X: f32 = 50.0;
const MARGIN_TOP: f32 = 60.0;
const MARGIN_BOTTOM: f32 = 56.0;

type Rgb3 = (f32, f32, f32);
const BLACK: Rgb3 = (0.1, 0.1, 0.12);
const GREY: Rgb3 = (0.42, 0.44, 0.48);
const LIGHT: Rgb3 = (0.88, 0.89, 0.91);
const GREEN: Rgb3 = (0.13, 0.55, 0.27);
const RED: Rgb3 = (0.78, 0.16, 0.16);
const AMBER: Rgb3 = (0.80, 0.52, 0.05);
const BLUE: Rgb3 = (0.16, 0.36, 0.68);
const PURPLE: Rgb3 = (0.50, 0.30, 0.65);

fn color(c: Rgb3) -> Color {
    Color::Rgb(Rgb::new(c.0, c.1, c.2, None))
}

struct Canvas<'f> {
    fonts: &'f FontSet,
    ids: Vec<FontId>,
    w: f32,
    h: f32,
    pages: Vec<Vec<Op>>,
    /// Page that drawing goes to.
    cur: usize,
    /// Current baseline position measured from the top of the page.
    y: f32,
}

impl<'f> Canvas<'f> {
    fn ops(&mut self) -> &mut Vec<Op> {
        if self.pages.is_empty() {
            self.pages.push(Vec::new());
        }
        let n = self.cur.min(self.pages.len() - 1);
        &mut self.pages[n]
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.cur = self.pages.len() - 1;
        self.y = MARGIN_TOP;
    }

    /// Start a new page unless `need` points fit below the cursor.
    fn ensure(&mut self, need: f32) {
        if self.pages.is_empty() || self.y + need > self.h - MARGIN_BOTTOM {
            self.new_page();
        }
    }

    fn content_width(&self) -> f32 {
        self.w - 2.0 * MARGIN_X
    }

    /// Draw one line of text with its baseline at `top_y` (from the top of the page), routing fonts per char.
    fn text_at(&mut self, x: f32, top_y: f32, kind: FontKind, size: f32, c: Rgb3, text: &str) {
        let runs = self.fonts.runs(kind, text);
        if runs.is_empty() {
            return;
        }
        let base = self.h - top_y;
        let mut ops = vec![Op::StartTextSection, Op::SetFillColor { col: color(c) }];
        let mut cx = x;
        for r in runs {
            ops.push(Op::SetFont { font: PdfFontHandle::External(self.ids[r.font as usize].clone()), size: Pt(size) });
            ops.push(Op::SetTextMatrix { matrix: TextMatrix::Translate(Pt(cx), Pt(base)) });
            cx += self.fonts.width(r.font, &r.text, size);
            ops.push(Op::ShowText { items: vec![TextItem::Text(r.text)] });
        }
        ops.push(Op::EndTextSection);
        self.ops().extend(ops);
    }

    /// Wrapped paragraph at the cursor; advances the cursor, breaking pages between lines.
    fn para(&mut self, x: f32, width: f32, kind: FontKind, size: f32, c: Rgb3, text: &str) {
        let lh = size * 1.3;
        for line in self.fonts.wrap(kind, text, size, width) {
            self.ensure(lh);
            self.y += lh;
            self.text_at(x, self.y - size * 0.25, kind, size, c, &line);
        }
    }

    fn rect(&mut self, x: f32, top_y: f32, w: f32, h: f32, c: Rgb3) {
        if w <= 0.0 || h <= 0.0 {
            return;
        }
        let y = self.h - top_y - h;
        self.ops().extend([
            Op::SetFillColor { col: color(c) },
            Op::DrawRectangle {
                rectangle: Rect { x: Pt(x), y: Pt(y), width: Pt(w), height: Pt(h), mode: Some(PaintMode::Fill), winding_order: None },
            },
        ]);
    }

    fn hline(&mut self, x1: f32, x2: f32, top_y: f32, c: Rgb3, thickness: f32) {
        let y = self.h - top_y;
        self.ops().extend([
            Op::SetOutlineColor { col: color(c) },
            Op::SetOutlineThickness { pt: Pt(thickness) },
            Op::DrawLine {
                line: printpdf::Line {
                    points: vec![
                        LinePoint { p: Point { x: Pt(x1), y: Pt(y) }, bezier: false },
                        LinePoint { p: Point { x: Pt(x2), y: Pt(y) }, bezier: false },
                    ],
                    is_closed: false,
                },
            },
        ]);
    }

    fn vline(&mut self, x: f32, top1: f32, top2: f32, c: Rgb3, thickness: f32) {
        let (y1, y2) = (self.h - top1, self.h - top2);
        self.ops().extend([
            Op::SetOutlineColor { col: color(c) },
            Op::SetOutlineThickness { pt: Pt(thickness) },
            Op::DrawLine {
                line: printpdf::Line {
                    points: vec![
                        LinePoint { p: Point { x: Pt(x), y: Pt(y1) }, bezier: false },
                        LinePoint { p: Point { x: Pt(x), y: Pt(y2) }, bezier: false },
                    ],
                    is_closed: false,
                },
            },
        ]);
    }

    fn heading(&mut self, text: &str, size: f32, c: Rgb3, space_before: f32) {
        // Keep a heading with at least a few lines of what follows it.
        self.ensure(space_before + size * 1.4 + 64.0);
        self.y += space_before;
        let lines = self.fonts.wrap(FontKind::Bold, text, size, self.content_width());
        for l in lines {
            self.y += size * 1.25;
            self.text_at(MARGIN_X, self.y, FontKind::Bold, size, c, &l);
        }
        self.y += size * 0.35;
    }
}

fn fmt_time(t: &DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

fn short(h: &str) -> &str {
    h.get(..16).unwrap_or(h)
}

/// Status glyph and colour of an item state (all glyphs are in DejaVu Sans).
fn status_glyph(i: &ItemReport) -> (&'static str, Rgb3, &'static str) {
    if i.waiver.is_some() && !matches!(i.state, ItemState::Done | ItemState::Skipped | ItemState::NotApplicable) {
        return ("⚑", AMBER, "waived");
    }
    match i.state {
        ItemState::Done => ("✔", GREEN, "done"),
        ItemState::Failed => ("✘", RED, "failed"),
        ItemState::Skipped => ("↷", AMBER, "skipped"),
        ItemState::Blocked => ("⊘", RED, "blocked"),
        ItemState::NotApplicable => ("–", GREY, "n/a"),
        ItemState::Pending => ("○", GREY, "pending"),
    }
}

/// Render the report as an unsigned PDF.
pub fn render_pdf(input: &ReportInput, paper: Paper, signer: Option<&SignerSummary>) -> Result<Vec<u8>> {
    let fonts = FontSet::load()?;
    let mut doc = PdfDocument::new(&input.title);
    let mut ids = Vec::new();
    for k in FontKind::ALL {
        let mut warnings = Vec::new();
        let f = ParsedFont::from_bytes(k.bytes(), 0, &mut warnings)
            .ok_or_else(|| Error::Font(format!("printpdf could not parse embedded font {k:?}")))?;
        ids.push(doc.add_font(&f));
    }
    let (w, h) = paper.size();
    let mut cv = Canvas { fonts: &fonts, ids, w, h, pages: Vec::new(), cur: 0, y: MARGIN_TOP };
    cover(&mut cv, input, signer);
    timeline(&mut cv, input);
    items(&mut cv, input);
    signoff_block(&mut cv, input, signer);
    let total = cv.pages.len();
    let footer_left = format!("{} · run {} · head {}", input.title, short(&input.run_id), input.head_hashes.first().map(|h| short(h)).unwrap_or("-"));
    for i in 0..total {
        let label = format!("Page {} of {}", i + 1, total);
        let lw = fonts.width(FontKind::Regular, &label, 8.0);
        let left = fonts.ellipsize(FontKind::Regular, &footer_left, 8.0, w - 2.0 * MARGIN_X - lw - 20.0);
        cv.cur = i;
        cv.hline(MARGIN_X, w - MARGIN_X, h - MARGIN_BOTTOM + 18.0, LIGHT, 0.5);
        cv.text_at(MARGIN_X, h - MARGIN_BOTTOM + 30.0, FontKind::Regular, 8.0, GREY, &left);
        cv.text_at(w - MARGIN_X - lw, h - MARGIN_BOTTOM + 30.0, FontKind::Regular, 8.0, GREY, &label);
        if i > 0 {
            let head = fonts.ellipsize(FontKind::Regular, &format!("Deployment log — {}", input.title), 8.0, w - 2.0 * MARGIN_X);
            cv.text_at(MARGIN_X, 34.0, FontKind::Regular, 8.0, GREY, &head);
            cv.hline(MARGIN_X, w - MARGIN_X, 40.0, LIGHT, 0.5);
        }
    }
    let pages = cv.pages.into_iter().map(|ops| PdfPage::new(Mm::from(Pt(w)), Mm::from(Pt(h)), ops)).collect();
    let now = printpdf::DateTime::from_unix_timestamp(input.generated_at.timestamp())
        .map_err(|e| Error::Input(format!("report time out of range: {e}")))?;
    doc.metadata.info.creation_date = now;
    doc.metadata.info.modification_date = now;
    doc.metadata.info.metadata_date = now;
    doc.metadata.info.author = input.operator.clone();
    doc.metadata.info.creator = "Runsheet".into();
    doc.metadata.info.producer = format!("Runsheet {} (printpdf)", env!("CARGO_PKG_VERSION"));
    doc.metadata.info.subject = format!("Deployment log of run {}", input.run_id);
    let mut warnings = Vec::new();
    let bytes = doc.with_pages(pages).save(&PdfSaveOptions::default(), &mut warnings);
    Ok(bytes)
}

fn kv(cv: &mut Canvas, key: &str, value: &str, kind: FontKind, c: Rgb3) {
    let kw = 130.0;
    let width = cv.content_width() - kw;
    let lines = cv.fonts.wrap(kind, value, 10.0, width);
    cv.ensure(14.0 * lines.len() as f32);
    cv.y += 14.0;
    cv.text_at(MARGIN_X, cv.y, FontKind::Regular, 9.5, GREY, key);
    for (n, l) in lines.iter().enumerate() {
        if n > 0 {
            cv.y += 13.0;
        }
        cv.text_at(MARGIN_X + kw, cv.y, kind, 10.0, c, l);
    }
    cv.y += 3.0;
}

fn cover(cv: &mut Canvas, input: &ReportInput, signer: Option<&SignerSummary>) {
    cv.new_page();
    cv.y = 50.0;
    cv.text_at(MARGIN_X, cv.y + 10.0, FontKind::Bold, 10.0, BLUE, "DEPLOYMENT LOG");
    cv.y += 22.0;
    let width = cv.content_width();
    for l in cv.fonts.wrap(FontKind::Bold, &input.title, 22.0, width) {
        cv.y += 27.0;
        cv.text_at(MARGIN_X, cv.y, FontKind::Bold, 22.0, BLACK, &l);
    }
    if input.checklist_title != input.title {
        cv.y += 4.0;
        cv.para(MARGIN_X, width, FontKind::Regular, 11.0, GREY, &format!("Checklist: {}", input.checklist_title));
    }
    cv.y += 10.0;
    // Outcome banner.
    let outcome = input.outcome();
    let oc = if outcome.starts_with("FAILED") { RED } else if input.in_progress() { AMBER } else { GREEN };
    cv.rect(MARGIN_X, cv.y, width, 26.0, oc);
    cv.text_at(MARGIN_X + 10.0, cv.y + 17.5, FontKind::Bold, 11.5, (1.0, 1.0, 1.0), &outcome);
    cv.y += 34.0;
    let window = match (&input.window_start, &input.window_end) {
        (Some(s), Some(e)) => format!("{} → {}", fmt_time(s), fmt_time(e)),
        (Some(s), None) => format!("from {}", fmt_time(s)),
        (None, Some(e)) => format!("until {}", fmt_time(e)),
        (None, None) => "not set".into(),
    };
    kv(cv, "Version", input.version.as_deref().unwrap_or("not set"), FontKind::Regular, BLACK);
    kv(cv, "Environment", input.environment.as_deref().unwrap_or("not set"), FontKind::Regular, BLACK);
    kv(cv, "Change window", &window, FontKind::Regular, BLACK);
    kv(cv, "Operator", &input.operator, FontKind::Regular, BLACK);
    kv(cv, "Run id", &input.run_id, FontKind::Mono, BLACK);
    if let Some(c) = &input.created_at {
        kv(cv, "Run created", &fmt_time(c), FontKind::Regular, BLACK);
    }
    kv(cv, "Report generated", &fmt_time(&input.generated_at), FontKind::Regular, BLACK);
    kv(cv, "Events", &input.event_count.to_string(), FontKind::Regular, BLACK);
    let heads = if input.head_hashes.is_empty() { "-".to_string() } else { input.head_hashes.join(" ") };
    kv(cv, "Chain head (SHA-256)", &heads, FontKind::Mono, BLACK);
    match signer {
        Some(s) => {
            kv(cv, "Signed by", &s.subject, FontKind::Regular, BLACK);
            kv(cv, "Certificate SHA-256", &s.fingerprint, FontKind::Mono, BLACK);
        }
        None => kv(cv, "Signed by", "not signed", FontKind::Regular, AMBER),
    }
    let four = if input.four_eyes {
        "enforced: nobody signs an approval for items they executed".to_string()
    } else {
        "RELAXED for this run: executors may approve their own phases".to_string()
    };
    kv(cv, "Four-eyes rule", &four, FontKind::Regular, if input.four_eyes { BLACK } else { RED });
    let gate = match input.gate_mode {
        GateMode::Strict => "strict (later phases locked until earlier phases complete or waived)",
        GateMode::Advisory => "advisory (out-of-order work is warned, not refused)",
    };
    kv(cv, "Phase gates", gate, FontKind::Regular, BLACK);
    cv.y += 6.0;
    kv(cv, "Verification", "This PDF carries a PAdES signature over the whole file and the JSON run log as an attachment; check both with `runsheet verify FILE.pdf`, pdfsig or pyHanko.", FontKind::Regular, GREY);
    phase_summary(cv, input);
}

fn phase_summary(cv: &mut Canvas, input: &ReportInput) {
    cv.heading("Phase summary", 14.0, BLACK, 16.0);
    let width = cv.content_width();
    let bar_x = MARGIN_X + width * 0.52;
    let bar_w = width * 0.34;
    for p in input.phases.iter().filter(|p| p.items().next().is_some()) {
        let (done, total) = p.progress();
        let title = if p.rollback { format!("{} [rollback]", p.title) } else { p.title.clone() };
        let title = cv.fonts.ellipsize(FontKind::Regular, &title, 9.5, width * 0.5 - 4.0);
        cv.ensure(28.0);
        cv.y += 15.0;
        cv.text_at(MARGIN_X, cv.y, FontKind::Regular, 9.5, if p.rollback { PURPLE } else { BLACK }, &title);
        if let Some(t) = &p.timing {
            let t = cv.fonts.ellipsize(FontKind::Regular, t, 7.5, width * 0.5 - 4.0);
            cv.text_at(MARGIN_X, cv.y + 10.0, FontKind::Regular, 7.5, GREY, &t);
        }
        // Stacked bar: done/skipped/n/a green-ish, waived amber, failed red, rest light.
        let top = cv.y - 8.5;
        cv.rect(bar_x, top, bar_w, 9.0, LIGHT);
        if total > 0 {
            let count = |f: &dyn Fn(&ItemReport) -> bool| p.items().filter(|i| f(i)).count() as f32 / total as f32 * bar_w;
            let g = count(&|i| matches!(i.state, ItemState::Done | ItemState::NotApplicable | ItemState::Skipped) && i.waiver.is_none());
            let a = count(&|i| i.waiver.is_some());
            let r = count(&|i| matches!(i.state, ItemState::Failed | ItemState::Blocked) && i.waiver.is_none());
            cv.rect(bar_x, top, g, 9.0, GREEN);
            cv.rect(bar_x + g, top, a, 9.0, AMBER);
            cv.rect(bar_x + g + a, top, r, 9.0, RED);
        }
        let label = format!("{done}/{total}");
        cv.text_at(bar_x + bar_w + 8.0, cv.y, FontKind::Regular, 9.0, GREY, &label);
        cv.y += if p.timing.is_some() { 10.0 } else { 3.0 };
    }
    cv.y += 8.0;
    cv.ensure(14.0);
    cv.y += 10.0;
    let mut x = MARGIN_X;
    for (c, l) in [(GREEN, "done / skipped / n/a"), (AMBER, "waived"), (RED, "failed / blocked"), (LIGHT, "pending")] {
        cv.rect(x, cv.y - 7.0, 8.0, 8.0, c);
        cv.text_at(x + 11.0, cv.y, FontKind::Regular, 8.0, GREY, l);
        x += 22.0 + cv.fonts.width(FontKind::Regular, l, 8.0);
    }
}

fn timeline(cv: &mut Canvas, input: &ReportInput) {
    // Stay on the cover when the chart fits below the phase summary.
    cv.ensure(110.0 + 20.0 * input.phases.len() as f32);
    cv.heading("Timeline: planned (T-minus) versus actual", 14.0, BLACK, 18.0);
    let t0 = input
        .window_start
        .or_else(|| input.phases.iter().filter_map(|p| p.actual_span().map(|s| s.0)).min())
        .or(input.created_at);
    let width = cv.content_width();
    cv.para(
        MARGIN_X,
        width,
        FontKind::Regular,
        8.5,
        GREY,
        &match (&input.window_start, t0) {
            (Some(s), _) => format!("T = start of the change window, {}. Hollow bars: planned from the headings' timing; filled bars: first to last recorded change of the phase's items.", fmt_time(s)),
            (None, Some(t)) => format!("No change window set: T = first recorded change, {}. Hollow bars: planned; filled bars: actual.", fmt_time(&t)),
            (None, None) => "No times recorded yet.".into(),
        },
    );
    let Some(t0) = t0 else { return };
    // Collect planned and actual spans in minutes relative to T.
    let rows: Vec<(&PhaseReport, Option<(f64, f64)>, Option<(f64, f64)>)> = input
        .phases
        .iter()
        .enumerate()
        .filter(|(_, p)| p.items().next().is_some() || p.planned_offset_minutes.is_some())
        .map(|(n, p)| {
            let planned = p.planned_offset_minutes.map(|s| {
                let next = input.phases[n + 1..].iter().find_map(|q| q.planned_offset_minutes).filter(|e| *e > s);
                let e = p.planned_end_offset_minutes.filter(|e| *e > s).or(next).unwrap_or(s + 15);
                (s as f64, e as f64)
            });
            let actual = p.actual_span().map(|(a, b)| {
                let s = (a - t0).num_seconds() as f64 / 60.0;
                let e = (b - t0).num_seconds() as f64 / 60.0;
                (s, e.max(s + 1.0))
            });
            (p, planned, actual)
        })
        .collect();
    let mut lo = 0.0f64;
    let mut hi = 60.0f64;
    for (_, pl, ac) in &rows {
        for (s, e) in pl.iter().chain(ac.iter()) {
            lo = lo.min(*s);
            hi = hi.max(*e);
        }
    }
    let span = (hi - lo).max(1.0);
    let label_w = width * 0.32;
    let chart_x = MARGIN_X + label_w;
    let chart_w = width - label_w;
    let xof = |m: f64| chart_x + ((m - lo) / span) as f32 * chart_w;
    // Axis with ticks.
    cv.y += 18.0;
    let axis_y = cv.y;
    let step = nice_step(span);
    let mut m = (lo / step).ceil() * step;
    while m <= hi {
        let x = xof(m);
        let label = fmt_offset(m);
        let lw = cv.fonts.width(FontKind::Regular, &label, 7.0);
        cv.text_at(x - lw / 2.0, axis_y - 4.0, FontKind::Regular, 7.0, GREY, &label);
        m += step;
    }
    cv.hline(chart_x, chart_x + chart_w, axis_y, GREY, 0.5);
    let top = cv.y;
    for (p, pl, ac) in &rows {
        cv.ensure(22.0);
        cv.y += 20.0;
        let title = cv.fonts.ellipsize(FontKind::Regular, &p.title, 8.5, label_w - 6.0);
        cv.text_at(MARGIN_X, cv.y - 4.0, FontKind::Regular, 8.5, if p.rollback { PURPLE } else { BLACK }, &title);
        if let Some((s, e)) = pl {
            let (x1, x2) = (xof(*s), xof(*e));
            cv.rect(x1, cv.y - 15.0, (x2 - x1).max(2.0), 6.0, LIGHT);
            cv.hline(x1, x1 + (x2 - x1).max(2.0), cv.y - 15.0, BLUE, 0.6);
            cv.hline(x1, x1 + (x2 - x1).max(2.0), cv.y - 9.0, BLUE, 0.6);
        }
        if let Some((s, e)) = ac {
            let (x1, x2) = (xof(*s), xof(*e));
            cv.rect(x1, cv.y - 7.0, (x2 - x1).max(2.0), 6.0, GREEN);
        }
        if pl.is_none() && ac.is_none() {
            cv.text_at(chart_x + 4.0, cv.y - 4.0, FontKind::Regular, 7.5, GREY, "no planned timing, no recorded work");
        }
    }
    if lo < 0.0 && hi > 0.0 {
        let x = xof(0.0);
        cv.vline(x, top, cv.y + 4.0, RED, 0.7);
    }
    cv.y += 16.0;
    cv.rect(MARGIN_X, cv.y - 7.0, 14.0, 6.0, LIGHT);
    cv.text_at(MARGIN_X + 18.0, cv.y, FontKind::Regular, 8.0, GREY, "planned");
    cv.rect(MARGIN_X + 70.0, cv.y - 7.0, 14.0, 6.0, GREEN);
    cv.text_at(MARGIN_X + 88.0, cv.y, FontKind::Regular, 8.0, GREY, "actual");
    cv.vline(MARGIN_X + 140.0, cv.y - 8.0, cv.y + 1.0, RED, 0.7);
    cv.text_at(MARGIN_X + 145.0, cv.y, FontKind::Regular, 8.0, GREY, "T");
}

fn nice_step(span: f64) -> f64 {
    for s in [5.0, 10.0, 15.0, 30.0, 60.0, 120.0, 240.0, 480.0, 1440.0, 2880.0, 10080.0, 20160.0, 40320.0] {
        if span / s <= 8.0 {
            return s;
        }
    }
    span / 8.0
}

fn fmt_offset(m: f64) -> String {
    let sign = if m < 0.0 { "-" } else { "+" };
    let a = m.abs().round() as i64;
    if a == 0 {
        "T".into()
    } else if a % 1440 == 0 {
        format!("T{sign}{}d", a / 1440)
    } else if a % 60 == 0 {
        format!("T{sign}{}h", a / 60)
    } else if a > 60 {
        format!("T{sign}{}h{:02}", a / 60, a % 60)
    } else {
        format!("T{sign}{a}m")
    }
}

fn items(cv: &mut Canvas, input: &ReportInput) {
    cv.ensure(220.0);
    cv.heading("Checklist execution", 16.0, BLACK, 24.0);
    let width = cv.content_width();
    for p in input.phases.iter().filter(|p| p.items().next().is_some()) {
        let (done, total) = p.progress();
        let mut title = p.title.clone();
        if let Some(t) = &p.timing {
            title.push_str(&format!("  ({t})"));
        }
        cv.heading(&title, 13.0, if p.rollback { PURPLE } else { BLUE }, 12.0);
        let mut sub = format!("{done} of {total} items finished");
        if p.rollback {
            sub = format!("ROLLBACK — run only when a rollback trigger fires · {sub}");
        }
        cv.para(MARGIN_X, width, FontKind::Regular, 8.5, if p.rollback { PURPLE } else { GREY }, &sub);
        cv.y += 2.0;
        for s in &p.sections {
            if !s.title.is_empty() {
                let mut t = s.title.clone();
                if let Some(tm) = &s.timing {
                    t.push_str(&format!("  ({tm})"));
                }
                if s.rollback && !p.rollback {
                    t.push_str("  [rollback]");
                }
                cv.ensure(40.0);
                cv.y += 6.0;
                cv.para(MARGIN_X, width, FontKind::Bold, 10.5, if s.rollback { PURPLE } else { BLACK }, &t);
            }
            for it in &s.items {
                item(cv, it);
            }
        }
    }
}

fn item(cv: &mut Canvas, it: &ItemReport) {
    let indent = MARGIN_X + 4.0 + 14.0 * it.depth.min(6) as f32;
    let text_x = indent + 16.0;
    let width = cv.w - MARGIN_X - text_x;
    let (glyph, gc, label) = status_glyph(it);
    let lines = cv.fonts.wrap(FontKind::Regular, &it.text, 9.5, width);
    cv.ensure(13.0 * lines.len().min(3) as f32 + 12.0);
    cv.y += 4.0;
    for (n, l) in lines.iter().enumerate() {
        cv.ensure(13.0);
        cv.y += 12.5;
        if n == 0 {
            cv.text_at(indent, cv.y, FontKind::Bold, 10.0, gc, glyph);
        }
        cv.text_at(text_x, cv.y, FontKind::Regular, 9.5, BLACK, l);
    }
    cv.y += 1.5;
    let mut meta = label.to_string();
    if let (Some(by), Some(at)) = (&it.by, &it.at) {
        meta.push_str(&format!(" · {by} · {}", fmt_time(at)));
    }
    if let Some(r) = &it.reason {
        meta.push_str(&format!(" · reason: {r}"));
    }
    cv.para(text_x, width, FontKind::Regular, 7.5, GREY, &meta);
    for n in &it.notes {
        cv.para(text_x, width, FontKind::Regular, 8.0, BLACK, &format!("Note: {n}"));
    }
    if let Some(w) = &it.waiver {
        cv.para(text_x, width, FontKind::Bold, 8.0, AMBER, &format!("Waived by {} at {}: {}", w.approver, fmt_time(&w.at), w.reason));
    }
    for e in &it.evidence {
        evidence(cv, text_x, width, e);
    }
}

fn evidence(cv: &mut Canvas, x: f32, width: f32, e: &EvidenceRow) {
    let (tag, c) = if e.ok { ("PASS", GREEN) } else { ("FAIL", RED) };
    cv.ensure(12.0);
    cv.y += 11.0;
    let tw = cv.fonts.width(FontKind::Bold, tag, 7.5) + 8.0;
    cv.rect(x, cv.y - 7.5, tw, 10.0, c);
    cv.text_at(x + 4.0, cv.y, FontKind::Bold, 7.5, (1.0, 1.0, 1.0), tag);
    let mut line = format!("{} {}", e.kind, e.target);
    if let Some(ms) = e.duration_ms {
        line.push_str(&format!(" · {ms} ms"));
    }
    line.push_str(&format!(" · {}", e.ended_at.format("%H:%M:%S")));
    if let Some(h) = &e.sha256 {
        line.push_str(&format!(" · sha256 {}", short(h)));
    }
    let line = cv.fonts.ellipsize(FontKind::Regular, &line, 7.5, width - tw - 6.0);
    cv.text_at(x + tw + 5.0, cv.y, FontKind::Regular, 7.5, BLACK, &line);
    // The probe's own explanation when it did not pass (an unreadable record says so).
    let why = if e.outcome == "unreadable" { "evidence record does not read" } else { e.detail.as_str() };
    if !e.ok && !why.trim().is_empty() {
        cv.para(x + tw + 5.0, width - tw - 5.0, FontKind::Regular, 7.5, GREY, why);
    }
    if let Some(ex) = e.excerpt.as_deref().filter(|s| !s.trim().is_empty()) {
        let one: String = ex.split_whitespace().collect::<Vec<_>>().join(" ");
        let one = cv.fonts.ellipsize(FontKind::Mono, &one, 7.0, width - tw - 5.0);
        cv.ensure(10.0);
        cv.y += 9.5;
        cv.text_at(x + tw + 5.0, cv.y, FontKind::Mono, 7.0, GREY, &one);
    }
}

fn signoff_block(cv: &mut Canvas, input: &ReportInput, signer: Option<&SignerSummary>) {
    cv.ensure(200.0);
    cv.heading("Sign-off", 16.0, BLACK, 22.0);
    let width = cv.content_width();
    let rule = if input.four_eyes {
        "Four-eyes rule enforced: a sign-off is refused to anyone who executed items the role approves."
    } else {
        "Four-eyes rule RELAXED for this run (recorded in the run log): executors were allowed to approve their own phases."
    };
    cv.para(MARGIN_X, width, FontKind::Regular, 9.0, if input.four_eyes { GREY } else { RED }, rule);
    if input.signoffs.is_empty() {
        cv.para(MARGIN_X, width, FontKind::Regular, 9.5, GREY, "The checklist names no sign-off roles.");
    }
    for s in &input.signoffs {
        cv.ensure(46.0);
        cv.y += 10.0;
        cv.hline(MARGIN_X, MARGIN_X + width, cv.y, LIGHT, 0.6);
        cv.y += 14.0;
        let (glyph, c) = if s.signed_by.is_some() { ("✔", GREEN) } else { ("○", GREY) };
        cv.text_at(MARGIN_X, cv.y, FontKind::Bold, 10.5, c, glyph);
        let role = cv.fonts.ellipsize(FontKind::Bold, &s.role, 10.5, width * 0.45);
        cv.text_at(MARGIN_X + 16.0, cv.y, FontKind::Bold, 10.5, BLACK, &role);
        match (&s.signed_by, &s.at) {
            (Some(by), Some(at)) => {
                let t = format!("{by} · {}", fmt_time(at));
                cv.text_at(MARGIN_X + width * 0.5, cv.y, FontKind::Regular, 10.0, BLACK, &t);
                if let Some(cm) = &s.comment {
                    cv.y += 3.0;
                    cv.para(MARGIN_X + 16.0, width - 16.0, FontKind::Regular, 8.5, GREY, &format!("“{cm}”"));
                }
                if let Some(sig) = input.signoff_signatures.iter().find(|g| g.role == s.role) {
                    let (line, colour) = match (sig.verified, &sig.signer, &sig.fingerprint, &sig.problem) {
                        (true, Some(name), Some(fp), _) => {
                            (format!("Signed by {name}, certificate SHA-256 {fp}: signature verified."), GREEN)
                        }
                        (_, _, Some(fp), problem) => (
                            format!(
                                "Certificate SHA-256 {fp}: signature NOT verified ({}).",
                                problem.as_deref().unwrap_or("unknown")
                            ),
                            RED,
                        ),
                        (_, _, None, _) => ("No per-event signature (recorded before signing existed).".into(), GREY),
                    };
                    cv.y += 3.0;
                    cv.para(MARGIN_X + 16.0, width - 16.0, FontKind::Regular, 8.0, colour, &line);
                }
                for w in &s.warnings {
                    let msg = blocker_text(input, w);
                    cv.para(MARGIN_X + 16.0, width - 16.0, FontKind::Regular, 8.0, RED, &format!("warning: {msg}"));
                }
            }
            _ => {
                cv.text_at(MARGIN_X + width * 0.5, cv.y, FontKind::Regular, 10.0, AMBER, "not signed");
                cv.y += 3.0;
                let n = s.blockers.len();
                for b in s.blockers.iter().take(5) {
                    let msg = blocker_text(input, b);
                    cv.para(MARGIN_X + 16.0, width - 16.0, FontKind::Regular, 8.0, GREY, &format!("blocked: {msg}"));
                }
                if n > 5 {
                    cv.para(MARGIN_X + 16.0, width - 16.0, FontKind::Regular, 8.0, GREY, &format!("… and {} more", n - 5));
                }
            }
        }
    }
    cv.y += 18.0;
    let who = match signer {
        Some(s) => format!("This document is signed digitally by {} (certificate SHA-256 {}).", s.subject, s.fingerprint),
        None => "This document is not signed.".to_string(),
    };
    cv.para(MARGIN_X, width, FontKind::Regular, 8.5, GREY, &who);
}

/// A blocker in words, naming items by their text rather than their id.
fn blocker_text(input: &ReportInput, b: &Blocker) -> String {
    let text = |id: &str| {
        input
            .phases
            .iter()
            .flat_map(|p| p.items())
            .find(|i| i.id == id)
            .map(|i| {
                let t: String = i.text.chars().take(60).collect();
                if t.len() < i.text.len() { format!("“{t}…”") } else { format!("“{t}”") }
            })
            .unwrap_or_else(|| id.to_string())
    };
    match b {
        Blocker::ItemOpen { item, state } => format!("{} is {} and not waived", text(item), runsheet_core::signoff::state_name(*state)),
        Blocker::MissingEvidence { item } => format!("{} has probes but no evidence", text(item)),
        Blocker::StaleEvidence { item, fresh_until } => format!("evidence of {} went stale at {}", text(item), fmt_time(fresh_until)),
        Blocker::FailingEvidence { item, outcome } => format!("latest evidence of {} is {outcome}", text(item)),
        Blocker::FourEyes { item } => format!("four-eyes: the signer executed {}", text(item)),
        Blocker::FourEyesKey { item, fingerprint } => {
            format!("four-eyes: the signing key (certificate SHA-256 {fingerprint}) executed {}", text(item))
        }
        Blocker::SignedWithoutKnowledge { item, state, by, event } => format!(
            "signed without knowledge of {} set {} by {by} at the same time (event {event})",
            text(item),
            runsheet_core::signoff::state_name(*state)
        ),
        other => other.to_string(),
    }
}
