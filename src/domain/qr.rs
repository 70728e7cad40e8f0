//! QR codes of activation links, as PNG (screen, download, print) and SVG
//! (download, for print shops). Error correction level Q: a quarter of the
//! code may be smudged, folded or badly lit and it still reads. Modules are
//! black on white with the standard quiet zone of four modules: phone
//! cameras read that best, whatever the organisation's colour (the page
//! around the code carries the colour).

use std::fmt::Write as _;

use qrcode::bits;
use qrcode::canvas::{Canvas, MaskPattern};
use qrcode::{Color, EcLevel};

/// Modules of white around the code (the standard asks for four).
const QUIET_ZONE: u32 = 4;

/// Pixels per module of the PNG on the QR page and its download: a link of
/// about 90 characters is a version 8 code, 456 pixels wide with its quiet
/// zone, sharp when printed 4 cm wide.
pub const PNG_SCALE: u32 = 8;

/// Pixels per module on printed letters: 228 pixels for 6 cm, shown with
/// sharp module edges (`image-rendering: pixelated`); a quarter of the
/// pixels to draw, send and decode, a thousand times per print.
pub const LETTER_SCALE: u32 = 4;

/// Why a text cannot be a code: too long for any version at level Q
/// (a link is about 100 characters; a code holds up to 1,663 bytes).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("the text does not fit into a QR code")]
pub struct TooLong;

/// The code of `text`: its width in modules and the modules, row by row
/// (`true` is dark). The crate draws the code; the mask is chosen here, by
/// the standard's penalty rules on a plain grid: the crate's own choice
/// boxes a closure per module and took 2–3 ms a code, most of a page of a
/// thousand letters.
fn modules(text: &str) -> Result<(u32, Vec<bool>), TooLong> {
    let bits = bits::encode_auto(text.as_bytes(), EcLevel::Q).map_err(|_| TooLong)?;
    let version = bits.version();
    let data = bits.into_bytes();
    let (codewords, ec) =
        qrcode::ec::construct_codewords(&data, version, EcLevel::Q).map_err(|_| TooLong)?;
    let mut canvas = Canvas::new(version, EcLevel::Q);
    canvas.draw_all_functional_patterns();
    canvas.draw_data(&codewords, &ec);
    let width = version.width() as usize;
    MASKS
        .iter()
        .map(|mask| {
            let mut masked = canvas.clone();
            masked.apply_mask(*mask);
            let dark: Vec<bool> = masked
                .into_colors()
                .into_iter()
                .map(|c| c == Color::Dark)
                .collect();
            (penalty(&dark, width), dark)
        })
        .min_by_key(|(score, _)| *score)
        .map(|(_, dark)| (width as u32, dark))
        .ok_or(TooLong)
}

/// The eight masks of a QR code (ISO/IEC 18004, 7.8.2).
const MASKS: [MaskPattern; 8] = [
    MaskPattern::Checkerboard,
    MaskPattern::HorizontalLines,
    MaskPattern::VerticalLines,
    MaskPattern::DiagonalLines,
    MaskPattern::LargeCheckerboard,
    MaskPattern::Fields,
    MaskPattern::Diamonds,
    MaskPattern::Meadow,
];

/// The standard's penalty of a masked code (ISO/IEC 18004, 7.8.3): runs of
/// five or more alike in a row or column, 2×2 blocks alike, finder-like
/// patterns with four light modules on a side, and the dark share's
/// distance from half.
fn penalty(dark: &[bool], width: usize) -> u32 {
    let at = |x: usize, y: usize| dark[y * width + x];
    let mut score = 0u32;
    for horizontal in [true, false] {
        let get = |line: usize, i: usize| if horizontal { at(i, line) } else { at(line, i) };
        for line in 0..width {
            // N1: runs.
            let mut run = 1;
            for i in 1..width {
                if get(line, i) == get(line, i - 1) {
                    run += 1;
                } else {
                    if run >= 5 {
                        score += 3 + (run - 5);
                    }
                    run = 1;
                }
            }
            if run >= 5 {
                score += 3 + (run - 5);
            }
            // N3: dark-light-dark-dark-dark-light-dark beside four light.
            const FINDER: [bool; 7] = [true, false, true, true, true, false, true];
            for i in 0..width.saturating_sub(6) {
                if (0..7).all(|k| get(line, i + k) == FINDER[k]) {
                    let light = |from: isize| {
                        (from..from + 4)
                            .all(|k| k < 0 || k as usize >= width || !get(line, k as usize))
                    };
                    if light(i as isize - 4) || light(i as isize + 7) {
                        score += 40;
                    }
                }
            }
        }
    }
    // N2: 2×2 blocks.
    for y in 0..width - 1 {
        for x in 0..width - 1 {
            let c = at(x, y);
            if at(x + 1, y) == c && at(x, y + 1) == c && at(x + 1, y + 1) == c {
                score += 3;
            }
        }
    }
    // N4: balance, 10 points per 5 % from half.
    let darks = dark.iter().filter(|d| **d).count();
    let percent = darks * 100 / dark.len();
    score + (percent.abs_diff(50) / 5) as u32 * 10
}

/// The side in pixels of `text`'s PNG at `scale` (for the page's `img`
/// size: a link of 90 characters is version 8, 57 modules with the quiet
/// zone, 456 pixels at 8).
pub fn png_side(text: &str, scale: u32) -> Result<u32, TooLong> {
    let version = bits::encode_auto(text.as_bytes(), EcLevel::Q)
        .map_err(|_| TooLong)?
        .version();
    Ok((version.width() as u32 + 2 * QUIET_ZONE) * scale.clamp(1, 32))
}

/// The code as a PNG (8-bit greyscale), `scale` pixels per module.
pub fn png(text: &str, scale: u32) -> Result<Vec<u8>, TooLong> {
    let (width, dark) = modules(text)?;
    let scale = scale.clamp(1, 32);
    let side = (width + 2 * QUIET_ZONE) * scale;
    // Row by row: each row of modules drawn once, repeated `scale` times.
    let (side_px, quiet_px) = (side as usize, (QUIET_ZONE * scale) as usize);
    let mut pixels = vec![255u8; side_px * side_px];
    for (my, row) in dark.chunks(width as usize).enumerate() {
        let top = quiet_px + my * scale as usize;
        let line = &mut pixels[top * side_px..(top + 1) * side_px];
        for (mx, on) in row.iter().enumerate() {
            if *on {
                let left = quiet_px + mx * scale as usize;
                line[left..left + scale as usize].fill(0);
            }
        }
        for k in 1..scale as usize {
            pixels.copy_within(top * side_px..(top + 1) * side_px, (top + k) * side_px);
        }
    }
    let image = image::GrayImage::from_raw(side, side, pixels).ok_or(TooLong)?;
    let mut out = Vec::new();
    // Rows of two values compress well unfiltered, and fast.
    let encoder = image::codecs::png::PngEncoder::new_with_quality(
        &mut out,
        image::codecs::png::CompressionType::Fast,
        image::codecs::png::FilterType::NoFilter,
    );
    // Encoding a well-formed image into memory does not fail.
    image::ImageEncoder::write_image(
        encoder,
        image.as_raw(),
        side,
        side,
        image::ExtendedColorType::L8,
    )
    .map_err(|_| TooLong)?;
    Ok(out)
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
        let bytes = png(LINK, PNG_SCALE).unwrap();
        let image = image::load_from_memory(&bytes).unwrap().to_luma8();
        let (width, dark) = modules(LINK).unwrap();
        assert_eq!(image.width(), (width + 8) * PNG_SCALE);
        assert_eq!(png_side(LINK, PNG_SCALE).unwrap(), image.width());
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
    fn the_code_is_the_crates_with_a_mask_no_worse_than_its_choice() {
        let (width, dark) = modules(LINK).unwrap();
        let crate_code = qrcode::QrCode::with_error_correction_level(LINK, EcLevel::Q).unwrap();
        assert_eq!(crate_code.width() as u32, width);
        // Function patterns and data are the crate's: with the crate's own
        // mask the modules would differ only by the mask and format bits;
        // the finder patterns in three corners are the same.
        let theirs: Vec<bool> = crate_code
            .to_colors()
            .into_iter()
            .map(|c| c == Color::Dark)
            .collect();
        let w = width as usize;
        for (x, y) in [(0, 0), (w - 7, 0), (0, w - 7)] {
            for k in 0..7 {
                for j in 0..7 {
                    let i = (y + k) * w + x + j;
                    assert_eq!(dark[i], theirs[i]);
                }
            }
        }
        // The crate's code is one of the eight masked ones: ours scores no
        // worse by the standard's rules.
        assert!(penalty(&dark, w) <= penalty(&theirs, w));
    }

    #[test]
    fn a_text_too_long_for_any_code_is_refused() {
        assert_eq!(png(&"x".repeat(3000), PNG_SCALE), Err(TooLong));
    }
}
