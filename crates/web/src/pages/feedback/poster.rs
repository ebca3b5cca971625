//! What a service puts on its wall: a QR code of its feedback form's short link,
//! as SVG (for print) or PNG (for documents), and a printable poster.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use qrcode::render::{Canvas, Pixel, svg};
use qrcode::{EcLevel, QrCode};

use super::{service, short_link};
use crate::error::{PageError, WebError, render};
use crate::state::AppState;
use crate::views::location_href;

/// The codes change only if the site's address does: a day's caching is safe.
const CACHE: &str = "public, max-age=86400";

/// The absolute short link the code encodes.
fn short_url(state: &AppState, id: &candour_domain::LocationId) -> String {
    format!("{}{}", state.config.public_url(), short_link(id))
}

/// Medium error correction: still readable with a crease, a smudge or glare.
pub(super) fn qr_code(url: &str) -> Result<QrCode, WebError> {
    QrCode::with_error_correction_level(url, EcLevel::M).map_err(|err| {
        tracing::error!(error = %err, url, "a feedback link could not be made into a QR code");
        WebError::Internal
    })
}

/// `GET /locations/{id}/feedback/qr.svg`
pub async fn qr_svg(State(state): State<AppState>, Path(raw_id): Path<String>) -> Result<Response, PageError> {
    let service = service(&state, &raw_id).await?;
    let code = qr_code(&short_url(&state, &service.id))?;
    let image = code.render::<svg::Color>().min_dimensions(400, 400).build();
    Ok(([(header::CONTENT_TYPE, "image/svg+xml"), (header::CACHE_CONTROL, CACHE)], image).into_response())
}

/// `GET /locations/{id}/feedback/qr.png`
pub async fn qr_png(State(state): State<AppState>, Path(raw_id): Path<String>) -> Result<Response, PageError> {
    let service = service(&state, &raw_id).await?;
    let code = qr_code(&short_url(&state, &service.id))?;
    let image = encode_png(&code.render::<Grey>().min_dimensions(600, 600).build()).map_err(|err| {
        tracing::error!(error = %err, "a QR code could not be encoded as PNG");
        WebError::Internal
    })?;
    Ok(([(header::CONTENT_TYPE, "image/png"), (header::CACHE_CONTROL, CACHE)], image).into_response())
}

/// A greyscale pixel, so the QR crate's renderer (quiet zone, scaling) draws
/// straight into a buffer the PNG encoder takes.
#[derive(Debug, Clone, Copy)]
struct Grey(u8);

impl Pixel for Grey {
    type Image = GreyImage;
    type Canvas = GreyImage;

    fn default_color(color: qrcode::Color) -> Self {
        Grey(color.select(0, 255))
    }
}

struct GreyImage {
    width: u32,
    height: u32,
    dark: u8,
    pixels: Vec<u8>,
}

impl Canvas for GreyImage {
    type Pixel = Grey;
    type Image = GreyImage;

    fn new(width: u32, height: u32, dark: Grey, light: Grey) -> Self {
        GreyImage { width, height, dark: dark.0, pixels: vec![light.0; width as usize * height as usize] }
    }

    fn draw_dark_pixel(&mut self, x: u32, y: u32) {
        self.pixels[y as usize * self.width as usize + x as usize] = self.dark;
    }

    fn into_image(self) -> GreyImage {
        self
    }
}

fn encode_png(image: &GreyImage) -> Result<Vec<u8>, png::EncodingError> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, image.width, image.height);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(&image.pixels)?;
    writer.finish()?;
    Ok(out)
}

#[derive(Template)]
#[template(path = "feedback/poster.html")]
struct PosterPage {
    title: String,
    service_name: String,
    service_href: String,
    short_url: String,
    svg_href: String,
    png_href: String,
}

/// `GET /locations/{id}/feedback/poster`: a page to print and put up.
pub async fn poster(State(state): State<AppState>, Path(raw_id): Path<String>) -> Result<Response, PageError> {
    let service = service(&state, &raw_id).await?;
    let base = super::form_href(&service.id);
    let page = PosterPage {
        title: format!("Poster: tell us what you think of {}", service.name),
        service_href: location_href(service.id.as_str()),
        short_url: short_url(&state, &service.id),
        svg_href: format!("{base}/qr.svg"),
        png_href: format!("{base}/qr.png"),
        service_name: service.name,
    };
    Ok(render(StatusCode::OK, &page))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_png_has_the_codes_modules_with_a_quiet_zone() {
        let code = QrCode::with_error_correction_level("http://candour.test/f/1", EcLevel::M).unwrap();
        let image = code.render::<Grey>().module_dimensions(2, 2).build();
        let side = (code.width() as u32 + 8) * 2;
        assert_eq!((image.width, image.height), (side, side));
        assert!(image.pixels[..(side * 8) as usize].iter().all(|&p| p == 255), "the quiet zone is white");
        assert_eq!(image.pixels[(8 * side + 8) as usize], 0, "the finder pattern's corner is dark");
        let png = encode_png(&image).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    }
}
