//! HTML for emails: text made safe, and the page every HTML email is laid out on.

/// Text made safe in XML or HTML, as content or a quoted attribute.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

/// A whole HTML email: in English, titled, one readable column, with large enough
/// type and, when there is one, a footer set apart. `body` and `foot` are HTML.
pub fn email_page(title: &str, body: &str, foot: Option<&str>) -> String {
    let foot = foot.map_or(String::new(), |foot| {
        format!(
            "<footer style=\"max-width:40em;margin-top:24px;padding-top:12px;border-top:1px solid #b1b4b6;\
             font-size:16px;color:#484949\">\n<p>{foot}</p>\n</footer>\n"
        )
    });
    format!(
        "<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{title}</title>\n</head>\n\
         <body style=\"margin:0;padding:16px;background:#ffffff;color:#0b0c0c;font-family:Arial,sans-serif;\
         font-size:19px;line-height:1.5\">\n<main style=\"max-width:40em\">\n{body}</main>\n{foot}</body>\n</html>\n",
        title = escape(title),
    )
}

/// The HTML of a plain-text email: each paragraph (between blank lines) a paragraph,
/// its lines kept, and each web address a link.
pub fn text_to_html(title: &str, text: &str) -> String {
    let mut body = String::new();
    for paragraph in text.split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
        let lines: Vec<String> = paragraph.lines().map(linked).collect();
        body.push_str(&format!("<p>{}</p>\n", lines.join("<br>\n")));
    }
    email_page(title, &body, None)
}

/// A line with its web addresses as links, the rest escaped.
fn linked(line: &str) -> String {
    line.split(' ')
        .map(|word| {
            let url = word.trim_end_matches(['.', ',', ')']);
            if url.starts_with("https://") || url.starts_with("http://") {
                format!("<a href=\"{0}\">{0}</a>{1}", escape(url), escape(&word[url.len()..]))
            } else {
                escape(word)
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_becomes_paragraphs_with_its_links_escaped() {
        let html = text_to_html(
            "Alert <1>",
            "Hello Sam,\n\nLevel: 5\nWhy: \"harm\" & more\n\nRead it: https://c.example/a?x=1&y=2.\n",
        );
        assert!(html.contains("<title>Alert &lt;1&gt;</title>") && html.contains("<html lang=\"en-GB\">"));
        assert!(html.contains("<p>Hello Sam,</p>"), "{html}");
        assert!(html.contains("<p>Level: 5<br>\nWhy: &quot;harm&quot; &amp; more</p>"), "{html}");
        assert!(
            html.contains("<a href=\"https://c.example/a?x=1&amp;y=2\">https://c.example/a?x=1&amp;y=2</a>."),
            "{html}"
        );
        assert!(!html.contains("<footer"));
    }
}
