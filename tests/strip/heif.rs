//! HEIC and AVIF photos made by heif-enc (from JPEGs tagged by exiftool,
//! which heif-enc carries over as Exif and XMP items and a `colr` ICC
//! profile) and by exiftool writing into a bare HEIC: cleaned, judged, and
//! decoded again by heif-convert and ImageMagick.

use crate::judge::{self, Scratch, tool};
use amanat_sanitize::{Outcome, Removed};
use std::path::{Path, PathBuf};

/// mat2 lists "MetaImageSize", the `ispe` property (the image's pixel
/// size), and "ExifByteOrder", the byte order of the empty TIFF structure
/// an Exif item is left holding; nothing else may remain.
pub(crate) const MAT2_ALLOWED: &[&str] = &["MetaImageSize", "ExifByteOrder"];

/// mat2 lists every field of a kept ICC profile, blanked or not: the colour
/// data and the header's format fields, which every profile has. The fields
/// that could name someone are blanked; exiftool's judgement (which skips
/// blank values) and the test's own checks of the values show it.
const MAT2_ICC: &[&str] = &[
    "MetaImageSize",
    "ExifByteOrder",
    "MatrixColumn",
    "TRC:",
    "CMMFlags",
    "ColorSpaceData",
    "ConnectionSpaceIlluminant",
    "DeviceAttributes",
    "DeviceManufacturer",
    "DeviceMfgDesc",
    "DeviceModel",
    "PrimaryPlatform",
    "ProfileCMMType",
    "ProfileClass",
    "ProfileConnectionSpace",
    "ProfileCopyright",
    "ProfileCreator",
    "ProfileDateTime: 0000:00:00 00:00:00",
    "ProfileDescription",
    "ProfileFileSignature",
    "ProfileID: 0",
    "ProfileVersion",
    "MediaWhitePoint",
    "RenderingIntent",
];

/// exiftool's reading of a blanked ICC header: no attribute bits set (the
/// names are what zero bits mean) and a date of zeros (checked below).
const EXIF_ICC: &[&str] = &["ICC-header:DeviceAttributes", "ICC-header:ProfileDateTime"];

/// The tags every fixture carries: person, device, place, time.
pub(crate) const TAGS: &[&str] = &[
    "-Artist=Jane Doe",
    "-Make=Apple",
    "-Model=iPhone 15 Pro",
    "-SerialNumber=F2LXK0ABCD",
    "-Software=17.1.2",
    "-GPSLatitude=33.6844",
    "-GPSLatitudeRef=N",
    "-GPSLongitude=73.0479",
    "-GPSLongitudeRef=E",
    "-DateTimeOriginal=2026:12:06 17:23:15",
    "-XMP-dc:Creator=Jane Doe",
    "-XMP-xmp:CreatorTool=Camera 17.1",
];

/// A JPEG with the identifying tags (and optionally an ICC profile naming
/// a device).
fn tagged_jpeg(dir: &Scratch, name: &str, icc: bool) -> PathBuf {
    let jpg = dir.path(name);
    tool(
        "convert",
        &["-size", "96x64", "gradient:red-blue", jpg.to_str().unwrap()],
    );
    let mut args: Vec<String> = vec!["-q".into(), "-overwrite_original".into()];
    args.extend(TAGS.iter().map(|t| t.to_string()));
    if icc {
        let p = dir.path("device.icc");
        std::fs::write(&p, device_icc()).unwrap();
        args.push(format!("-ICC_Profile<={}", p.display()));
    }
    args.push(jpg.to_str().unwrap().into());
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    tool("exiftool", &refs);
    jpg
}

fn heif_enc(dir: &Scratch, jpg: &Path, out: &str, extra: &[&str]) -> PathBuf {
    let f = dir.path(out);
    let mut args = extra.to_vec();
    args.extend(["-o", f.to_str().unwrap(), jpg.to_str().unwrap()]);
    tool("heif-enc", &args);
    f
}

/// The cleaned file still decodes, to an image of the same size.
fn assert_decodes(cleaned: &Path, dir: &Scratch) {
    let png = dir.path("decoded.png");
    tool(
        "heif-convert",
        &[cleaned.to_str().unwrap(), png.to_str().unwrap()],
    );
    let size = tool("identify", &["-format", "%wx%h", png.to_str().unwrap()]);
    assert_eq!(size, "96x64");
    let size = tool("identify", &["-format", "%wx%h", cleaned.to_str().unwrap()]);
    assert_eq!(size, "96x64");
}

fn removed(o: &Outcome) -> &[Removed] {
    match o {
        Outcome::Cleaned { removed } => removed,
        other => panic!("expected Cleaned, got {other:?}"),
    }
}

#[test]
fn heic_from_heif_enc_loses_exif_and_xmp() {
    let dir = Scratch::new();
    let jpg = tagged_jpeg(&dir, "in.jpg", false);
    let heic = heif_enc(&dir, &jpg, "photo.heic", &["-q", "60"]);
    judge::assert_dirty(&heic);
    let (cleaned, outcome) = judge::clean(&heic);
    let r = removed(&outcome);
    assert!(r.contains(&Removed::Location), "{r:?}");
    assert!(r.contains(&Removed::Camera), "{r:?}");
    // In place: same size, same layout.
    assert_eq!(
        std::fs::metadata(&cleaned).unwrap().len(),
        std::fs::metadata(&heic).unwrap().len()
    );
    judge::assert_clean(&cleaned, &[], MAT2_ALLOWED);
    assert_decodes(&cleaned, &dir);
}

#[test]
fn avif_from_heif_enc_loses_exif_and_xmp() {
    let dir = Scratch::new();
    let jpg = tagged_jpeg(&dir, "in.jpg", false);
    let avif = heif_enc(&dir, &jpg, "photo.avif", &["-A"]);
    let data = std::fs::read(&avif).unwrap();
    assert_eq!(
        amanat_sanitize::detect(&data[..data.len().min(4096)]),
        amanat_sanitize::Kind::Avif
    );
    judge::assert_dirty(&avif);
    let (cleaned, outcome) = judge::clean(&avif);
    assert!(removed(&outcome).contains(&Removed::Location));
    judge::assert_clean(&cleaned, &[], MAT2_ALLOWED);
    assert_decodes(&cleaned, &dir);
}

#[test]
fn icc_profile_keeps_colour_but_not_device_or_date() {
    let dir = Scratch::new();
    let jpg = tagged_jpeg(&dir, "in.jpg", true);
    let heic = heif_enc(&dir, &jpg, "icc.heic", &[]);
    let before = tool(
        "exiftool",
        &["-s", "-ICC_Profile:all", heic.to_str().unwrap()],
    );
    assert!(before.contains("Jane's iPhone"), "{before}");
    let (cleaned, outcome) = judge::clean(&heic);
    assert!(removed(&outcome).contains(&Removed::Dates));
    judge::assert_clean(&cleaned, EXIF_ICC, MAT2_ICC);
    let after = tool(
        "exiftool",
        &[
            "-s",
            "-ICC_Profile:all",
            "-ICC-header:all",
            cleaned.to_str().unwrap(),
        ],
    );
    for gone in ["Jane", "Apple", "iP15", "2026", "JANE"] {
        assert!(!after.contains(gone), "{gone} survived:\n{after}");
    }
    assert!(
        after.contains("ProfileDateTime                 : 0000:00:00 00:00:00")
            || after.contains("ProfileDateTime: 0000:00:00 00:00:00"),
        "{after}"
    );
    assert!(
        after.contains("DeviceAttributes                : Reflective, Glossy, Positive, Color")
            || after.contains("DeviceAttributes: Reflective, Glossy, Positive, Color"),
        "{after}"
    );
    // The colour data stays: the profile is still there and still read.
    assert!(after.contains("RedMatrixColumn"), "{after}");
    assert!(after.contains("ColorSpaceData"), "{after}");
    assert_decodes(&cleaned, &dir);
}

#[test]
fn heic_tagged_by_exiftool_afterwards() {
    let dir = Scratch::new();
    let png = dir.path("in.png");
    tool(
        "convert",
        &[
            "-size",
            "96x64",
            "gradient:green-yellow",
            png.to_str().unwrap(),
        ],
    );
    let heic = dir.path("edited.heic");
    tool(
        "heif-enc",
        &["-o", heic.to_str().unwrap(), png.to_str().unwrap()],
    );
    let mut args: Vec<&str> = vec!["-q", "-overwrite_original"];
    args.extend(TAGS);
    args.push(heic.to_str().unwrap());
    tool("exiftool", &args);
    judge::assert_dirty(&heic);
    let (cleaned, outcome) = judge::clean(&heic);
    assert!(removed(&outcome).contains(&Removed::Location));
    judge::assert_clean(&cleaned, &[], MAT2_ALLOWED);
    assert_decodes(&cleaned, &dir);
}

#[test]
fn a_clean_heic_is_cleaned_again_to_the_same_bytes() {
    let dir = Scratch::new();
    let jpg = tagged_jpeg(&dir, "in.jpg", true);
    let heic = heif_enc(&dir, &jpg, "twice.heic", &[]);
    let (once, _) = judge::clean(&heic);
    let (twice, outcome) = judge::clean(&once);
    assert_eq!(
        std::fs::read(&once).unwrap(),
        std::fs::read(&twice).unwrap()
    );
    // The empty Exif and XMP items left behind are reported as such.
    assert!(matches!(
        outcome,
        Outcome::Cleaned { .. } | Outcome::KeptOriginal
    ));
}

/// A version 2 ICC display profile whose header and text tags name a
/// person, a device and a moment, with the colour tags a reader needs.
fn device_icc() -> Vec<u8> {
    fn xyz(x: f64, y: f64, z: f64) -> Vec<u8> {
        let mut v = b"XYZ \0\0\0\0".to_vec();
        for c in [x, y, z] {
            v.extend_from_slice(&((c * 65536.0) as i32).to_be_bytes());
        }
        v
    }
    fn desc(s: &str) -> Vec<u8> {
        let mut v = b"desc\0\0\0\0".to_vec();
        v.extend_from_slice(&(s.len() as u32 + 1).to_be_bytes());
        v.extend_from_slice(s.as_bytes());
        v.push(0);
        v.extend_from_slice(&[0; 4 + 4 + 2 + 1 + 67]);
        v
    }
    fn text(s: &str) -> Vec<u8> {
        let mut v = b"text\0\0\0\0".to_vec();
        v.extend_from_slice(s.as_bytes());
        v.push(0);
        v
    }
    let gamma = b"curv\0\0\0\0\0\0\0\x01\x02\x33".to_vec();
    let tags: Vec<(&[u8; 4], Vec<u8>)> = vec![
        (b"desc", desc("Jane's iPhone display")),
        (b"cprt", text("Copyright Jane Doe 2026")),
        (b"dmnd", desc("Apple Inc.")),
        (b"dmdd", desc("iPhone 15 Pro F2LXK0ABCD")),
        (b"wtpt", xyz(0.9505, 1.0, 1.089)),
        (b"rXYZ", xyz(0.4361, 0.2225, 0.0139)),
        (b"gXYZ", xyz(0.3851, 0.7169, 0.0971)),
        (b"bXYZ", xyz(0.1431, 0.0606, 0.7141)),
        (b"rTRC", gamma.clone()),
        (b"gTRC", gamma.clone()),
        (b"bTRC", gamma),
    ];
    let mut table = Vec::new();
    let mut data = Vec::new();
    let mut off = 128 + 4 + 12 * tags.len();
    for (sig, body) in &tags {
        table.extend_from_slice(*sig);
        table.extend_from_slice(&(off as u32).to_be_bytes());
        table.extend_from_slice(&(body.len() as u32).to_be_bytes());
        data.extend_from_slice(body);
        while data.len() % 4 != 0 {
            data.push(0);
        }
        off = 128 + 4 + 12 * tags.len() + data.len();
    }
    let size = 128 + 4 + table.len() + data.len();
    let mut h = vec![0u8; 128];
    h[0..4].copy_from_slice(&(size as u32).to_be_bytes());
    h[4..8].copy_from_slice(b"JANE");
    h[8..12].copy_from_slice(&[2, 0x10, 0, 0]);
    h[12..16].copy_from_slice(b"mntr");
    h[16..20].copy_from_slice(b"RGB ");
    h[20..24].copy_from_slice(b"XYZ ");
    for (i, v) in [2026u16, 12, 6, 17, 23, 15].iter().enumerate() {
        h[24 + 2 * i..26 + 2 * i].copy_from_slice(&v.to_be_bytes());
    }
    h[36..40].copy_from_slice(b"acsp");
    h[40..44].copy_from_slice(b"APPL");
    h[48..52].copy_from_slice(b"APPL");
    h[52..56].copy_from_slice(b"iP15");
    h[68..80].copy_from_slice(&[0, 0, 0xF6, 0xD6, 0, 1, 0, 0, 0, 0, 0xD3, 0x2D]);
    h[80..84].copy_from_slice(b"JANE");
    let mut icc = h;
    icc.extend_from_slice(&(tags.len() as u32).to_be_bytes());
    icc.extend_from_slice(&table);
    icc.extend_from_slice(&data);
    icc
}

/// A photo written by `writer` (ImageMagick or ffmpeg, which write no
/// metadata of their own), then tagged by exiftool.
fn tagged_afterwards(dir: &Scratch, name: &str, writer: &[&str]) -> PathBuf {
    let jpg = dir.path("in.jpg");
    tool(
        "convert",
        &[
            "-size",
            "96x64",
            "gradient:green-yellow",
            jpg.to_str().unwrap(),
        ],
    );
    let out = dir.path(name);
    let mut args: Vec<&str> = Vec::new();
    for a in writer {
        match *a {
            "IN" => args.push(jpg.to_str().unwrap()),
            "OUT" => args.push(out.to_str().unwrap()),
            other => args.push(other),
        }
    }
    let (program, rest) = args.split_first().unwrap();
    tool(program, rest);
    let mut args: Vec<&str> = vec!["-q", "-overwrite_original"];
    args.extend(TAGS);
    args.push(out.to_str().unwrap());
    tool("exiftool", &args);
    out
}

#[test]
fn heic_from_imagemagick_tagged_by_exiftool() {
    let dir = Scratch::new();
    let heic = tagged_afterwards(&dir, "magick.heic", &["convert", "IN", "OUT"]);
    judge::assert_dirty(&heic);
    let (cleaned, outcome) = judge::clean(&heic);
    assert!(removed(&outcome).contains(&Removed::Location));
    judge::assert_clean(&cleaned, &[], MAT2_ALLOWED);
    assert_decodes(&cleaned, &dir);
}

#[test]
fn avif_from_ffmpeg_tagged_by_exiftool() {
    let dir = Scratch::new();
    let avif = tagged_afterwards(
        &dir,
        "ffmpeg.avif",
        &[
            "ffmpeg",
            "-v",
            "error",
            "-i",
            "IN",
            "-c:v",
            "libaom-av1",
            "-still-picture",
            "1",
            "OUT",
        ],
    );
    judge::assert_dirty(&avif);
    let (cleaned, outcome) = judge::clean(&avif);
    assert!(removed(&outcome).contains(&Removed::Location));
    judge::assert_clean(&cleaned, &[], MAT2_ALLOWED);
    assert_decodes(&cleaned, &dir);
}

#[test]
fn large_heic_streams_and_keeps_its_pixels() {
    let dir = Scratch::new();
    let jpg = dir.path("big.jpg");
    tool(
        "convert",
        &[
            "-size",
            "1600x1200",
            "plasma:fractal",
            "-seed",
            "7",
            jpg.to_str().unwrap(),
        ],
    );
    let mut args: Vec<&str> = vec!["-q", "-overwrite_original"];
    args.extend(TAGS);
    args.push(jpg.to_str().unwrap());
    tool("exiftool", &args);
    let heic = heif_enc(&dir, &jpg, "big.heic", &["-q", "50"]);
    let (cleaned, outcome) = judge::clean(&heic);
    assert!(removed(&outcome).contains(&Removed::Location));
    judge::assert_clean(&cleaned, &[], MAT2_ALLOWED);
    // The decoded pixels are those of the original, bit for bit.
    let a = dir.path("a.png");
    let b = dir.path("b.png");
    tool(
        "heif-convert",
        &[heic.to_str().unwrap(), a.to_str().unwrap()],
    );
    tool(
        "heif-convert",
        &[cleaned.to_str().unwrap(), b.to_str().unwrap()],
    );
    let diff = std::process::Command::new("compare")
        .args([
            "-metric",
            "AE",
            a.to_str().unwrap(),
            b.to_str().unwrap(),
            "null:",
        ])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&diff.stderr).trim(), "0");
}
