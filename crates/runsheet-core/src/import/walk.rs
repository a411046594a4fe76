//! The event walker: one pass over pulldown-cmark's offset iterator, with an explicit stack of open containers,
//! building phases, sections, a flat arena of task nodes and the sign-off lines; the item tree is assembled from
//! the arena at the end without recursion.
//!
//! Headings inside list items or block quotes do not open phases; code, HTML, tables and front matter never
//! contribute tasks (pulldown-cmark already keeps `- [ ]` inside fences as code text).

use std::borrow::Cow;
use std::collections::HashMap;

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, MetadataBlockKind, Options, Parser, Tag, TagEnd};

use super::heuristics::{
    collapse_ws, heading_title, is_command_line, plain_title, is_rollback_title, is_signoff_context, normalise, short_id,
    signoff_role, task_signoff_role,
};
use super::{front_matter, ImportError, Result, MAX_ITEM_DEPTH};
use crate::checklist::{Checklist, Command, CommandKind, Item, Phase, ProbeDecl, Section, SignoffLine};

/// The pulldown-cmark options the importer (and its tests against cmark-gfm) rely on.
pub(crate) fn options() -> Options {
    Options::ENABLE_TASKLISTS
        | Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS
        | Options::ENABLE_PLUSES_DELIMITED_METADATA_BLOCKS
}

/// Byte offset → 1-based line, by binary search over line starts.
struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    fn new(s: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(s.bytes().enumerate().filter(|(_, b)| *b == b'\n').map(|(i, _)| i + 1));
        Self { starts }
    }

    fn line(&self, offset: usize) -> u32 {
        u32::try_from(self.starts.partition_point(|&s| s <= offset)).unwrap_or(u32::MAX)
    }
}

/// CommonMark treats `\r\n` and a lone `\r` as line endings: normalise both to `\n` so line numbers agree.
fn normalise_newlines(source: &str) -> Cow<'_, str> {
    if !source.contains('\r') {
        return Cow::Borrowed(source);
    }
    Cow::Owned(source.replace("\r\n", "\n").replace('\r', "\n"))
}

/// Wrap inline code in enough backticks to survive re-parsing (CommonMark code span rules).
pub(crate) fn wrap_code(code: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in code.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    let fence = "`".repeat(longest + 1);
    let pad = code.starts_with('`') || code.ends_with('`') || (code.starts_with(' ') && code.ends_with(' ') && !code.trim().is_empty());
    if pad {
        format!("{fence} {code} {fence}")
    } else {
        format!("{fence}{code}{fence}")
    }
}

/// Append literal text to an inline text buffer. Backticks are kept escaped (`\``) so that in item text and
/// titles an unescaped backtick always delimits a code span, and rendering can tell the two apart.
fn push_plain(buf: &mut String, t: &str) {
    for c in t.chars() {
        if c == '`' {
            buf.push('\\');
        }
        buf.push(c);
    }
}

/// Append a code span (already wrapped); a literal backslash right before it is doubled so it cannot escape the
/// opening backtick.
fn push_code(buf: &mut String, wrapped: &str) {
    let trailing = buf.len() - buf.trim_end_matches('\\').len();
    if trailing % 2 == 1 {
        buf.push('\\');
    }
    buf.push_str(wrapped);
}

/// A task item while the document is walked; assembled into an [`Item`] at the end.
struct Node {
    line: u32,
    checked: bool,
    text: String,
    parent: Option<usize>,
    phase: usize,
    section: usize,
    children: Vec<usize>,
    commands: Vec<Command>,
    probes: Vec<ProbeDecl>,
    signoff: Option<String>,
}

enum Frame {
    List,
    Quote,
    Item { start: usize, task: Option<usize> },
    Other,
}

/// One run of inline content: a paragraph, or the unwrapped text of a tight list item.
struct Run {
    line: u32,
    /// Flattened text; soft and hard breaks are `\n` (split for sign-off lines, collapsed for item text).
    text: String,
    strong_depth: u32,
    strong_text: String,
    other_text: String,
    task: Option<usize>,
    /// Byte ranges of code spans in `text`, kept verbatim when whitespace is collapsed.
    code_spans: Vec<(usize, usize)>,
}

impl Run {
    /// The run as one line: whitespace collapsed outside code spans, code spans exactly as written.
    fn flat_text(&self) -> String {
        let mut out = String::with_capacity(self.text.len());
        let mut last = 0;
        let plain = |out: &mut String, s: &str| {
            for (i, w) in s.split(char::is_whitespace).enumerate() {
                if i > 0 && !out.ends_with(' ') {
                    out.push(' ');
                }
                out.push_str(w);
            }
        };
        for &(a, b) in &self.code_spans {
            plain(&mut out, &self.text[last..a]);
            out.push_str(&self.text[a..b]);
            last = b;
        }
        plain(&mut out, &self.text[last..]);
        out.trim_matches(' ').to_string()
    }
}

/// A table being read, for sign-off tables (`| Role | Name | Signature | Date |`).
#[derive(Default)]
struct TableBuf {
    header: Vec<String>,
    rows: Vec<(u32, Vec<String>)>,
    in_head: bool,
    cell: String,
}

struct CodeBuf {
    line: u32,
    lang: Option<String>,
    label: Option<String>,
    text: String,
}

struct Walker<'n> {
    name: &'n str,
    /// The (newline-normalised) source, to place list items on the line of their marker.
    src: &'n str,
    lines: LineIndex,
    title: Option<String>,
    title_is_h1: bool,
    h1_phases: bool,
    metadata: std::collections::BTreeMap<String, serde_json::Value>,
    phases: Vec<Phase>,
    cur_section: Option<usize>,
    phase_ctx: bool,
    section_ctx: bool,
    label_ctx: bool,
    /// A label just ended: the next top-level block is the one it labels (and the last one in its context).
    label_armed: bool,
    pending_label: Option<String>,
    nodes: Vec<Node>,
    open_tasks: Vec<usize>,
    last_task: Option<usize>,
    frames: Vec<Frame>,
    quote_depth: usize,
    run: Option<Run>,
    heading: Option<(HeadingLevel, u32, String)>,
    table_depth: u32,
    table: Option<TableBuf>,
    code: Option<CodeBuf>,
    meta: Option<(bool, u32, String)>,
    signoffs: Vec<SignoffLine>,
    phase_occ: HashMap<String, u32>,
    section_occ: HashMap<String, u32>,
}

pub(super) fn parse(name: &str, source: &str) -> Result<Checklist> {
    let source = normalise_newlines(source);
    let mut checklist = match parse_with(name, &source, options()) {
        // A `---` block at the top that is not meant as front matter (no `key: value` line in it) is read the
        // way cmark-gfm reads it: a thematic break and whatever follows.
        Err(ImportError::FrontMatter { .. }) if !looks_like_front_matter(&source) => {
            parse_with(name, &source, options() - Options::ENABLE_YAML_STYLE_METADATA_BLOCKS - Options::ENABLE_PLUSES_DELIMITED_METADATA_BLOCKS)
        }
        r => r,
    }?;
    checklist.contacts = super::contacts::extract(&source, &checklist);
    Ok(checklist)
}

/// Whether the block between the opening `---`/`+++` and the next delimiter has a `key: value` (or
/// `key = value`) line.
fn looks_like_front_matter(source: &str) -> bool {
    source.lines().skip(1).take_while(|l| !matches!(l.trim_end(), "---" | "..." | "+++")).any(|l| {
        let key_end = l.find([':', '=']).unwrap_or(0);
        key_end > 0 && l[..key_end].trim().chars().all(|c| c.is_alphanumeric() || "_- \"'".contains(c)) && !l.starts_with([' ', '-', '\t'])
    })
}

/// One pass over the headings and the task markers: how many `#`/`##` headings there are, and where a task box
/// is directly followed by the end of its line.
fn pre_pass(source: &str, opts: Options) -> (usize, usize, Vec<usize>) {
    let (mut h1, mut h2, mut eol_boxes) = (0, 0, Vec::new());
    for (ev, range) in Parser::new_ext(source, opts).into_offset_iter() {
        match ev {
            Event::Start(Tag::Heading { level: HeadingLevel::H1, .. }) => h1 += 1,
            Event::Start(Tag::Heading { level: HeadingLevel::H2, .. }) => h2 += 1,
            Event::TaskListMarker(_) if !matches!(source.as_bytes().get(range.end), Some(b' ' | b'\t')) => {
                eol_boxes.push(range.start)
            }
            _ => {}
        }
    }
    (h1, h2, eol_boxes)
}

fn parse_with(name: &str, source: &str, opts: Options) -> Result<Checklist> {
    // cmark-gfm (GitHub) wants a space or tab after the box on the same line; pulldown-cmark also accepts a line
    // end, which changes the structure around it (the next line then may start a list instead of continuing the
    // paragraph `[ ]`). Escape those boxes (`\[ ]`, same line numbers) so both read the file alike.
    let mut patched: Cow<'_, str> = Cow::Borrowed(source);
    let (mut h1, mut h2, mut eol_boxes) = pre_pass(&patched, opts);
    for _ in 0..4 {
        if eol_boxes.is_empty() {
            break;
        }
        let mut s = String::with_capacity(patched.len() + eol_boxes.len());
        let mut last = 0;
        for at in eol_boxes {
            s.push_str(&patched[last..at]);
            s.push('\\');
            last = at;
        }
        s.push_str(&patched[last..]);
        patched = Cow::Owned(s);
        (h1, h2, eol_boxes) = pre_pass(&patched, opts);
    }
    let source: &str = &patched;

    let mut w = Walker {
        name,
        src: source,
        lines: LineIndex::new(source),
        title: None,
        title_is_h1: false,
        h1_phases: h1 >= 2 && h2 == 0,
        metadata: Default::default(),
        phases: Vec::new(),
        cur_section: None,
        phase_ctx: false,
        section_ctx: false,
        label_ctx: false,
        label_armed: false,
        pending_label: None,
        nodes: Vec::new(),
        open_tasks: Vec::new(),
        last_task: None,
        frames: Vec::new(),
        quote_depth: 0,
        run: None,
        heading: None,
        table_depth: 0,
        table: None,
        code: None,
        meta: None,
        signoffs: Vec::new(),
        phase_occ: HashMap::new(),
        section_occ: HashMap::new(),
    };
    for (ev, range) in Parser::new_ext(source, opts).into_offset_iter() {
        // Safety net for boxes the pre-pass could not escape: still not tasks.
        if let Event::TaskListMarker(_) = ev {
            if !matches!(source.as_bytes().get(range.end), Some(b' ' | b'\t')) {
                continue;
            }
        }
        w.event(ev, range.start)?;
    }
    w.end_run();
    Ok(w.finish())
}

impl Walker<'_> {
    fn invalid(&self, line: u32, message: impl Into<String>) -> ImportError {
        ImportError::Invalid { name: self.name.to_string(), line, message: message.into() }
    }

    fn in_container(&self) -> bool {
        self.quote_depth > 0 || self.frames.iter().any(|f| matches!(f, Frame::Item { .. }))
    }

    fn signoff_context(&self) -> bool {
        self.phase_ctx || self.section_ctx || self.label_ctx
    }

    fn event(&mut self, ev: Event<'_>, offset: usize) -> Result<()> {
        match ev {
            Event::Start(tag) => self.start(tag, offset)?,
            Event::End(tag) => self.end(tag)?,
            Event::Text(t) => {
                if let Some(code) = &mut self.code {
                    code.text.push_str(&t);
                } else if let Some(meta) = &mut self.meta {
                    meta.2.push_str(&t);
                } else {
                    self.inline_text(&t, offset);
                }
            }
            Event::Code(c) => {
                if self.table_depth == 0 && self.heading.is_none() && is_command_line(&c) {
                    if let Some(&t) = self.open_tasks.last() {
                        let line = self.lines.line(offset);
                        self.nodes[t].commands.push(Command {
                            text: c.to_string(),
                            kind: CommandKind::Inline,
                            lang: None,
                            label: None,
                            line,
                        });
                    }
                }
                let wrapped = wrap_code(&c);
                if let Some(h) = &mut self.heading {
                    push_code(&mut h.2, &wrapped);
                } else if self.table_depth == 0 {
                    let run = self.run_at(offset);
                    push_code(&mut run.text, "");
                    let start = run.text.len();
                    run.text.push_str(&wrapped);
                    run.code_spans.push((start, run.text.len()));
                    run.other_text.push_str(&wrapped);
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if let Some(h) = &mut self.heading {
                    h.2.push(' ');
                } else if self.table_depth == 0 {
                    self.run_at(offset).text.push('\n');
                }
            }
            Event::TaskListMarker(checked) => self.task_marker(checked, offset)?,
            Event::Rule => {
                self.end_run();
                self.pending_label = None;
            }
            Event::Html(_) | Event::InlineHtml(_) | Event::FootnoteReference(_) => {}
            Event::InlineMath(t) | Event::DisplayMath(t) => self.inline_text(&t, offset),
        }
        Ok(())
    }

    fn inline_text(&mut self, t: &str, offset: usize) {
        if let Some(h) = &mut self.heading {
            push_plain(&mut h.2, t);
        } else if let Some(table) = &mut self.table {
            table.cell.push_str(t);
        } else if self.table_depth == 0 {
            let run = self.run_at(offset);
            push_plain(&mut run.text, t);
            if run.strong_depth > 0 {
                push_plain(&mut run.strong_text, t);
            } else {
                push_plain(&mut run.other_text, t);
            }
        }
    }

    /// The open inline run, starting one (a tight list item's text) if none is open.
    fn run_at(&mut self, offset: usize) -> &mut Run {
        let line = self.lines.line(offset);
        self.run.get_or_insert_with(|| Run {
            line,
            text: String::new(),
            strong_depth: 0,
            strong_text: String::new(),
            other_text: String::new(),
            task: None,
            code_spans: Vec::new(),
        })
    }

    fn start(&mut self, tag: Tag<'_>, offset: usize) -> Result<()> {
        let block = !matches!(
            tag,
            Tag::Emphasis | Tag::Strong | Tag::Strikethrough | Tag::Superscript | Tag::Subscript | Tag::Link { .. } | Tag::Image { .. }
        );
        if block {
            self.end_run();
            if !matches!(tag, Tag::CodeBlock(_)) {
                self.pending_label = None;
            }
            // `**Approved By**:` puts the block right after it (its list) in a sign-off context, no more.
            if self.frames.is_empty() && self.heading.is_none() {
                if self.label_armed {
                    self.label_armed = false;
                } else {
                    self.label_ctx = false;
                }
            }
        }
        match tag {
            Tag::Paragraph => {
                if self.table_depth == 0 && self.heading.is_none() {
                    self.run_at(offset);
                }
            }
            Tag::Heading { level, .. } => self.heading = Some((level, self.lines.line(offset), String::new())),
            Tag::List(_) => self.frames.push(Frame::List),
            Tag::Item => {
                // pulldown-cmark may start a tab-indented item at the end of the line before it: the item's line
                // is the one of its marker, as cmark-gfm reports it.
                let rest = self.src.get(offset..).unwrap_or_default();
                let start = offset + (rest.len() - rest.trim_start_matches([' ', '\t', '\n']).len());
                self.frames.push(Frame::Item { start, task: None })
            }
            Tag::BlockQuote(_) => {
                self.quote_depth += 1;
                self.frames.push(Frame::Quote);
            }
            Tag::FootnoteDefinition(_) | Tag::DefinitionList | Tag::DefinitionListTitle | Tag::DefinitionListDefinition => {
                self.frames.push(Frame::Other)
            }
            Tag::CodeBlock(kind) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => info.split_whitespace().next().map(|l| l.trim_matches(['{', '}', '.']).to_string()),
                    CodeBlockKind::Indented => None,
                };
                let label = self.pending_label.take();
                self.code = Some(CodeBuf { line: self.lines.line(offset), lang: lang.filter(|l| !l.is_empty()), label, text: String::new() });
            }
            Tag::Table(_) => {
                self.table_depth += 1;
                self.table = Some(TableBuf::default());
            }
            Tag::TableHead => {
                if let Some(t) = &mut self.table {
                    t.in_head = true;
                }
            }
            Tag::TableRow => {
                let line = self.lines.line(offset);
                if let Some(t) = &mut self.table {
                    t.rows.push((line, Vec::new()));
                }
            }
            Tag::MetadataBlock(kind) => {
                self.meta = Some((matches!(kind, MetadataBlockKind::YamlStyle), self.lines.line(offset), String::new()))
            }
            Tag::Strong => {
                if let Some(run) = &mut self.run {
                    run.strong_depth += 1;
                }
            }
            Tag::HtmlBlock
            | Tag::TableCell
            | Tag::Emphasis
            | Tag::Strikethrough
            | Tag::Superscript
            | Tag::Subscript
            | Tag::Link { .. }
            | Tag::Image { .. } => {}
        }
        Ok(())
    }

    fn end(&mut self, tag: TagEnd) -> Result<()> {
        match tag {
            TagEnd::Paragraph => self.end_run(),
            TagEnd::Heading(_) => self.end_heading(),
            TagEnd::BlockQuote(_) => {
                self.end_run();
                self.quote_depth = self.quote_depth.saturating_sub(1);
                self.frames.pop();
            }
            TagEnd::List(_) | TagEnd::FootnoteDefinition | TagEnd::DefinitionList
            | TagEnd::DefinitionListTitle | TagEnd::DefinitionListDefinition => {
                self.end_run();
                self.frames.pop();
            }
            TagEnd::Item => {
                self.end_run();
                if let Some(Frame::Item { task: Some(idx), .. }) = self.frames.pop() {
                    self.open_tasks.pop();
                    self.classify_signoff_task(idx);
                }
            }
            TagEnd::CodeBlock => self.end_code()?,
            TagEnd::Table => {
                self.table_depth = self.table_depth.saturating_sub(1);
                if let Some(t) = self.table.take() {
                    self.signoff_table(t);
                }
            }
            TagEnd::TableHead => {
                if let Some(t) = &mut self.table {
                    t.in_head = false;
                }
            }
            TagEnd::TableCell => {
                if let Some(t) = &mut self.table {
                    let cell = collapse_ws(&std::mem::take(&mut t.cell));
                    if t.in_head {
                        t.header.push(cell);
                    } else if let Some((_, row)) = t.rows.last_mut() {
                        row.push(cell);
                    }
                }
            }
            TagEnd::MetadataBlock(_) => {
                if let Some((yaml, line, text)) = self.meta.take() {
                    self.metadata = front_matter::parse(&text, yaml).map_err(|(l, message)| ImportError::FrontMatter {
                        name: self.name.to_string(),
                        line: line + 1 + l,
                        message,
                    })?;
                }
            }
            TagEnd::Strong => {
                if let Some(run) = &mut self.run {
                    run.strong_depth = run.strong_depth.saturating_sub(1);
                }
            }
            TagEnd::HtmlBlock
            | TagEnd::TableRow
            | TagEnd::Emphasis
            | TagEnd::Strikethrough
            | TagEnd::Superscript
            | TagEnd::Subscript
            | TagEnd::Link
            | TagEnd::Image => {}
        }
        Ok(())
    }

    fn task_marker(&mut self, checked: bool, offset: usize) -> Result<()> {
        let Some(Frame::Item { start, task }) = self.frames.last_mut() else {
            // pulldown-cmark only emits the marker first in a list item; anything else is ignored.
            return Ok(());
        };
        // A marker inside a block quote is not a task for cmark-gfm, the reference implementation: follow it.
        if task.is_some() || self.quote_depth > 0 {
            return Ok(());
        }
        let start = *start;
        let line = self.lines.line(start);
        if self.open_tasks.len() >= MAX_ITEM_DEPTH {
            return Err(ImportError::TooDeep { name: self.name.to_string(), line, max: MAX_ITEM_DEPTH });
        }
        let idx = self.nodes.len();
        if let Some(Frame::Item { task, .. }) = self.frames.last_mut() {
            *task = Some(idx);
        }
        let parent = self.open_tasks.last().copied();
        let (phase, section) = match parent {
            Some(p) => (self.nodes[p].phase, self.nodes[p].section),
            None => self.ensure_section(line),
        };
        if let Some(p) = parent {
            self.nodes[p].children.push(idx);
        }
        self.nodes.push(Node {
            line,
            checked,
            text: String::new(),
            parent,
            phase,
            section,
            children: Vec::new(),
            commands: Vec::new(),
            probes: Vec::new(),
            signoff: None,
        });
        self.open_tasks.push(idx);
        self.last_task = Some(idx);
        self.run_at(offset).task = Some(idx);
        Ok(())
    }

    /// A task item that reads as a sign-off line (`- [ ] Technical Lead: ____ Date: ____`) becomes one, as long
    /// as no item, probe or code block hangs under it.
    fn classify_signoff_task(&mut self, idx: usize) {
        let ctx = self.signoff_context();
        let node = &self.nodes[idx];
        let item_children = node.children.iter().any(|c| self.nodes[*c].signoff.is_none());
        if item_children || !node.probes.is_empty() || node.commands.iter().any(|c| c.kind == CommandKind::Block) {
            return;
        }
        if let Some(role) = signoff_role(&node.text, ctx).or_else(|| task_signoff_role(&node.text, ctx)) {
            self.nodes[idx].signoff = Some(role);
            self.nodes[idx].commands.clear();
        }
    }

    fn end_run(&mut self) {
        let Some(run) = self.run.take() else { return };
        if let Some(idx) = run.task {
            self.nodes[idx].text = run.flat_text();
            return;
        }
        // `**Commands**:` alone in its paragraph labels the code block that follows, and `**Approved By**:`
        // puts the lines after it in a sign-off context.
        let other = run.other_text.trim();
        let strong = run.strong_text.trim();
        let label = collapse_ws(strong.trim_end_matches(':'));
        if !label.is_empty() && (other.is_empty() || other == ":") && strong.chars().count() <= 80 {
            self.label_ctx = is_signoff_context(&label);
            self.label_armed = true;
            self.pending_label = Some(label);
            return;
        }
        self.pending_label = None;
        // Block quotes hold notes (run exports write theirs there): never sign-offs.
        if self.quote_depth > 0 || !run.text.contains("___") {
            return;
        }
        let ctx = self.signoff_context();
        for (i, l) in run.text.split('\n').enumerate() {
            if let Some(role) = signoff_role(l, ctx) {
                let line = run.line + u32::try_from(i).unwrap_or(0);
                self.push_signoff(role, line, false);
            }
        }
    }

    /// A table is a sign-off table when a header names the role column (`Role`, `Approver`, `Sign-off`) and
    /// either another header asks for a signature/sign-off or the table stands in a sign-off context. Each body
    /// row with a role is a sign-off line (no box).
    fn signoff_table(&mut self, t: TableBuf) {
        let lower: Vec<String> = t.header.iter().map(|h| h.to_lowercase()).collect();
        let Some(col) = lower.iter().position(|h| {
            matches!(h.as_str(), "role" | "roles" | "approver" | "approvers" | "approval" | "sign-off" | "signoff" | "function" | "position")
        }) else {
            return;
        };
        let asks_signature = lower.iter().any(|h| h.contains("signature") || h.contains("sign-off") || h.contains("signed") || h.contains("approved"));
        if !(asks_signature || self.signoff_context()) || !self.open_tasks.is_empty() {
            return;
        }
        for (line, row) in t.rows.iter().filter(|(_, r)| !r.is_empty()) {
            let Some(role) = row.get(col).map(|r| r.trim_matches(|c: char| c == '_' || c.is_whitespace())) else { continue };
            if role.is_empty() || role.starts_with('[') || role.contains(':') || role.chars().count() > 60 {
                continue;
            }
            self.push_signoff(role.to_string(), *line, false);
        }
    }

    fn push_signoff(&mut self, role: String, line: u32, checkbox: bool) {
        let phase = self.phases.last();
        let section = phase.and_then(|p| self.cur_section.map(|s| p.sections[s].id.clone()));
        self.signoffs.push(SignoffLine { role, line, checkbox, phase: phase.map(|p| p.id.clone()), section });
    }

    fn end_heading(&mut self) {
        let Some((level, line, raw)) = self.heading.take() else { return };
        if self.in_container() {
            return;
        }
        let level = match level {
            HeadingLevel::H1 => 1u8,
            HeadingLevel::H2 => 2,
            HeadingLevel::H3 => 3,
            HeadingLevel::H4 => 4,
            HeadingLevel::H5 => 5,
            HeadingLevel::H6 => 6,
        };
        self.label_ctx = false;
        self.label_armed = false;
        self.last_task = None;
        if level == 1 && !self.h1_phases && !self.title_is_h1 {
            // The checklist title keeps any parenthesis: a checklist has no timing of its own.
            self.title = Some(plain_title(&raw));
            self.title_is_h1 = true;
            return;
        }
        let (title, timing) = heading_title(&raw);
        // Normalised so that phases are level 2 and sections 3 and deeper.
        let level = if self.h1_phases { level + 1 } else { level.max(2) };
        if level == 2 {
            let key = normalise(&title);
            let occ = bump(&mut self.phase_occ, key.clone());
            let id = short_id(&["phase", &key, &occ]);
            self.phase_ctx = is_signoff_context(&title);
            self.section_ctx = false;
            self.cur_section = None;
            self.phases.push(Phase { id, rollback: is_rollback_title(&title), title, line, timing, sections: Vec::new() });
        } else {
            if self.phases.is_empty() {
                self.push_implicit_phase();
            }
            self.section_ctx = is_signoff_context(&title);
            self.push_section(title, line, level, timing);
        }
    }

    fn push_implicit_phase(&mut self) {
        let occ = bump(&mut self.phase_occ, String::new());
        self.phases.push(Phase {
            id: short_id(&["phase", "", &occ]),
            title: String::new(),
            line: 0,
            timing: None,
            rollback: false,
            sections: Vec::new(),
        });
        self.cur_section = None;
        self.phase_ctx = false;
    }

    fn push_section(&mut self, title: String, line: u32, level: u8, timing: Option<crate::checklist::Timing>) {
        let Some(phase) = self.phases.last_mut() else { return };
        let key = format!("{}\u{1f}{}", normalise(&phase.title), normalise(&title));
        let occ = bump(&mut self.section_occ, key.clone());
        let rollback = phase.rollback || is_rollback_title(&title);
        phase.sections.push(Section {
            id: short_id(&["section", &key, &occ]),
            title,
            line,
            level,
            timing,
            rollback,
            items: Vec::new(),
            commands: Vec::new(),
        });
        self.cur_section = Some(phase.sections.len() - 1);
    }

    /// The current (phase, section), creating the implicit phase and/or the untitled section when needed.
    fn ensure_section(&mut self, line: u32) -> (usize, usize) {
        if self.phases.is_empty() {
            self.push_implicit_phase();
        }
        if self.cur_section.is_none() {
            self.push_section(String::new(), line, 0, None);
        }
        (self.phases.len() - 1, self.cur_section.unwrap_or(0))
    }

    fn end_code(&mut self) -> Result<()> {
        let Some(code) = self.code.take() else { return Ok(()) };
        let target = self.open_tasks.last().copied();
        if code.lang.as_deref() == Some("probe") {
            let Some(idx) = target.or(self.last_task) else {
                return Err(self.invalid(code.line, "probe block is not under a task item (indent it under the item it checks)"));
            };
            let spec = crate::probe::parse(&code.text).map_err(|e| ImportError::Probe {
                name: self.name.to_string(),
                line: code.line,
                field: e.field.clone(),
                message: e.message.clone(),
            })?;
            self.nodes[idx].probes.push(ProbeDecl { line: code.line, source: code.text, spec });
            return Ok(());
        }
        let mut text = code.text;
        if text.ends_with('\n') {
            text.pop();
        }
        let command = Command { text, kind: CommandKind::Block, lang: code.lang, label: code.label, line: code.line };
        match target {
            Some(idx) => self.nodes[idx].commands.push(command),
            None => {
                let (p, s) = self.ensure_section(code.line);
                self.phases[p].sections[s].commands.push(command);
            }
        }
        Ok(())
    }

    /// Assemble the item tree from the arena (children always have larger indices than their parent, so one
    /// reverse sweep builds every subtree before its parent needs it).
    fn finish(mut self) -> Checklist {
        // Titles from front matter or the file name are normalised like heading titles (literal backticks
        // escaped as in any inline text).
        let fallback = |t: &str| {
            let mut out = String::new();
            push_plain(&mut out, &plain_title(t));
            out
        };
        let title = match self.title.take() {
            Some(t) => t,
            None => match self.metadata.get("title") {
                Some(serde_json::Value::String(t)) => fallback(t),
                _ => {
                    let base = self.name.rsplit(['/', '\\']).next().unwrap_or(self.name);
                    fallback(base.rsplit_once('.').map(|(stem, _)| stem).filter(|s| !s.is_empty()).unwrap_or(base))
                }
            },
        };

        // Ids in document order: phase and section titles, the parent path and the text, plus an occurrence
        // counter for exact duplicates.
        let mut paths: Vec<String> = Vec::with_capacity(self.nodes.len());
        let mut ids: Vec<String> = Vec::with_capacity(self.nodes.len());
        let mut occ: HashMap<String, u32> = HashMap::new();
        let section_keys: Vec<Vec<String>> = self
            .phases
            .iter()
            .map(|p| {
                let pk = normalise(&p.title);
                p.sections.iter().map(|s| format!("{pk}\u{1f}{}", normalise(&s.title))).collect()
            })
            .collect();
        for n in &self.nodes {
            let own = normalise(&n.text);
            let path = match n.parent {
                Some(p) => format!("{}\u{1e}{own}", paths[p]),
                None => own,
            };
            let key = format!("{}\u{1f}{path}", section_keys[n.phase][n.section]);
            let id = if n.signoff.is_some() {
                String::new()
            } else {
                let o = bump(&mut occ, key.clone());
                short_id(&["item", &key, &o])
            };
            paths.push(path);
            ids.push(id);
        }

        let mut built: Vec<Option<Item>> = Vec::with_capacity(self.nodes.len());
        built.resize_with(self.nodes.len(), || None);
        for idx in (0..self.nodes.len()).rev() {
            if self.nodes[idx].signoff.is_some() {
                continue;
            }
            let children: Vec<Item> = std::mem::take(&mut self.nodes[idx].children)
                .into_iter()
                .filter_map(|c| built[c].take())
                .collect();
            let n = &mut self.nodes[idx];
            built[idx] = Some(Item {
                id: std::mem::take(&mut ids[idx]),
                line: n.line,
                text: std::mem::take(&mut n.text),
                checked: n.checked,
                children,
                commands: std::mem::take(&mut n.commands),
                probes: std::mem::take(&mut n.probes),
            });
        }
        let mut signoffs = std::mem::take(&mut self.signoffs);
        for (idx, n) in self.nodes.iter_mut().enumerate() {
            if let Some(role) = n.signoff.take() {
                let phase = &self.phases[n.phase];
                signoffs.push(SignoffLine {
                    role,
                    line: n.line,
                    checkbox: true,
                    phase: Some(phase.id.clone()),
                    section: Some(phase.sections[n.section].id.clone()),
                });
            } else if n.parent.is_none() {
                if let Some(item) = built[idx].take() {
                    self.phases[n.phase].sections[n.section].items.push(item);
                }
            }
        }
        signoffs.sort_by_key(|s| s.line);
        // A box sign-off opens the untitled section of its phase like any task; when nothing else landed there,
        // the section is noise: drop it and let the sign-off stand directly under the phase.
        for phase in &mut self.phases {
            phase.sections.retain(|sec| {
                let empty = sec.level == 0 && sec.title.is_empty() && sec.items.is_empty() && sec.commands.is_empty();
                if empty {
                    for so in signoffs.iter_mut().filter(|so| so.section.as_deref() == Some(sec.id.as_str())) {
                        so.section = None;
                    }
                }
                !empty
            });
        }
        Checklist { title, metadata: self.metadata, phases: self.phases, signoffs, contacts: Vec::new() }
    }
}

/// Count an occurrence of `key`, returning the previous count as the id suffix ("" for the first).
fn bump(map: &mut HashMap<String, u32>, key: String) -> String {
    let n = map.entry(key).or_insert(0);
    *n += 1;
    if *n == 1 {
        String::new()
    } else {
        (*n - 1).to_string()
    }
}
