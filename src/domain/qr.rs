//! QR codes of activation links, as PNG (screen, download, print) and SVG
//! (download, for print shops). Error correction level Q: a quarter of the
//! code may be smudged, folded or badly lit and it still reads. Modules are
//! black on white with the standard quiet zone of four modules: phone
//! cameras read that best, whatever the organisation's colour (the page
//! around the code carries the colour).

use std::fmt::Write as _;

use qrcode::{Color, EcLevel, QrCode};

/// Modules of white around the code (the standard asks for four).
const QUIET_ZONE: u32 = 4;

/// Pixels per module in the PNG: a version 7 code (45 modules, a link of
/// about 100 characters) is 424 pixels wide, sharp when printed 4 cm wide.
const PNG_SCALE: u32 = 8;

/// Why a text cannot be a code: too long for any version at level Q
/// (a link is about 100 characters; a code holds up to 1,663 bytes).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("the text does not fit into a QR code")]
pub struct TooLong;

/// The code of `text`: its width in modules and the modules, row by row
/// (`true` is dark).
fn modules(text: &str) -> Result<(u32, Vec<bool>), TooLong> {
    let code =
        QrCode::with_error_correction_level(text.as_bytes(), EcLevel::Q).map_err(|_| TooLong)?;
    let width = code.width() as u32;
    let dark = code
        .to_colors()
        .into_iter()
        .map(|c| c == Color::Dark)
        .collect();
    Ok((width, dark))
}

/// The code as a PNG (8-bit greyscale).
pub fn png(text: &str) -> Result<Vec<u8>, TooLong> {
    let (width, dark) = modules(text)?;
    let side = (width + 2 * QUIET_ZONE) * PNG_SCALE;
    let image = image::GrayImage::from_fn(side, side, |x, y| {
        let (mx, my) = (x / PNG_SCALE, y / PNG_SCALE);
        let inside = (QUIET_ZONE..QUIET_ZONE + width).contains(&mx)
            && (QUIET_ZONE..QUIET_ZONE + width).contains(&my);
        let on = inside && dark[((my - QUIET_ZONE) * width + (mx - QUIET_ZONE)) as usize];
        image::Luma([if on { 0 } else { 255 }])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    // Encoding a well-formed image into memory does not fail.
    image
        .write_to(&mut out, image::ImageFormat::Png)
        .map_err(|_| TooLong)?;
    Ok(out.into_inner())
}

/// The code as an SVG document: one path of unit squares on a white
/// square, scalable without loss.
pub fn svg(text: &str) -> Result<String, TooLong> {
    let (width, dark) = modules(text)?;
    let side = width + 2 * QUIET_ZONE;
    // One rectangle per run of dark modules in a row (a third of the size
    // of one square per module; a page of a thousand letters loads faster).
    let mut path = String::with_capacity(dark.len() * 2);
    for (y, row) in dark.chunks(width as usize).enumerate() {
        let mut x = 0;
        while x < row.len() {
            if !row[x] {
                x += 1;
                continue;
            }
            let run = row[x..].iter().take_while(|d| **d).count();
            let (left, top) = (x as u32 + QUIET_ZONE, y as u32 + QUIET_ZONE);
            // Writing into a String does not fail.
            let _ = write!(path, "M{left} {top}h{run}v1h-{run}z");
            x += run;
        }
    }
    Ok(format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {side} {side}\" \
         width=\"{px}\" height=\"{px}\" shape-rendering=\"crispEdges\">\
         <rect width=\"{side}\" height=\"{side}\" fill=\"#fff\"/>\
         <path fill=\"#000\" d=\"{path}\"/></svg>\n",
        px = side * PNG_SCALE
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINK: &str = "https://intranet.example.com/i/ELI_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn a_link_becomes_a_png_with_its_quiet_zone() {
        let bytes = png(LINK).unwrap();
        let image = image::load_from_memory(&bytes).unwrap().to_luma8();
        let (width, dark) = modules(LINK).unwrap();
        assert_eq!(image.width(), (width + 8) * PNG_SCALE);
        assert_eq!(image.width(), image.height());
        // White all around, the finder pattern's corner dark.
        assert_eq!(image.get_pixel(0, 0).0, [255]);
        assert_eq!(image.get_pixel(4 * PNG_SCALE + 1, 4 * PNG_SCALE + 1).0, [0]);
        assert!(dark[0]);
    }

    #[test]
    fn the_svg_covers_exactly_the_dark_modules() {
        let text = svg(LINK).unwrap();
        let (width, dark) = modules(LINK).unwrap();
        assert!(text.contains(r#"<svg xmlns="http://www.w3.org/2000/svg""#));
        // Paint the runs back onto a grid: the same modules come out.
        let mut painted = vec![false; dark.len()];
        let d = text
            .split(r#" d=""#)
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        for run in d.split('z').filter(|r| !r.is_empty()) {
            let (pos, rest) = run[1..].split_once('h').unwrap();
            let (x, y) = pos.split_once(' ').unwrap();
            let len: u32 = rest.split('v').next().unwrap().parse().unwrap();
            let x = x.parse::<u32>().unwrap() - QUIET_ZONE;
            let y = y.parse::<u32>().unwrap() - QUIET_ZONE;
            for i in 0..len {
                let at = (y * width + x + i) as usize;
                assert!(!painted[at], "painted once");
                painted[at] = true;
            }
        }
        assert_eq!(painted, dark);
    }

    #[test]
    fn a_text_too_long_for_any_code_is_refused() {
        assert_eq!(png(&"x".repeat(3000)), Err(TooLong));
    }
}
