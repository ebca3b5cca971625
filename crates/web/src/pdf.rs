//! Reports as PDF, made in-process: headings, paragraphs, tables and bar charts
//! drawn as vectors, laid out on A4 pages in the standard Helvetica fonts (which
//! every PDF reader has, so nothing is embedded). The text is real text, so it can
//! be searched, copied and read aloud. The pages are not tagged yet.

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

/// Lays the blocks out page by page.
struct Layout {
    pages: Vec<Content>,
    y: f32,
}

impl Layout {
    fn page(&mut self) -> &mut Content {
        self.pages.last_mut().expect("a page")
    }

    /// Room for `height` more points on this page, or a new page.
    fn room(&mut self, height: f32) {
        if self.y - height < MARGIN + 20.0 {
            self.pages.push(Content::new());
            self.y = HEIGHT - MARGIN;
        }
    }

    fn text(&mut self, x: f32, text: &str, font: Name, size: f32) {
        let y = self.y;
        let page = self.page();
        page.begin_text().set_font(font, size).next_line(x, y).show(Str(&encode(text))).end_text();
    }

    fn lines(&mut self, text: &str, font: Name, size: f32, gap_after: f32) {
        for line in wrap(text, size, WIDTH - 2.0 * MARGIN) {
            self.room(size * 1.4);
            self.y -= size * 1.4;
            self.text(MARGIN, &line, font, size);
        }
        self.y -= gap_after;
    }

    fn rule(&mut self, y: f32) {
        self.page()
            .set_stroke_rgb(0.7, 0.7, 0.7)
            .set_line_width(0.5)
            .move_to(MARGIN, y)
            .line_to(WIDTH - MARGIN, y)
            .stroke();
    }

    fn table(&mut self, caption: &str, header: &[String], rows: &[Vec<String>]) {
        self.lines(caption, BOLD, 9.5, 2.0);
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
        let row = |layout: &mut Layout, cells: &[String], font: Name| {
            layout.room(16.0);
            layout.y -= 14.0;
            for (i, cell) in cells.iter().enumerate() {
                let text = fit(cell, 9.0, width_of(i));
                layout.text(x_of(i), &text, if i == 0 { BOLD } else { font }, 9.0);
            }
            let y = layout.y - 4.0;
            layout.rule(y);
        };
        // The header's words wrap within their columns rather than being cut.
        let wrapped: Vec<Vec<String>> = header.iter().enumerate().map(|(i, h)| wrap(h, 9.0, width_of(i))).collect();
        let depth = wrapped.iter().map(Vec::len).max().unwrap_or(1).max(1);
        self.room(12.0 * depth as f32 + 4.0);
        for line in 0..depth {
            self.y -= if line == 0 { 14.0 } else { 11.0 };
            for (i, lines) in wrapped.iter().enumerate() {
                if let Some(text) = lines.get(line) {
                    self.text(x_of(i), text, BOLD, 9.0);
                }
            }
        }
        let y = self.y - 4.0;
        self.rule(y);
        for cells in rows {
            row(self, cells, REGULAR);
        }
        self.y -= 12.0;
    }

    fn bars(&mut self, caption: &str, bars: &[(String, f64, String)]) {
        self.lines(caption, BOLD, 9.5, 4.0);
        let (label_width, bar_width) = (150.0, WIDTH - 2.0 * MARGIN - 150.0 - 60.0);
        for (label, share, figure) in bars {
            self.room(18.0);
            self.y -= 16.0;
            self.text(MARGIN, &fit(label, 9.0, label_width - 6.0), REGULAR, 9.0);
            let (x, y, w) = (MARGIN + label_width, self.y - 2.0, bar_width * share.clamp(0.0, 1.0) as f32);
            self.page().set_fill_rgb(0.05, 0.36, 0.32).rect(x, y, w.max(0.5), 10.0).fill_nonzero();
            self.page().set_fill_rgb(0.0, 0.0, 0.0);
            self.text(x + w + 6.0, figure, REGULAR, 9.0);
        }
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
    let mut layout = Layout { pages: vec![Content::new()], y: HEIGHT - MARGIN };
    layout.lines(&report.title, BOLD, 18.0, 2.0);
    layout.lines(&report.subtitle, REGULAR, 9.0, 12.0);
    for block in &report.blocks {
        match block {
            Block::Heading(text) => {
                layout.room(60.0);
                layout.y -= 6.0;
                layout.lines(text, BOLD, 13.0, 4.0);
            }
            Block::Paragraph(text) => layout.lines(text, REGULAR, 10.0, 6.0),
            Block::Table { caption, header, rows } => layout.table(caption, header, rows),
            Block::Bars { caption, bars } => layout.bars(caption, bars),
        }
    }
    write(report, layout.pages)
}

fn write(report: &Report, mut pages: Vec<Content>) -> Vec<u8> {
    let (catalog, tree, info, regular, bold) = (Ref::new(1), Ref::new(2), Ref::new(3), Ref::new(4), Ref::new(5));
    let count = pages.len();
    let page_ids: Vec<Ref> = (0..count).map(|i| Ref::new(10 + 2 * i as i32)).collect();
    let mut pdf = Pdf::new();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree).kids(page_ids.iter().copied()).count(count as i32);
    pdf.document_info(info).title(TextStr(&report.title)).creator(TextStr("Candour"));
    pdf.type1_font(regular).base_font(Name(b"Helvetica")).encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.type1_font(bold).base_font(Name(b"Helvetica-Bold")).encoding_predefined(Name(b"WinAnsiEncoding"));
    for (i, content) in pages.iter_mut().enumerate() {
        let footer = format!("{} · page {} of {count}", report.title, i + 1);
        content
            .begin_text()
            .set_font(REGULAR, 8.0)
            .next_line(MARGIN, MARGIN - 20.0)
            .show(Str(&encode(&footer)))
            .end_text();
    }
    for (i, content) in pages.into_iter().enumerate() {
        let (page_id, content_id) = (page_ids[i], Ref::new(11 + 2 * i as i32));
        let mut page = pdf.page(page_id);
        page.parent(tree).media_box(Rect::new(0.0, 0.0, WIDTH, HEIGHT)).contents(content_id);
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
}
