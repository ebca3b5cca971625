//! A spreadsheet in the OpenDocument format (`.ods`), written a row at a time into
//! its zip, so that a national file is never held whole in memory. Every cell is
//! text, as in the regulator's own files.

use candour_domain::markup::escape;
use std::io::{Seek, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

const MIMETYPE: &str = "application/vnd.oasis.opendocument.spreadsheet";

const MANIFEST: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">
 <manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>
 <manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
</manifest:manifest>
"#;

pub struct OdsWriter<W: Write + Seek> {
    zip: ZipWriter<W>,
}

impl<W: Write + Seek> OdsWriter<W> {
    /// Starts a spreadsheet with one sheet called `sheet`.
    pub fn new(out: W, sheet: &str) -> zip::result::ZipResult<Self> {
        let mut zip = ZipWriter::new(out);
        // The format asks for the media type first and uncompressed, so that it can be sniffed.
        zip.start_file("mimetype", SimpleFileOptions::default().compression_method(CompressionMethod::Stored))?;
        zip.write_all(MIMETYPE.as_bytes())?;
        let deflated = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
        zip.start_file("META-INF/manifest.xml", deflated)?;
        zip.write_all(MANIFEST.as_bytes())?;
        zip.start_file("content.xml", deflated)?;
        write!(
            zip,
            r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet><table:table table:name="{}">"#,
            escape(sheet)
        )?;
        Ok(Self { zip })
    }

    pub fn row(&mut self, cells: &[String]) -> std::io::Result<()> {
        self.zip.write_all(b"<table:table-row>")?;
        for cell in cells {
            if cell.is_empty() {
                self.zip.write_all(b"<table:table-cell/>")?;
            } else {
                write!(
                    self.zip,
                    r#"<table:table-cell office:value-type="string"><text:p>{}</text:p></table:table-cell>"#,
                    escape(cell)
                )?;
            }
        }
        self.zip.write_all(b"</table:table-row>\n")
    }

    pub fn finish(mut self) -> zip::result::ZipResult<W> {
        self.zip.write_all(b"</table:table></office:spreadsheet></office:body></office:document-content>\n")?;
        self.zip.finish()
    }
}
