//! QR codes for printed checklists: an SVG made at build time, so paper leads back to the page
//! online. Only made when the guide has a base URL (a `file://` or preview address is useless
//! on paper).

use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

/// An inline `<svg>` QR code for `url` (decorative for screen readers: the URL is printed next
/// to it as text), or None if the URL is too long for a QR code.
pub fn svg(url: &str) -> Option<String> {
    let code = QrCode::with_error_correction_level(url.as_bytes(), EcLevel::M).ok()?;
    let image = code
        .render::<svg::Color>()
        .module_dimensions(1, 1)
        .quiet_zone(true)
        .build();
    // Inline in HTML: drop the XML declaration; CSS gives the size (the viewBox scales).
    let start = image.find("<svg")?;
    Some(image[start..].replacen(
        "<svg ",
        "<svg class=\"print-qr\" aria-hidden=\"true\" focusable=\"false\" ",
        1,
    ))
}

#[cfg(test)]
mod tests {
    #[test]
    fn makes_an_inline_svg_without_xml_declaration() {
        let s = super::svg("https://example.org/guide/checklists/call-log.html").expect("fits");
        assert!(
            s.starts_with("<svg class=\"print-qr\" aria-hidden=\"true\""),
            "{s}"
        );
        assert!(s.contains("viewBox=\"0 0 ") && s.ends_with("</svg>"), "{s}");
        assert!(!s.contains("<?xml"));
    }

    #[test]
    fn too_long_for_a_qr_code_is_none() {
        assert!(super::svg(&"x".repeat(5000)).is_none());
    }
}
