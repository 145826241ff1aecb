//! A QR code drawn as SVG on the server, for an authenticator app to scan:
//! no image library, no outside service, and nothing for the browser to run.

use qrcodegen::{QrCode, QrCodeEcc};

use crate::error::AppError;

/// Modules of empty border around the code, as the standard asks.
const QUIET_ZONE: i32 = 4;

/// `text` as an `<svg>` element: one path of dark squares on a white
/// square, scaled by the page (its `viewBox` counts modules).
pub fn svg(text: &str, label: &str) -> Result<String, AppError> {
    let code = QrCode::encode_text(text, QrCodeEcc::Medium)
        .map_err(|_| AppError::internal("text too long for a QR code"))?;
    let size = code.size();
    let side = size + 2 * QUIET_ZONE;
    let mut path = String::with_capacity((size * size) as usize * 4);
    for y in 0..size {
        for x in 0..size {
            if code.get_module(x, y) {
                path.push_str(&format!("M{},{}h1v1h-1z", x + QUIET_ZONE, y + QUIET_ZONE));
            }
        }
    }
    let label = html_escape::encode_double_quoted_attribute(label);
    Ok(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {side} {side}\" \
         role=\"img\" aria-label=\"{label}\" shape-rendering=\"crispEdges\">\
         <rect width=\"{side}\" height=\"{side}\" fill=\"#fff\"/>\
         <path d=\"{path}\" fill=\"#000\"/></svg>"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_svg_has_the_codes_modules_and_a_quiet_zone() {
        let text = "otpauth://totp/Taskward:ada%40example.com?secret=ABC&issuer=Taskward";
        let svg = svg(text, "QR code <for> \"you\"").unwrap();
        let size = QrCode::encode_text(text, QrCodeEcc::Medium).unwrap().size();
        let side = size + 2 * QUIET_ZONE;
        assert!(
            svg.contains(&format!("viewBox=\"0 0 {side} {side}\"")),
            "{svg}"
        );
        // The three finder patterns start in the corners, inside the border.
        assert!(svg.contains(&format!("M{QUIET_ZONE},{QUIET_ZONE}h1v1h-1z")));
        assert!(
            svg.contains("aria-label=\"QR code &lt;for&gt; &quot;you&quot;\""),
            "{svg}"
        );
    }
}
