//! WAV, AIFF and AVI made by sox and ffmpeg with the metadata recorder apps
//! and cameras leave (RIFF INFO, Broadcast WAV `bext`, ID3 chunks, XMP,
//! AIFF comments, AVI stream names), cleaned, judged and played again.

use crate::judge::{self, Scratch, tool};
use amanat_sanitize::{Outcome, Removed};
use std::path::{Path, PathBuf};
use std::process::Command;

/// `ffmpeg -v error` decodes every stream of `path` to nowhere and says
/// nothing: the cleaned file plays.
fn plays(path: &Path) {
    let out = Command::new("ffmpeg")
        .args([
            "-nostdin",
            "-v",
            "error",
            "-i",
            path.to_str().unwrap(),
            "-f",
            "null",
            "-",
        ])
        .output()
        .expect("ffmpeg is missing; run scripts/test.sh");
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "{} does not decode: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// sox reads the cleaned audio and finds the same number of samples.
fn sox_reads(cleaned: &Path, original: &Path) {
    let samples = |p: &Path| tool("soxi", &["-s", p.to_str().unwrap()]);
    assert_eq!(samples(cleaned), samples(original));
    let out = Command::new("sox")
        .args([cleaned.to_str().unwrap(), "-n", "stat"])
        .output()
        .expect("sox is missing; run scripts/test.sh");
    assert!(
        out.status.success(),
        "sox cannot read {}: {}",
        cleaned.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn ffmpeg(args: &[&str]) {
    let mut all = vec!["-nostdin", "-v", "error", "-y"];
    all.extend_from_slice(args);
    tool("ffmpeg", &all);
}

fn removed(outcome: Outcome) -> Vec<Removed> {
    match outcome {
        Outcome::Cleaned { removed } => removed,
        other => panic!("not cleaned: {other:?}"),
    }
}

/// Insert `chunk` (already framed) before the RIFF/FORM's first chunk and
/// fix the outer size, as a tagger that adds a chunk does.
fn insert_chunk(path: &Path, chunk: &[u8], big_endian: bool) {
    let mut data = std::fs::read(path).unwrap();
    let old = u32::from_le_bytes(data[4..8].try_into().unwrap());
    let old = if big_endian { old.swap_bytes() } else { old };
    let new = old + chunk.len() as u32;
    let bytes = if big_endian {
        new.to_be_bytes()
    } else {
        new.to_le_bytes()
    };
    data[4..8].copy_from_slice(&bytes);
    data.splice(12..12, chunk.iter().copied());
    std::fs::write(path, data).unwrap();
}

/// A chunk framed for RIFF (little-endian size), padded to even length.
fn riff_chunk(id: &[u8; 4], body: &[u8]) -> Vec<u8> {
    let mut c = id.to_vec();
    c.extend_from_slice(&(body.len() as u32).to_le_bytes());
    c.extend_from_slice(body);
    if body.len() % 2 == 1 {
        c.push(0);
    }
    c
}

/// An XMP packet naming a creator, a position and a time, made by exiftool.
fn xmp_packet(dir: &Scratch) -> Vec<u8> {
    let xmp = dir.path("dirty.xmp");
    tool(
        "exiftool",
        &[
            "-q",
            "-o",
            xmp.to_str().unwrap(),
            "-XMP-dc:Creator=Jane Doe",
            "-XMP-exif:GPSLatitude=33.6844",
            "-XMP-xmp:CreateDate=2026:12:06 17:23:00",
        ],
    );
    std::fs::read(xmp).unwrap()
}

fn broadcast_wav(dir: &Scratch) -> PathBuf {
    let wav = dir.path("bwf.wav");
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "sine=d=0.3:sample_rate=48000",
        "-ac",
        "2",
        "-c:a",
        "pcm_s24le",
        "-metadata",
        "artist=Jane Doe",
        "-metadata",
        "comment=interview at the station",
        "-metadata",
        "date=2026-12-06",
        "-metadata",
        "encoded_by=Zoom H5",
        "-write_bext",
        "1",
        "-metadata",
        "originator=Zoom H5 SN123",
        "-metadata",
        "origination_date=2026-12-06",
        "-metadata",
        "origination_time=17:23:00",
        "-metadata",
        "coding_history=A=PCM,F=48000,W=24,M=stereo,T=Zoom H5",
        "-write_id3v2",
        "1",
        wav.to_str().unwrap(),
    ]);
    wav
}

#[test]
fn broadcast_wav_from_ffmpeg_loses_info_bext_and_id3() {
    let dir = Scratch::new();
    let wav = broadcast_wav(&dir);
    judge::assert_dirty(&wav);
    let (cleaned, outcome) = judge::clean(&wav);
    let removed = removed(outcome);
    for r in [
        Removed::Author,
        Removed::Software,
        Removed::Dates,
        Removed::Comments,
    ] {
        assert!(removed.contains(&r), "{r:?} not in {removed:?}");
    }
    judge::assert_clean(&cleaned, &[], &[]);
    plays(&cleaned);
    sox_reads(&cleaned, &wav);
}

#[test]
fn rf64_wav_from_ffmpeg_keeps_its_64_bit_header() {
    let dir = Scratch::new();
    let wav = dir.path("rf64.wav");
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "sine=d=0.3",
        "-rf64",
        "always",
        "-metadata",
        "artist=Jane Doe",
        "-metadata",
        "date=2026-12-06",
        "-write_bext",
        "1",
        "-metadata",
        "originator=Zoom F6 SN42",
        "-metadata",
        "origination_time=17:23:00",
        wav.to_str().unwrap(),
    ]);
    assert_eq!(&std::fs::read(&wav).unwrap()[..4], b"RF64");
    judge::assert_dirty(&wav);
    let (cleaned, outcome) = judge::clean(&wav);
    assert!(removed(outcome).contains(&Removed::Author));
    assert_eq!(&std::fs::read(&cleaned).unwrap()[..4], b"RF64");
    // mat2 lists the three numbers of the ds64 chunk: the file's own sizes
    // and its sample count, which RF64 needs to be read at all.
    judge::assert_clean(
        &cleaned,
        &[],
        &["RIFFSize64:", "DataSize64:", "NumberOfSamples64:"],
    );
    plays(&cleaned);
    sox_reads(&cleaned, &wav);
}

#[test]
fn sox_wav_with_xmp_ixml_and_an_appended_id3_tag() {
    let dir = Scratch::new();
    let wav = dir.path("sox.wav");
    tool(
        "sox",
        &[
            "-n",
            "-r",
            "16000",
            "-c",
            "1",
            "-b",
            "16",
            wav.to_str().unwrap(),
            "synth",
            "0.5",
            "sine",
            "440",
        ],
    );
    insert_chunk(&wav, &riff_chunk(b"_PMX", &xmp_packet(&dir)), false);
    insert_chunk(
        &wav,
        &riff_chunk(b"iXML", b"<BWFXML><PROJECT>Jane Doe interview</PROJECT><NOTE>recorded 2026-12-06 17:23</NOTE></BWFXML>"),
        false,
    );
    // An ID3v1 tag appended after the RIFF, as some taggers do.
    let mut data = std::fs::read(&wav).unwrap();
    let mut tag = b"TAGInterview".to_vec();
    tag.resize(33, 0);
    tag.extend_from_slice(b"Jane Doe");
    tag.resize(128, 0);
    data.extend_from_slice(&tag);
    std::fs::write(&wav, data).unwrap();
    judge::assert_dirty(&wav);
    let (cleaned, outcome) = judge::clean(&wav);
    let removed = removed(outcome);
    assert!(removed.contains(&Removed::Location), "{removed:?}");
    assert!(removed.contains(&Removed::Author), "{removed:?}");
    judge::assert_clean(&cleaned, &[], &[]);
    let bytes = std::fs::read(&cleaned).unwrap();
    for gone in [&b"Jane"[..], b"BWFXML", b"xmpmeta", b"TAG"] {
        assert!(!bytes.windows(gone.len()).any(|w| w == gone));
    }
    plays(&cleaned);
    sox_reads(&cleaned, &wav);
}

#[test]
fn aiff_with_a_sox_comment_and_aifc_with_id3_from_ffmpeg() {
    let dir = Scratch::new();
    let aiff = dir.path("sox.aiff");
    tool(
        "sox",
        &[
            "-n",
            "-r",
            "8000",
            "-c",
            "1",
            "--comment",
            "Jane Doe, Lahore, 2026-12-06 17:23",
            aiff.to_str().unwrap(),
            "synth",
            "0.4",
            "sine",
            "440",
        ],
    );
    let aifc = dir.path("ffmpeg.aifc");
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "sine=d=0.3",
        "-c:a",
        "pcm_f32be",
        "-f",
        "aiff",
        "-metadata",
        "artist=Jane Doe",
        "-metadata",
        "title=Interview",
        "-write_id3v2",
        "1",
        aifc.to_str().unwrap(),
    ]);
    for f in [&aiff, &aifc] {
        judge::assert_dirty(f);
        let (cleaned, outcome) = judge::clean(f);
        assert!(!removed(outcome).is_empty());
        // AIFF-C's FVER holds a time, 1990:05:23 14:40, which the cleaner
        // sets to the one version stamp the specification defines: the same
        // in every AIFF-C file, it names no one and no moment.
        judge::assert_clean(
            &cleaned,
            &["AIFF:FormatVersionTime"],
            &[
                "CompressorName:",
                "FormatVersionTime: 1990:05:23 14:40:00",
                // The codec of AIFF-C sound data (32-bit float here).
                "CompressionType: Unknown (fl32)",
            ],
        );
        // mat2 lists the codec's name from COMM even when it is empty, as
        // ffmpeg leaves it: allowed above only when it is.
        let mat2 = judge::mat2_findings(&cleaned, &[]);
        assert!(
            mat2.iter()
                .filter(|l| l.starts_with("CompressorName"))
                .all(|l| l.as_str() == "CompressorName:"),
            "{mat2:?}"
        );
        plays(&cleaned);
        sox_reads(&cleaned, f);
    }
}

#[test]
fn avi_from_ffmpeg_keeps_its_length_and_plays() {
    let dir = Scratch::new();
    let avi = dir.path("camera.avi");
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "testsrc=size=64x48:rate=5",
        "-f",
        "lavfi",
        "-i",
        "sine=d=1",
        "-t",
        "1",
        "-c:v",
        "mjpeg",
        "-c:a",
        "pcm_s16le",
        "-metadata",
        "artist=Jane Doe",
        "-metadata",
        "comment=made on a Nikon D750",
        "-metadata",
        "creation_time=2026-12-06T17:23:00Z",
        "-metadata:s:v",
        "title=Camera 7",
        avi.to_str().unwrap(),
    ]);
    judge::assert_dirty(&avi);
    let (cleaned, outcome) = judge::clean(&avi);
    let removed = removed(outcome);
    assert!(removed.contains(&Removed::Author), "{removed:?}");
    assert!(removed.contains(&Removed::Software), "{removed:?}");
    assert_eq!(
        std::fs::metadata(&cleaned).unwrap().len(),
        std::fs::metadata(&avi).unwrap().len(),
        "AVI is cleaned in place"
    );
    judge::assert_clean(&cleaned, &[], &[]);
    plays(&cleaned);
}

#[test]
fn mpeg4_avi_still_seeks_by_its_index() {
    // ffmpeg writes OpenDML super-indexes (`indx`) only past 1 GiB; their
    // offsets are kept by cleaning in place, which the unit tests in
    // crates/sanitize/src/riff/ check. Here the legacy `idx1` must still work.
    let dir = Scratch::new();
    let avi = dir.path("mpeg4.avi");
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "testsrc=size=32x24:rate=10",
        "-t",
        "2",
        "-c:v",
        "mpeg4",
        "-metadata",
        "artist=Jane Doe",
        "-metadata",
        "ICRD=2026-12-06 17:23:00",
        avi.to_str().unwrap(),
    ]);
    let data = std::fs::read(&avi).unwrap();
    assert!(
        data.windows(4).any(|w| w == b"idx1"),
        "ffmpeg wrote no index"
    );
    judge::assert_dirty(&avi);
    let (cleaned, _) = judge::clean(&avi);
    judge::assert_clean(&cleaned, &[], &[]);
    // Seek to the last second: a reader that follows the index.
    let out = Command::new("ffmpeg")
        .args([
            "-nostdin",
            "-v",
            "error",
            "-ss",
            "1.5",
            "-i",
            cleaned.to_str().unwrap(),
            "-f",
            "null",
            "-",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    plays(&cleaned);
}
