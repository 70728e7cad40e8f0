//! Photo uploads: whatever arrives is decoded within hard limits and encoded
//! anew as a small JPEG, so no metadata (GPS, camera) and no crafted bytes of
//! the original are ever stored or served.
//!
//! A small file can declare a huge image (a 140 KB PNG of 12000 x 12000
//! pixels decodes to 430 MB). The pixel count is read from the header and
//! checked before anything is decoded, and the decoder's allocations are
//! capped; callers also bound how many decodes run at once
//! (`Context::photo_decodes`), so memory stays bounded under parallel uploads.

use std::io::Cursor;

use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};

/// Largest upload accepted, before decoding.
pub const MAX_UPLOAD_BYTES: usize = 5 * 1024 * 1024;
/// Longest side of the stored photo.
pub const MAX_SIDE: u32 = 512;
/// Most pixels an upload may have: 40 megapixels (8000 x 5000), more than
/// phone cameras write by default.
pub const MAX_PIXELS: u64 = 40_000_000;
const MAX_PIXELS_SIDE: u32 = 20_000;
/// Decoder allocation cap: 40 MP as RGBA plus slack.
const MAX_DECODE_ALLOC: u64 = 192 * 1024 * 1024;

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum PhotoError {
    #[error("empty upload")]
    Empty,
    #[error("too large")]
    TooLarge,
    #[error("too many pixels")]
    TooManyPixels,
    #[error("not a JPEG or PNG image")]
    NotAnImage,
}

/// The field error a refused upload shows (a photo's, a logo's).
impl From<PhotoError> for super::FieldError {
    fn from(e: PhotoError) -> Self {
        match e {
            PhotoError::TooLarge => super::FieldError::ImageTooLarge,
            PhotoError::TooManyPixels => super::FieldError::ImageTooManyPixels,
            PhotoError::Empty | PhotoError::NotAnImage => super::FieldError::InvalidImage,
        }
    }
}

pub struct StoredPhoto {
    pub jpeg: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

/// Decodes a JPEG or PNG (recognised by content, not by name) and returns it
/// as a JPEG of at most [`MAX_SIDE`] pixels per side.
pub fn normalise(upload: &[u8]) -> Result<StoredPhoto, PhotoError> {
    let rgb = decode_into(upload, MAX_SIDE, MAX_SIDE)?.to_rgb8();
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 85)
        .encode_image(&rgb)
        .map_err(|_| PhotoError::NotAnImage)?;
    Ok(StoredPhoto {
        jpeg,
        width: rgb.width(),
        height: rgb.height(),
    })
}

/// The box an organisation's logo is shrunk into: wide and low, as logos
/// are, and sharp at twice the size pages and letters show it.
pub const LOGO_WIDTH: u32 = 800;
pub const LOGO_HEIGHT: u32 = 240;

/// A logo as stored: a PNG (transparency kept), within the logo box.
pub struct StoredLogo {
    pub png: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

/// An organisation's logo: decoded within the same limits as a photo and
/// written anew as a PNG of at most [`LOGO_WIDTH`] x [`LOGO_HEIGHT`].
pub fn normalise_logo(upload: &[u8]) -> Result<StoredLogo, PhotoError> {
    let rgba = decode_into(upload, LOGO_WIDTH, LOGO_HEIGHT)?.to_rgba8();
    let mut png = Vec::new();
    DynamicImage::ImageRgba8(rgba.clone())
        .write_to(&mut Cursor::new(&mut png), ImageFormat::Png)
        .map_err(|_| PhotoError::NotAnImage)?;
    Ok(StoredLogo {
        png,
        width: rgba.width(),
        height: rgba.height(),
    })
}

/// The upload decoded within the limits, turned upright and shrunk into a
/// box of `fit_width` x `fit_height` (never enlarged).
fn decode_into(upload: &[u8], fit_width: u32, fit_height: u32) -> Result<DynamicImage, PhotoError> {
    if upload.is_empty() {
        return Err(PhotoError::Empty);
    }
    if upload.len() > MAX_UPLOAD_BYTES {
        return Err(PhotoError::TooLarge);
    }
    let open = || {
        ImageReader::new(Cursor::new(upload))
            .with_guessed_format()
            .map_err(|_| PhotoError::NotAnImage)
    };
    let mut reader = open()?;
    if !matches!(reader.format(), Some(ImageFormat::Jpeg | ImageFormat::Png)) {
        return Err(PhotoError::NotAnImage);
    }
    // The header alone says how large the image is: refuse before decoding.
    let (width, height) = open()?
        .into_dimensions()
        .map_err(|_| PhotoError::NotAnImage)?;
    // A side beyond the decoder's limit is too large too, not "no image"
    // (a 1 x 100,000 strip has few pixels).
    if u64::from(width) * u64::from(height) > MAX_PIXELS
        || width > MAX_PIXELS_SIDE
        || height > MAX_PIXELS_SIDE
    {
        return Err(PhotoError::TooManyPixels);
    }
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_PIXELS_SIDE);
    limits.max_image_height = Some(MAX_PIXELS_SIDE);
    limits.max_alloc = Some(MAX_DECODE_ALLOC);
    reader.limits(limits.clone());
    let mut decoder = reader.into_decoder().map_err(|_| PhotoError::NotAnImage)?;
    // As `decode` does: the image's buffer comes out of the cap first, and
    // the decoder gets what is left (a 16-bit RGBA image of many pixels is
    // large, not broken).
    limits
        .reserve(decoder.total_bytes())
        .map_err(|_| PhotoError::TooManyPixels)?;
    decoder
        .set_limits(limits)
        .map_err(|_| PhotoError::TooManyPixels)?;
    // Phones store a portrait as a landscape with an Exif note to turn it:
    // turned here, as the note goes with the rest of the metadata. After
    // the shrinking (no second copy of a large image), into the box as it
    // lies before the turn.
    use image::metadata::Orientation;
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let (box_w, box_h) = match orientation {
        Orientation::Rotate90
        | Orientation::Rotate270
        | Orientation::Rotate90FlipH
        | Orientation::Rotate270FlipH => (fit_height, fit_width),
        _ => (fit_width, fit_height),
    };
    let image = DynamicImage::from_decoder(decoder).map_err(|_| PhotoError::NotAnImage)?;
    let mut image = if image.width() > box_w || image.height() > box_h {
        image.thumbnail(box_w, box_h)
    } else {
        image
    };
    image.apply_orientation(orientation);
    Ok(image)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_side_longer_than_the_decoder_takes_is_too_large_not_no_image() {
        let strip = png(1, MAX_PIXELS_SIDE + 1);
        assert_eq!(
            normalise_logo(&strip).err(),
            Some(PhotoError::TooManyPixels)
        );
        assert_eq!(
            normalise(&png(MAX_PIXELS_SIDE + 1, 1)).err(),
            Some(PhotoError::TooManyPixels)
        );
        assert!(normalise_logo(&png(2000, 1)).is_ok());
    }

    fn png(width: u32, height: u32) -> Vec<u8> {
        let img = image::RgbImage::from_fn(width, height, |x, y| {
            image::Rgb([(x % 255) as u8, (y % 255) as u8, 80])
        });
        let mut out = Vec::new();
        image::DynamicImage::ImageRgb8(img)
            .write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
            .unwrap();
        out
    }

    #[test]
    fn images_are_shrunk_and_reencoded_as_jpeg() {
        let stored = normalise(&png(1200, 600)).unwrap();
        assert_eq!((stored.width, stored.height), (512, 256));
        assert_eq!(&stored.jpeg[..3], &[0xFF, 0xD8, 0xFF]);
        let small = normalise(&png(40, 30)).unwrap();
        assert_eq!((small.width, small.height), (40, 30));
    }

    /// A JPEG of `width` x `height` (left half red, right half blue) with
    /// an Exif orientation, as a phone writes a portrait.
    fn jpeg_with_orientation(width: u32, height: u32, orientation: u16) -> Vec<u8> {
        use image::ImageEncoder;
        let img = image::RgbImage::from_fn(width, height, |x, _| {
            if x < width / 2 {
                image::Rgb([220, 0, 0])
            } else {
                image::Rgb([0, 0, 220])
            }
        });
        // A big-endian TIFF header and one IFD entry: Orientation (0x0112),
        // SHORT, count 1.
        let mut exif = b"MM\0\x2a\0\0\0\x08\0\x01\x01\x12\0\x03\0\0\0\x01".to_vec();
        exif.extend_from_slice(&orientation.to_be_bytes());
        exif.extend_from_slice(&[0, 0, 0, 0, 0, 0]);
        let mut out = Vec::new();
        let mut encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 95);
        encoder.set_exif_metadata(exif).unwrap();
        encoder
            .write_image(&img, width, height, image::ExtendedColorType::Rgb8)
            .unwrap();
        out
    }

    #[test]
    fn a_phones_turned_photo_is_stored_upright() {
        // Orientation 6: the stored landscape is shown turned 90° clockwise,
        // so the red left half ends up on top.
        let stored = normalise(&jpeg_with_orientation(400, 200, 6)).unwrap();
        assert_eq!((stored.width, stored.height), (200, 400));
        let shown = image::load_from_memory(&stored.jpeg).unwrap().to_rgb8();
        let top = shown.get_pixel(100, 50);
        let bottom = shown.get_pixel(100, 350);
        assert!(top[0] > 150 && top[2] < 80, "red on top: {top:?}");
        assert!(bottom[2] > 150 && bottom[0] < 80, "blue below: {bottom:?}");
        // No note: as it is.
        let plain = normalise(&jpeg_with_orientation(400, 200, 1)).unwrap();
        assert_eq!((plain.width, plain.height), (400, 200));
    }

    #[test]
    fn a_logo_keeps_its_transparency_and_fits_its_box() {
        let img = image::RgbaImage::from_fn(2000, 400, |x, _| {
            image::Rgba([10, 20, 200, if x < 1000 { 0 } else { 255 }])
        });
        let mut png = Vec::new();
        DynamicImage::ImageRgba8(img)
            .write_to(&mut Cursor::new(&mut png), ImageFormat::Png)
            .unwrap();
        let logo = normalise_logo(&png).unwrap();
        assert_eq!((logo.width, logo.height), (800, 160));
        let back = image::load_from_memory(&logo.png).unwrap().to_rgba8();
        assert_eq!(back.get_pixel(10, 80)[3], 0, "transparent stays");
        assert_eq!(back.get_pixel(790, 80)[3], 255);
        // A turned one fits the box as shown, not as stored.
        let turned = normalise_logo(&jpeg_with_orientation(400, 1200, 6)).unwrap();
        assert_eq!((turned.width, turned.height), (720, 240));
        assert_eq!(
            normalise_logo(&bomb_png(12_000, 12_000)).err(),
            Some(PhotoError::TooManyPixels)
        );
        assert_eq!(
            normalise_logo(b"<svg/>").err(),
            Some(PhotoError::NotAnImage)
        );
    }

    #[test]
    fn anything_else_is_refused() {
        assert_eq!(normalise(b"").err(), Some(PhotoError::Empty));
        assert_eq!(normalise(b"GIF89a....").err(), Some(PhotoError::NotAnImage));
        assert_eq!(
            normalise(b"<svg xmlns='http://www.w3.org/2000/svg'/>").err(),
            Some(PhotoError::NotAnImage)
        );
        let mut truncated = png(100, 100);
        truncated.truncate(60);
        assert_eq!(normalise(&truncated).err(), Some(PhotoError::NotAnImage));
        assert_eq!(
            normalise(&vec![0u8; MAX_UPLOAD_BYTES + 1]).err(),
            Some(PhotoError::TooLarge)
        );
    }

    #[test]
    fn a_huge_declared_size_is_refused_without_allocating_it() {
        // A PNG header patched to claim 60000 x 60000 pixels (its checksum
        // no longer matches: the reader refuses it before any decoding).
        let mut bomb = png(1, 1);
        bomb[16..20].copy_from_slice(&60000u32.to_be_bytes());
        bomb[20..24].copy_from_slice(&60000u32.to_be_bytes());
        assert_eq!(normalise(&bomb).err(), Some(PhotoError::NotAnImage));
    }

    #[test]
    fn a_decompression_bomb_is_refused_by_its_pixel_count() {
        // 12000 x 12000 of one colour: a few hundred KB on the wire.
        let bomb = bomb_png(12_000, 12_000);
        assert!(bomb.len() < 1024 * 1024, "{} bytes", bomb.len());
        assert_eq!(normalise(&bomb).err(), Some(PhotoError::TooManyPixels));
    }

    #[test]
    fn a_deep_image_over_the_decode_budget_has_too_many_pixels() {
        // 5100 x 5000 is within 40 megapixels, but as 16-bit RGBA it needs
        // 204 MB: more than a decode may take. A header is enough to tell.
        fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
            out.extend_from_slice(&(data.len() as u32).to_be_bytes());
            let start = out.len();
            out.extend_from_slice(kind);
            out.extend_from_slice(data);
            let mut crc = 0xFFFF_FFFFu32;
            for b in &out[start..] {
                crc ^= u32::from(*b);
                for _ in 0..8 {
                    crc = if crc & 1 == 1 {
                        (crc >> 1) ^ 0xEDB8_8320
                    } else {
                        crc >> 1
                    };
                }
            }
            out.extend_from_slice(&(!crc).to_be_bytes());
        }
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        let mut header = Vec::new();
        header.extend_from_slice(&5100u32.to_be_bytes());
        header.extend_from_slice(&5000u32.to_be_bytes());
        header.extend_from_slice(&[16, 6, 0, 0, 0]);
        chunk(&mut png, b"IHDR", &header);
        chunk(
            &mut png,
            b"IDAT",
            &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
        );
        chunk(&mut png, b"IEND", &[]);
        assert_eq!(normalise(&png).err(), Some(PhotoError::TooManyPixels));
    }

    /// A PNG of one grey colour, written row by row (never held as pixels).
    pub(crate) fn bomb_png(width: u32, height: u32) -> Vec<u8> {
        use image::ImageEncoder;
        let mut out = Vec::new();
        let encoder = image::codecs::png::PngEncoder::new_with_quality(
            &mut out,
            image::codecs::png::CompressionType::Best,
            image::codecs::png::FilterType::NoFilter,
        );
        // The encoder needs the whole buffer; one byte per pixel (L8) keeps it at width*height.
        let pixels = vec![128u8; (width * height) as usize];
        encoder
            .write_image(&pixels, width, height, image::ExtendedColorType::L8)
            .unwrap();
        out
    }
}
