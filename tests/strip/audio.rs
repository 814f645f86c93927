//! Ogg Vorbis, Ogg Opus (voice notes) and FLAC, made by opusenc, oggenc,
//! vorbiscomment, ffmpeg, flac and metaflac with an artist, dates, a place,
//! the encoder's name and a cover picture carrying its own EXIF and GPS.
//! Each cleaned file must satisfy both readers and still decode.

use crate::judge::{Scratch, assert_clean, assert_dirty, clean, decodes, tool};
use amanat_sanitize::Outcome;
use std::path::{Path, PathBuf};

/// One second of a 16-bit mono tone made by sox.
pub(crate) fn wav(dir: &Scratch) -> PathBuf {
    let wav = dir.path("tone.wav");
    tool(
        "sox",
        &[
            "-n",
            "-r",
            "48000",
            "-b",
            "16",
            "-e",
            "signed",
            "-c",
            "1",
            p(&wav),
            "synth",
            "1",
            "sine",
            "440",
        ],
    );
    wav
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// A small JPEG with an author, a camera model and a GPS position.
fn cover(dir: &Scratch) -> PathBuf {
    let jpg = dir.path("cover.jpg");
    tool("convert", &["-size", "16x16", "xc:red", p(&jpg)]);
    tool(
        "exiftool",
        &[
            "-q",
            "-overwrite_original",
            "-Artist=Jane Canary",
            "-Model=Pixel 7",
            "-GPSLatitude=34.5",
            "-GPSLatitudeRef=N",
            "-GPSLongitude=69.2",
            "-GPSLongitudeRef=E",
            p(&jpg),
        ],
    );
    jpg
}

/// The ID3v2 tag (header and body) at the start of the MP3 at `path`.
fn id3_tag(path: &Path) -> Vec<u8> {
    let mp3 = std::fs::read(path).unwrap();
    assert!(mp3.starts_with(b"ID3"));
    let size = mp3[6..10]
        .iter()
        .fold(0usize, |a, b| (a << 7) | usize::from(*b));
    mp3[..10 + size].to_vec()
}

fn cleaned(outcome: &Outcome) {
    assert!(matches!(outcome, Outcome::Cleaned { .. }), "{outcome:?}");
}

/// The whole judgement of one Ogg fixture.
fn judge_ogg(fixture: &Path) {
    assert_dirty(fixture);
    let (out, outcome) = clean(fixture);
    cleaned(&outcome);
    assert_clean(&out, &[], &[]);
    decodes(&out);
    // ogginfo checks every page's CRC, sequence numbers and granules.
    let info = tool("ogginfo", &[p(&out)]);
    assert!(
        !info.contains("WARNING") && !info.contains("ERROR"),
        "{info}"
    );
    let bytes = std::fs::read(&out).unwrap();
    assert!(!bytes.windows(4).any(|w| w == b"Jane"));
}

#[test]
fn opusenc_voice_note() {
    let dir = Scratch::new();
    let wav = wav(&dir);
    let opus = dir.path("note.opus");
    tool(
        "opusenc",
        &[
            "--quiet",
            "--artist",
            "Jane Canary",
            "--comment",
            "LOCATION=Kabul",
            "--date",
            "2026-12-06T17:23:00",
            p(&wav),
            p(&opus),
        ],
    );
    judge_ogg(&opus);
    let (out, _) = clean(&opus);
    tool("opusinfo", &[p(&out)]);
}

#[test]
fn opusenc_with_a_cover_picture() {
    let dir = Scratch::new();
    let wav = wav(&dir);
    let jpg = cover(&dir);
    let opus = dir.path("pic.opus");
    tool(
        "opusenc",
        &[
            "--quiet",
            "--picture",
            p(&jpg),
            "--title",
            "Jane Canary",
            p(&wav),
            p(&opus),
        ],
    );
    judge_ogg(&opus);
}

#[test]
fn ffmpeg_opus_and_vorbis() {
    let dir = Scratch::new();
    let wav = wav(&dir);
    for (codec, name) in [("libopus", "ff.opus"), ("libvorbis", "ff.ogg")] {
        let out = dir.path(name);
        tool(
            "ffmpeg",
            &[
                "-v",
                "error",
                "-i",
                p(&wav),
                "-metadata",
                "artist=Jane Canary",
                "-metadata",
                "date=2026-12-06T17:23:00",
                "-c:a",
                codec,
                p(&out),
            ],
        );
        judge_ogg(&out);
    }
}

#[test]
fn oggenc_then_vorbiscomment() {
    let dir = Scratch::new();
    let wav = wav(&dir);
    let ogg = dir.path("v.ogg");
    tool(
        "oggenc",
        &["-Q", "-a", "Jane Canary", p(&wav), "-o", p(&ogg)],
    );
    tool(
        "vorbiscomment",
        &[
            "-a",
            "-t",
            "COMMENT=recorded 2026-12-06 17:23 at the office",
            p(&ogg),
        ],
    );
    judge_ogg(&ogg);
}

#[test]
fn chained_opus_links_are_all_cleaned() {
    let dir = Scratch::new();
    let wav = wav(&dir);
    let mut chain = Vec::new();
    for (i, artist) in ["Jane Canary", "Jane Sparrow"].iter().enumerate() {
        let opus = dir.path(&format!("{i}.opus"));
        tool(
            "opusenc",
            &[
                "--quiet",
                "--artist",
                artist,
                "--serial",
                &format!("{}", i + 1),
                p(&wav),
                p(&opus),
            ],
        );
        chain.extend(std::fs::read(&opus).unwrap());
    }
    let chained = dir.path("chained.opus");
    std::fs::write(&chained, chain).unwrap();
    let (out, outcome) = clean(&chained);
    cleaned(&outcome);
    let bytes = std::fs::read(&out).unwrap();
    assert!(!bytes.windows(4).any(|w| w == b"Jane"));
    assert!(!bytes.windows(7).any(|w| w == b"libopus"));
    let info = tool("ogginfo", &[p(&out)]);
    assert!(
        !info.contains("WARNING") && !info.contains("ERROR"),
        "{info}"
    );
    decodes(&out);
}

/// metaflac lists only the blocks a decoder needs.
fn only_needed_blocks(path: &Path) {
    let list = tool("metaflac", &["--list", p(path)]);
    let types: Vec<&str> = list
        .lines()
        .filter_map(|l| l.strip_prefix("  type: "))
        .collect();
    assert!(
        types
            .iter()
            .all(|t| t.contains("STREAMINFO") || t.contains("SEEKTABLE")),
        "{types:?}"
    );
}

fn judge_flac(fixture: &Path) {
    assert_dirty(fixture);
    let (out, outcome) = clean(fixture);
    cleaned(&outcome);
    assert_clean(&out, &[], &[]);
    decodes(&out);
    tool("flac", &["-s", "-t", p(&out)]);
    only_needed_blocks(&out);
    let bytes = std::fs::read(&out).unwrap();
    assert!(!bytes.windows(4).any(|w| w == b"Jane"));
}

#[test]
fn flac_with_tags_and_a_picture_holding_gps() {
    let dir = Scratch::new();
    let wav = wav(&dir);
    let jpg = cover(&dir);
    let flac = dir.path("a.flac");
    tool(
        "flac",
        &[
            "-s",
            "-T",
            "ARTIST=Jane Canary",
            "-T",
            "DATE=2026-12-06T17:23:00",
            &format!("--picture={}", p(&jpg)),
            p(&wav),
            "-o",
            p(&flac),
        ],
    );
    judge_flac(&flac);
}

#[test]
fn metaflac_imported_picture_and_tags() {
    let dir = Scratch::new();
    let wav = wav(&dir);
    let jpg = cover(&dir);
    let flac = dir.path("m.flac");
    tool("flac", &["-s", "--no-padding", p(&wav), "-o", p(&flac)]);
    tool(
        "metaflac",
        &[
            &format!("--import-picture-from={}", p(&jpg)),
            "--set-tag=COMMENT=recorded 2026-12-06 17:23",
            "--set-tag=LOCATION=Kabul",
            "--set-tag=ARTIST=Jane Canary",
            "--add-padding=4096",
            p(&flac),
        ],
    );
    judge_flac(&flac);
}

#[test]
fn ffmpeg_flac_and_one_behind_an_id3_tag() {
    let dir = Scratch::new();
    let wav = wav(&dir);
    let flac = dir.path("ff.flac");
    tool(
        "ffmpeg",
        &[
            "-v",
            "error",
            "-i",
            p(&wav),
            "-metadata",
            "artist=Jane Canary",
            "-metadata",
            "date=2026-12-06T17:23:00",
            p(&flac),
        ],
    );
    judge_flac(&flac);

    // An ID3v2 tag taken from an MP3 that ffmpeg tagged, put in front.
    let mp3 = dir.path("tag.mp3");
    tool(
        "ffmpeg",
        &[
            "-v",
            "error",
            "-i",
            p(&wav),
            "-t",
            "0.1",
            "-metadata",
            "artist=Jane Canary",
            "-id3v2_version",
            "3",
            p(&mp3),
        ],
    );
    let mut tagged = id3_tag(&mp3);
    tagged.extend(std::fs::read(&flac).unwrap());
    let id3 = dir.path("id3.flac");
    std::fs::write(&id3, tagged).unwrap();
    judge_flac(&id3);

    // An ID3v1 tag appended after the audio, as some taggers do: the
    // fields (title, artist, album, year, comment) made here by hand.
    let mut v1 = b"TAG".to_vec();
    for (field, len) in [
        ("Kabul meeting", 30),
        ("Jane Canary", 30),
        ("Evidence", 30),
        ("2026", 4),
        ("Pixel 7", 30),
    ] {
        let mut f = field.as_bytes().to_vec();
        f.resize(len, 0);
        v1.extend(f);
    }
    v1.push(255);
    // Behind an already cleaned file, so that only the ID3v1 tag is dirty.
    let (bare, _) = clean(&flac);
    let mut appended = std::fs::read(&bare).unwrap();
    appended.extend(v1);
    let v1 = dir.path("id3v1.flac");
    std::fs::write(&v1, appended).unwrap();
    judge_flac(&v1);
}

/// An ID3v2 tag larger than the 4 KiB the server looks at to detect a
/// file's type (a cover picture ffmpeg put in an MP3's tag) hides `fLaC`:
/// the file is still cleaned as FLAC and the tag removed.
#[test]
fn flac_behind_an_id3_tag_larger_than_the_detection_prefix() {
    let dir = Scratch::new();
    let wav = wav(&dir);
    let flac = dir.path("big.flac");
    tool(
        "flac",
        &["-s", "-T", "ARTIST=Jane Canary", p(&wav), "-o", p(&flac)],
    );
    let jpg = dir.path("noise.jpg");
    tool(
        "convert",
        &["-size", "96x96", "xc:", "+noise", "Random", p(&jpg)],
    );
    tool(
        "exiftool",
        &[
            "-q",
            "-overwrite_original",
            "-Artist=Jane Canary",
            "-Model=Pixel 7",
            p(&jpg),
        ],
    );
    let mp3 = dir.path("tag.mp3");
    tool(
        "ffmpeg",
        &[
            "-v",
            "error",
            "-i",
            p(&wav),
            "-i",
            p(&jpg),
            "-map",
            "0",
            "-map",
            "1",
            "-t",
            "0.1",
            "-metadata",
            "artist=Jane Canary",
            "-id3v2_version",
            "3",
            p(&mp3),
        ],
    );
    let mut tagged = id3_tag(&mp3);
    assert!(
        tagged.len() > 4096,
        "the tag ({} bytes) must outgrow the prefix",
        tagged.len()
    );
    tagged.extend(std::fs::read(&flac).unwrap());
    assert_eq!(
        amanat_sanitize::detect(&tagged[..4096]),
        amanat_sanitize::Kind::Mp3
    );
    let big = dir.path("big-id3.flac");
    std::fs::write(&big, tagged).unwrap();
    judge_flac(&big);
    let (out, _) = clean(&big);
    let bytes = std::fs::read(&out).unwrap();
    assert!(bytes.starts_with(b"fLaC"));
    assert_eq!(amanat_sanitize::detect(&bytes), amanat_sanitize::Kind::Flac);
}
