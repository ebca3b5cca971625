//! Reports as PDF, made in-process: headings, paragraphs, tables and bar charts
//! drawn as vectors, laid out on A4 pages in the standard Helvetica fonts (which
//! every PDF reader has, so nothing is embedded). The text is real text, so it can
//! be searched, copied and read aloud. The PDF is tagged: every heading, paragraph,
//! table cell and chart is an element of a structure tree over the text that draws
//! it, so that a screen reader reads the report in order and its tables as tables;
//! rules and page footers are marked as artifacts.

use pdf_writer::types::{ArtifactType, StructRole, TabOrder};
use pdf_writer::writers::StructTreeRoot;
use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

/// What a report is made of, in reading order.
pub enum Block {
    Heading(String),
    Paragraph(String),
    /// A caption, a header row and rows; the first column is the widest.
    Table {
        caption: String,
        header: Vec<String>,
        rows: Vec<Vec<String>>,
    },
    /// A caption and bars, each a label, a share from 0 to 1 and its figure in words.
    Bars {
        caption: String,
        bars: Vec<(String, f64, String)>,
    },
}

pub struct Report {
    pub title: String,
    /// Under the title: where it is from and when it was made.
    pub subtitle: String,
    pub blocks: Vec<Block>,
}

const WIDTH: f32 = 595.0;
const HEIGHT: f32 = 842.0;
const MARGIN: f32 = 50.0;
const REGULAR: Name = Name(b"F1");
const BOLD: Name = Name(b"F2");

/// Text in the fonts' encoding (WinAnsi): the typographic marks we use have their
/// own codes; anything else outside it becomes "?".
fn encode(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            ' '..='~' => c as u8,
            '–' => 0x96,
            '—' => 0x97,
            '‘' => 0x91,
            '’' => 0x92,
            '“' => 0x93,
            '”' => 0x94,
            '•' => 0x95,
            '…' => 0x85,
            '£' => 0xA3,
            '·' => 0xB7,
            '×' => 0xD7,
            'é' => 0xE9,
            _ => b'?',
        })
        .collect()
}

/// About how wide a text is in Helvetica: good enough to wrap and to cut cells.
fn text_width(text: &str, size: f32) -> f32 {
    text.chars()
        .map(|c| {
            if c.is_ascii_uppercase() || c == 'm' || c == 'w' {
                0.68
            } else if c == ' ' || "il.,:;'|".contains(c) {
                0.28
            } else {
                0.53
            }
        })
        .sum::<f32>()
        * size
}

/// Words laid into lines no wider than `width`.
fn wrap(text: &str, size: f32, width: f32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let candidate = if line.is_empty() { word.to_string() } else { format!("{line} {word}") };
        if text_width(&candidate, size) > width && !line.is_empty() {
            lines.push(std::mem::replace(&mut line, word.to_string()));
        } else {
            line = candidate;
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// Cuts a cell's text to fit its column, marking the cut.
fn fit(text: &str, size: f32, width: f32) -> String {
    if text_width(text, size) <= width {
        return text.to_string();
    }
    let mut cut = String::new();
    for c in text.chars() {
        if text_width(&format!("{cut}{c}…"), size) > width {
            break;
        }
        cut.push(c);
    }
    format!("{}…", cut.trim_end())
}

/// An element of the structure tree: its role, its parent and its children, in
/// reading order. Element 0 is the document.
struct Element {
    role: StructRole,
    parent: usize,
    kids: Vec<Kid>,
    /// What a figure shows, in words.
    alt: Option<String>,
}

enum Kid {
    Element(usize),
    /// Marked content on a page, by its identifier there.
    Content {
        page: usize,
        mcid: i32,
    },
}

/// Lays the blocks out page by page, tagging what it draws.
struct Layout {
    pages: Vec<Content>,
    /// The next marked-content identifier of each page.
    next_mcid: Vec<i32>,
    y: f32,
    elements: Vec<Element>,
    /// The elements open now, innermost last.
    open: Vec<usize>,
}

impl Layout {
    fn new() -> Self {
        let document = Element { role: StructRole::Document, parent: 0, kids: Vec::new(), alt: None };
        Layout {
            pages: vec![Content::new()],
            next_mcid: vec![0],
            y: HEIGHT - MARGIN,
            elements: vec![document],
            open: vec![0],
        }
    }

    fn page(&mut self) -> &mut Content {
        self.pages.last_mut().expect("a page")
    }

    /// Room for `height` more points on this page, or a new page.
    fn room(&mut self, height: f32) {
        if self.y - height < MARGIN + 20.0 {
            self.pages.push(Content::new());
            self.next_mcid.push(0);
            self.y = HEIGHT - MARGIN;
        }
    }

    /// Opens an element inside the one open now; what is drawn next belongs to it.
    fn open(&mut self, role: StructRole, alt: Option<String>) {
        let parent = *self.open.last().expect("the document is open");
        let id = self.elements.len();
        self.elements.push(Element { role, parent, kids: Vec::new(), alt });
        self.elements[parent].kids.push(Kid::Element(id));
        self.open.push(id);
    }

    fn close(&mut self) {
        self.open.pop();
    }

    /// Draws into the page as marked content of the element open now.
    fn marked(&mut self, draw: impl FnOnce(&mut Content)) {
        let element = *self.open.last().expect("an element is open");
        let page = self.pages.len() - 1;
        let mcid = self.next_mcid[page];
        self.next_mcid[page] += 1;
        self.elements[element].kids.push(Kid::Content { page, mcid });
        let role = self.elements[element].role;
        let content = self.page();
        content.begin_marked_content_with_properties(role.to_name()).properties().identify(mcid);
        draw(content);
        content.end_marked_content();
    }

    fn text(&mut self, x: f32, text: &str, font: Name, size: f32) {
        let y = self.y;
        self.marked(|page| {
            page.begin_text().set_font(font, size).next_line(x, y).show(Str(&encode(text))).end_text();
        });
    }

    /// Wrapped lines, all of one element of this role.
    fn lines(&mut self, role: StructRole, text: &str, font: Name, size: f32, gap_after: f32) {
        self.open(role, None);
        for line in wrap(text, size, WIDTH - 2.0 * MARGIN) {
            self.room(size * 1.4);
            self.y -= size * 1.4;
            self.text(MARGIN, &line, font, size);
        }
        self.close();
        self.y -= gap_after;
    }

    /// A rule between rows: a layout artifact, not content.
    fn rule(&mut self, y: f32) {
        let page = self.page();
        page.begin_marked_content_with_properties(Name(b"Artifact")).properties().artifact().kind(ArtifactType::Layout);
        page.set_stroke_rgb(0.7, 0.7, 0.7).set_line_width(0.5).move_to(MARGIN, y).line_to(WIDTH - MARGIN, y).stroke();
        page.end_marked_content();
    }

    fn table(&mut self, caption: &str, header: &[String], rows: &[Vec<String>]) {
        self.open(StructRole::Table, None);
        self.lines(StructRole::Caption, caption, BOLD, 9.5, 2.0);
        let columns = header.len().max(1);
        let usable = WIDTH - 2.0 * MARGIN;
        // Wide tables give their first column less, so that a heading like "Outstanding" fits.
        let first = match columns {
            1 => usable,
            2..=4 => usable * 0.34,
            _ => usable * 0.27,
        };
        let other = if columns > 1 { (usable - first) / (columns - 1) as f32 } else { 0.0 };
        let x_of = |i: usize| if i == 0 { MARGIN } else { MARGIN + first + other * (i - 1) as f32 };
        let width_of = |i: usize| if i == 0 { first } else { other } - 6.0;
        // Each row's first cell heads it.
        let row = |layout: &mut Layout, cells: &[String], font: Name| {
            layout.room(16.0);
            layout.y -= 14.0;
            layout.open(StructRole::TR, None);
            for (i, cell) in cells.iter().enumerate() {
                let text = fit(cell, 9.0, width_of(i));
                layout.open(if i == 0 { StructRole::TH } else { StructRole::TD }, None);
                layout.text(x_of(i), &text, if i == 0 { BOLD } else { font }, 9.0);
                layout.close();
            }
            layout.close();
            let y = layout.y - 4.0;
            layout.rule(y);
        };
        // The header's words wrap within their columns rather than being cut.
        let wrapped: Vec<Vec<String>> = header.iter().enumerate().map(|(i, h)| wrap(h, 9.0, width_of(i))).collect();
        let depth = wrapped.iter().map(Vec::len).max().unwrap_or(1).max(1);
        self.room(12.0 * depth as f32 + 4.0);
        let top = self.y;
        // The header row: each heading's lines make one cell.
        self.open(StructRole::TR, None);
        for (i, lines) in wrapped.iter().enumerate() {
            self.open(StructRole::TH, None);
            self.y = top;
            for (n, text) in lines.iter().enumerate() {
                self.y -= if n == 0 { 14.0 } else { 11.0 };
                self.text(x_of(i), text, BOLD, 9.0);
            }
            self.close();
        }
        self.close();
        self.y = top - 14.0 - 11.0 * (depth - 1) as f32;
        let y = self.y - 4.0;
        self.rule(y);
        for cells in rows {
            row(self, cells, REGULAR);
        }
        self.close();
        self.y -= 12.0;
    }

    /// A bar chart: a figure whose words say what it shows.
    fn bars(&mut self, caption: &str, bars: &[(String, f64, String)]) {
        let said: Vec<String> = bars.iter().map(|(label, _, figure)| format!("{label}: {figure}")).collect();
        self.open(StructRole::Figure, Some(format!("{caption}. {}.", said.join("; "))));
        self.lines(StructRole::Caption, caption, BOLD, 9.5, 4.0);
        let (label_width, bar_width) = (150.0, WIDTH - 2.0 * MARGIN - 150.0 - 60.0);
        for (label, share, figure) in bars {
            self.room(18.0);
            self.y -= 16.0;
            self.text(MARGIN, &fit(label, 9.0, label_width - 6.0), REGULAR, 9.0);
            let (x, y, w) = (MARGIN + label_width, self.y - 2.0, bar_width * share.clamp(0.0, 1.0) as f32);
            self.marked(|page| {
                page.set_fill_rgb(0.05, 0.36, 0.32).rect(x, y, w.max(0.5), 10.0).fill_nonzero();
                page.set_fill_rgb(0.0, 0.0, 0.0);
            });
            self.text(x + w + 6.0, figure, REGULAR, 9.0);
        }
        self.close();
        self.y -= 14.0;
    }
}

/// The report as a PDF download named `file`.
pub fn response(report: &Report, file: &str) -> axum::response::Response {
    use axum::http::header;
    use axum::response::IntoResponse;
    let disposition = format!("inline; filename=\"{}\"", file.replace(['"', '\\', '\r', '\n'], ""));
    (
        [(header::CONTENT_TYPE, "application/pdf".to_string()), (header::CONTENT_DISPOSITION, disposition)],
        render(report),
    )
        .into_response()
}

/// The report as a PDF document.
pub fn render(report: &Report) -> Vec<u8> {
    let mut layout = Layout::new();
    layout.lines(StructRole::H1, &report.title, BOLD, 18.0, 2.0);
    layout.lines(StructRole::P, &report.subtitle, REGULAR, 9.0, 12.0);
    for block in &report.blocks {
        match block {
            Block::Heading(text) => {
                layout.room(60.0);
                layout.y -= 6.0;
                layout.lines(StructRole::H2, text, BOLD, 13.0, 4.0);
            }
            Block::Paragraph(text) => layout.lines(StructRole::P, text, REGULAR, 10.0, 6.0),
            Block::Table { caption, header, rows } => layout.table(caption, header, rows),
            Block::Bars { caption, bars } => layout.bars(caption, bars),
        }
    }
    write(report, layout)
}

fn write(report: &Report, layout: Layout) -> Vec<u8> {
    let Layout { mut pages, elements, .. } = layout;
    let (catalog, tree, info, regular, bold, root) =
        (Ref::new(1), Ref::new(2), Ref::new(3), Ref::new(4), Ref::new(5), Ref::new(6));
    let count = pages.len();
    let page_ids: Vec<Ref> = (0..count).map(|i| Ref::new(10 + 2 * i as i32)).collect();
    // After the pages and their contents: the elements, then each page's parent array.
    let element_ref = |i: usize| Ref::new(10 + 2 * count as i32 + i as i32);
    let parents_ref = |page: usize| Ref::new(10 + 2 * count as i32 + elements.len() as i32 + page as i32);
    let mut pdf = Pdf::new();
    {
        let mut cat = pdf.catalog(catalog);
        cat.pages(tree).lang(TextStr("en-GB")).pair(Name(b"StructTreeRoot"), root);
        cat.mark_info().marked(true);
        cat.viewer_preferences().display_doc_title(true);
    }
    pdf.pages(tree).kids(page_ids.iter().copied()).count(count as i32);
    pdf.document_info(info).title(TextStr(&report.title)).creator(TextStr("Candour"));
    pdf.type1_font(regular).base_font(Name(b"Helvetica")).encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.type1_font(bold).base_font(Name(b"Helvetica-Bold")).encoding_predefined(Name(b"WinAnsiEncoding"));

    // The structure: the tree's root, each element, and for each page the element
    // that owns each of its marked-content identifiers.
    {
        let mut tree_root = pdf.indirect(root).start::<StructTreeRoot>();
        tree_root.child(element_ref(0));
        {
            let mut parents = tree_root.parent_tree();
            let mut nums = parents.nums();
            for page in 0..count {
                nums.insert(page as i32, parents_ref(page));
            }
        }
        tree_root.parent_tree_next_key(count as i32);
    }
    let mut owners: Vec<Vec<(i32, Ref)>> = vec![Vec::new(); count];
    for (i, element) in elements.iter().enumerate() {
        let mut writer = pdf.struct_element(element_ref(i));
        writer.kind(element.role).parent(if i == 0 { root } else { element_ref(element.parent) });
        if let Some(alt) = &element.alt {
            writer.alt(TextStr(alt));
        }
        let mut kids = writer.children();
        for kid in &element.kids {
            match kid {
                Kid::Element(child) => {
                    kids.struct_element(element_ref(*child));
                }
                Kid::Content { page, mcid } => {
                    kids.marked_content_ref().page(page_ids[*page]).marked_content_id(*mcid);
                    owners[*page].push((*mcid, element_ref(i)));
                }
            }
        }
    }
    for (page, mut owned) in owners.into_iter().enumerate() {
        owned.sort_by_key(|(mcid, _)| *mcid);
        pdf.indirect(parents_ref(page)).array().items(owned.into_iter().map(|(_, owner)| owner));
    }

    for (i, content) in pages.iter_mut().enumerate() {
        let footer = format!("{} · page {} of {count}", report.title, i + 1);
        content
            .begin_marked_content_with_properties(Name(b"Artifact"))
            .properties()
            .artifact()
            .kind(ArtifactType::Pagination);
        content
            .begin_text()
            .set_font(REGULAR, 8.0)
            .next_line(MARGIN, MARGIN - 20.0)
            .show(Str(&encode(&footer)))
            .end_text();
        content.end_marked_content();
    }
    for (i, content) in pages.into_iter().enumerate() {
        let (page_id, content_id) = (page_ids[i], Ref::new(11 + 2 * i as i32));
        let mut page = pdf.page(page_id);
        page.parent(tree).media_box(Rect::new(0.0, 0.0, WIDTH, HEIGHT)).contents(content_id);
        page.struct_parents(i as i32).tab_order(TabOrder::StructureOrder);
        page.resources().fonts().pair(REGULAR, regular).pair(BOLD, bold);
        page.finish();
        pdf.stream(content_id, &content.finish());
    }
    pdf.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_reports_flow_onto_more_pages_and_text_stays_text() {
        let rows: Vec<Vec<String>> = (0..120).map(|i| vec![format!("Service {i}"), "Good".into()]).collect();
        let report = Report {
            title: "Leeds – the local care market".into(),
            subtitle: "Made 7 December 2026".into(),
            blocks: vec![
                Block::Heading("Services".into()),
                Block::Paragraph("A paragraph long enough to wrap onto a second line of the page, and then onto a third line too, so that wrapping is exercised.".into()),
                Block::Table { caption: "Each service".into(), header: vec!["Service".into(), "Rating".into()], rows },
                Block::Bars { caption: "Good or better".into(), bars: vec![("Leeds".into(), 0.8, "80%".into())] },
            ],
        };
        let pdf = render(&report);
        assert!(pdf.starts_with(b"%PDF-"));
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.contains("/Count 3") || text.contains("/Count 4"), "120 rows need several pages");
        assert_eq!(encode("Leeds – “market”"), b"Leeds \x96 \x93market\x94");
        assert_eq!(wrap("one two three", 10.0, 40.0).len(), 2);
        assert!(fit("A very long name of a care home", 9.0, 60.0).ends_with('…'));
    }

    #[test]
    fn the_report_is_tagged_with_its_headings_tables_and_figures() {
        let report = Report {
            title: "Leeds".into(),
            subtitle: "Made today".into(),
            blocks: vec![
                Block::Heading("Services".into()),
                Block::Table {
                    caption: "Each service".into(),
                    header: vec!["Service".into(), "Rating".into()],
                    rows: vec![vec!["Rose Court".into(), "Good".into()]],
                },
                Block::Bars { caption: "Good or better".into(), bars: vec![("Leeds".into(), 0.8, "80%".into())] },
            ],
        };
        let pdf = render(&report);
        let text = String::from_utf8_lossy(&pdf);
        for part in [
            "/StructTreeRoot 6 0 R",
            "/Marked true",
            "/Lang (en-GB)",
            "/S /H1",
            "/S /H2",
            "/S /Table",
            "/S /Caption",
            "/S /TR",
            "/S /TH",
            "/S /TD",
            "/S /Figure",
            "/Alt (Good or better. Leeds: 80%.)",
            "/StructParents 0",
            "/Artifact",
        ] {
            assert!(text.contains(part), "{part}");
        }
        // Every marked content sequence is closed, and each text is inside one.
        assert_eq!(text.matches(" BDC").count(), text.matches("EMC").count());
    }
}
