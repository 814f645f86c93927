//! WebM and Matroska made by ffmpeg with a title, an artist, a creation
//! time, stream titles, chapters and an attached picture: cleaned, judged by
//! exiftool (mat2 does not read Matroska and says so, which finds nothing),
//! then decoded by ffmpeg and read by ffprobe, which must show no tags.

use crate::judge::{self, Scratch, tool};
use amanat_sanitize::{Outcome, Removed};
use std::path::Path;
use std::process::Command;

const META: &[&str] = &[
    "-metadata",
    "title=Jane Doe at the checkpoint",
    "-metadata",
    "artist=Jane Doe",
    "-metadata",
    "comment=filmed from the roof of 12 Main Street",
    "-metadata",
    "creation_time=2026-12-06T17:23:45Z",
    "-metadata:s:0",
    "title=Pixel 7 rear camera",
];

/// Runs ffmpeg with a 1 s test picture and tone as inputs 0 and 1, then `args`.
pub(crate) fn ffmpeg(args: &[&str]) {
    let mut all = vec![
        "-v",
        "error",
        "-y",
        "-f",
        "lavfi",
        "-i",
        "testsrc=size=64x48:rate=10:duration=1",
        "-f",
        "lavfi",
        "-i",
        "sine=frequency=440:duration=1",
    ];
    all.extend_from_slice(args);
    tool("ffmpeg", &all);
}

/// ffmpeg decodes every stream without a word on stderr, from the start and
/// from half a second in (a seek through `SeekHead` and `Cues`, whose
/// offsets must still point at the right bytes).
fn decodes(path: &Path) {
    decodes_from(path, "0");
    decodes_from(path, "0.5");
}

fn decodes_from(path: &Path, start: &str) {
    let out = Command::new("ffmpeg")
        .args(["-v", "error", "-ss", start, "-i", path.to_str().unwrap()])
        .args(["-f", "null", "-"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{} does not decode", path.display());
    assert!(
        out.stderr.is_empty(),
        "{} decodes with errors: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// ffprobe finds the streams and no tags but `language` (a track's
/// language code, kept: a player needs it, it names no one) and empty ones,
/// and no chapters.
fn probe_is_bare(path: &Path, streams: usize) {
    let json = tool(
        "ffprobe",
        &[
            "-v",
            "error",
            "-show_format",
            "-show_streams",
            "-show_chapters",
            "-of",
            "json",
            path.to_str().unwrap(),
        ],
    );
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["streams"].as_array().unwrap().len(), streams, "{json}");
    assert!(v["chapters"].as_array().unwrap().is_empty(), "{json}");
    let mut tagged = vec![v["format"].clone()];
    tagged.extend(v["streams"].as_array().unwrap().iter().cloned());
    for t in tagged {
        if let Some(tags) = t["tags"].as_object() {
            for (k, v) in tags {
                // `encoder` is the mandatory WritingApp, now empty.
                let empty = v.as_str() == Some("");
                assert!(
                    k == "language" || empty,
                    "ffprobe still shows the tag {k} = {v}"
                );
            }
        }
    }
}

/// Tags named "time" that are media timing, not moments: the unit of the
/// file's timestamps (1 ms) and a keyframe's position from the start, in
/// seconds (the seek index, which players need).
pub(crate) const TIMING: &[&str] = &["Matroska:TimecodeScale", "Matroska:CueTime"];

fn cleaned(path: &Path) -> (std::path::PathBuf, Vec<Removed>) {
    judge::assert_dirty(path);
    let before = std::fs::metadata(path).unwrap().len();
    let (out, outcome) = judge::clean(path);
    let Outcome::Cleaned { removed } = outcome else {
        panic!("{}: {outcome:?}", path.display());
    };
    assert_eq!(
        std::fs::metadata(&out).unwrap().len(),
        before,
        "sizes differ"
    );
    judge::assert_clean(&out, TIMING, &[]);
    (out, removed)
}

fn has(removed: &[Removed], want: &[Removed]) {
    for w in want {
        assert!(removed.contains(w), "{w} not in {removed:?}");
    }
}

#[test]
fn webm_vp9_opus_from_ffmpeg() {
    let dir = Scratch::new();
    let f = dir.path("vp9.webm");
    let mut args = vec![
        "-c:v",
        "libvpx-vp9",
        "-deadline",
        "realtime",
        "-cpu-used",
        "8",
        "-c:a",
        "libopus",
    ];
    args.extend_from_slice(META);
    args.push(f.to_str().unwrap());
    ffmpeg(&args);
    let (out, removed) = cleaned(&f);
    has(
        &removed,
        &[
            Removed::Author,
            Removed::Software,
            Removed::Dates,
            Removed::Comments,
        ],
    );
    decodes(&out);
    probe_is_bare(&out, 2);
}

#[test]
fn webm_vp8_vorbis_streamed_with_unknown_sizes() {
    // Written to a pipe, as a live recorder does: the Segment's size is
    // unknown and nothing is written back at the end.
    let dir = Scratch::new();
    let f = dir.path("live.webm");
    let mut args = vec![
        "-c:v",
        "libvpx",
        "-deadline",
        "realtime",
        "-c:a",
        "libvorbis",
    ];
    args.extend_from_slice(META);
    args.extend_from_slice(&["-f", "webm", "-live", "1", "pipe:1"]);
    let mut all = vec![
        "-v",
        "error",
        "-f",
        "lavfi",
        "-i",
        "testsrc=size=64x48:rate=10:duration=1",
        "-f",
        "lavfi",
        "-i",
        "sine=frequency=440:duration=1",
    ];
    all.extend_from_slice(&args);
    let out = Command::new("ffmpeg").args(&all).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The Segment's size field (after the EBML header) is "unknown".
    let data = out.stdout;
    let seg = data
        .windows(4)
        .position(|w| w == [0x18, 0x53, 0x80, 0x67])
        .unwrap();
    assert_eq!(data[seg + 4], 0x01);
    assert!(data[seg + 5..seg + 12].iter().all(|&b| b == 0xFF));
    // Browsers' recorders also leave each Cluster's size unknown: set
    // every Cluster's size field to "unknown" (all ones, same length).
    let mut data = data;
    let mut clusters = 0;
    let mut i = 0;
    while let Some(p) = data[i..]
        .windows(4)
        .position(|w| w == [0x1F, 0x43, 0xB6, 0x75])
    {
        let at = i + p + 4;
        let len = data[at].leading_zeros() as usize + 1;
        data[at] = 0xFF >> (len - 1);
        data[at + 1..at + len].fill(0xFF);
        clusters += 1;
        i = at + len;
    }
    assert!(clusters >= 1);
    std::fs::write(&f, &data).unwrap();
    decodes(&f);
    let (cleaned_file, removed) = cleaned(&f);
    has(
        &removed,
        &[Removed::Author, Removed::Dates, Removed::Comments],
    );
    decodes(&cleaned_file);
    probe_is_bare(&cleaned_file, 2);
}

#[test]
fn matroska_with_chapters_and_an_attached_picture() {
    let dir = Scratch::new();
    let cover = dir.path("cover.jpg");
    tool(
        "ffmpeg",
        &[
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "testsrc=size=32x32:duration=1",
            "-frames:v",
            "1",
            cover.to_str().unwrap(),
        ],
    );
    let chapters = dir.path("chapters.txt");
    std::fs::write(
        &chapters,
        ";FFMETADATA1\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=0\nEND=500\n\
         title=Jane arrives at 12 Main Street\n[CHAPTER]\nTIMEBASE=1/1000\n\
         START=500\nEND=1000\ntitle=Soldiers search the car\n",
    )
    .unwrap();
    let f = dir.path("chapters.mkv");
    let mut args = vec![
        "-i",
        chapters.to_str().unwrap(),
        "-map",
        "0",
        "-map",
        "1",
        "-map_chapters",
        "2",
        "-c:v",
        "mpeg4",
        "-c:a",
        "flac",
        "-attach",
        cover.to_str().unwrap(),
        "-metadata:s:t",
        "mimetype=image/jpeg",
        "-metadata:s:t",
        "filename=Jane-Doe-cover.jpg",
    ];
    args.extend_from_slice(META);
    args.push(f.to_str().unwrap());
    ffmpeg(&args);
    let (out, removed) = cleaned(&f);
    has(
        &removed,
        &[
            Removed::Author,
            Removed::Software,
            Removed::Dates,
            Removed::Comments,
            Removed::Other,
        ],
    );
    decodes(&out);
    // The attachment went with its metadata: two streams remain.
    probe_is_bare(&out, 2);
    let data = std::fs::read(&out).unwrap();
    assert!(!data.windows(8).any(|w| w == b"Jane-Doe"));
    assert!(!data.windows(8).any(|w| w == b"Soldiers"));
}

#[test]
fn matroska_audio_with_stream_tags() {
    let dir = Scratch::new();
    let f = dir.path("voice.mka");
    tool(
        "ffmpeg",
        &[
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=300:duration=1",
            "-c:a",
            "libopus",
            "-metadata",
            "artist=Jane Doe",
            "-metadata",
            "date=2026-12-06T17:23:45",
            "-metadata:s:a:0",
            "title=Galaxy S23 microphone",
            "-metadata:s:a:0",
            "handler_name=Voice Recorder 4.2",
            f.to_str().unwrap(),
        ],
    );
    let (out, removed) = cleaned(&f);
    has(
        &removed,
        &[Removed::Author, Removed::Software, Removed::Comments],
    );
    decodes(&out);
    probe_is_bare(&out, 1);
}
