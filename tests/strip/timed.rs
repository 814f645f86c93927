//! Video timed metadata: a GoPro GPMF GPS track (`gpmd`) and a Google
//! `camm` track muxed by ffmpeg beside the video, with the index after the
//! media (as cameras write it) and before it (`+faststart`), and a text
//! track holding a drone's position as subtitles with a time-of-day
//! timecode track. exiftool `-ee` reads the GPS from the track before
//! cleaning and must find nothing after; the bytes of the samples must be
//! gone from the media data too, and the video must still decode.

use crate::judge::{
    QUICKTIME_ALLOWED, Scratch, assert_clean, assert_dirty, clean, decodes, exiftool_findings, tool,
};
use amanat_sanitize::Outcome;
use std::path::{Path, PathBuf};

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// A GPMF key-length-value item: key, type, size of one value, repeat.
fn klv(key: &[u8; 4], typ: u8, size: u8, repeat: u16, data: &[u8]) -> Vec<u8> {
    let mut v = key.to_vec();
    v.extend([typ, size]);
    v.extend(repeat.to_be_bytes());
    v.extend_from_slice(data);
    v.resize(v.len().div_ceil(4) * 4, 0);
    v
}

/// One GoPro GPMF payload: a device named "HERO7 Canary" with a GPS
/// stream (position near the Eiffel tower, a UTC time, a fix).
pub fn gpmf_sample() -> Vec<u8> {
    let ints = |v: &[i32]| v.iter().flat_map(|x| x.to_be_bytes()).collect::<Vec<u8>>();
    let name = b"GPS (Lat., Long., Alt., 2D speed, 3D speed)";
    let strm = [
        klv(b"STNM", b'c', 1, name.len() as u16, name),
        klv(b"GPSF", b'L', 4, 1, &3u32.to_be_bytes()),
        klv(b"GPSU", b'U', 16, 1, b"261206172300.000"),
        klv(
            b"SCAL",
            b'l',
            4,
            5,
            &ints(&[10_000_000, 10_000_000, 1000, 1000, 100]),
        ),
        klv(
            b"GPS5",
            b'l',
            20,
            2,
            &ints(&[
                488_577_000,
                22_950_000,
                35_000,
                1000,
                100,
                488_578_000,
                22_951_000,
                35_000,
                1000,
                100,
            ]),
        ),
    ]
    .concat();
    let devc = [
        klv(b"DVID", b'L', 4, 1, &1u32.to_be_bytes()),
        klv(b"DVNM", b'c', 1, 12, b"HERO7 Canary"),
        klv(b"STRM", 0, 1, strm.len() as u16, &strm),
    ]
    .concat();
    klv(b"DEVC", 0, 1, devc.len() as u16, &devc)
}

/// Two seconds of H.264 video with a data track of GPMF samples tagged
/// `tag`, muxed by ffmpeg into a QuickTime file.
pub fn video_with_gps(dir: &Scratch, tag: &str, faststart: bool) -> PathBuf {
    let bin = dir.path(&format!("{tag}.bin"));
    std::fs::write(&bin, [gpmf_sample(), gpmf_sample()].concat()).unwrap();
    let out = dir.path(&format!("{tag}-{faststart}.mov"));
    let mut args = vec![
        "-v",
        "error",
        "-f",
        "lavfi",
        "-i",
        "testsrc=size=64x48:rate=10:duration=2",
        "-f",
        "data",
        "-i",
        p(&bin),
        "-map",
        "0:v",
        "-map",
        "1:d",
        "-c:v",
        "libx264",
        "-c:d",
        "copy",
        "-tag:d",
        tag,
    ];
    if faststart {
        args.extend(["-movflags", "+faststart"]);
    }
    args.push(p(&out));
    tool("ffmpeg", &args);
    out
}

/// Two seconds of video with a drone's position and time as subtitles and
/// a timecode track set to the time of day.
pub fn video_with_subtitles(dir: &Scratch) -> PathBuf {
    let srt = dir.path("flight.srt");
    std::fs::write(
        &srt,
        "1\n00:00:00,000 --> 00:00:01,500\nGPS(48.8577,2.2950,35) 2026-12-06 17:23:00 FC7303\n\n",
    )
    .unwrap();
    let out = dir.path("subtitled.mov");
    tool(
        "ffmpeg",
        &[
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            "testsrc=size=64x48:rate=10:duration=2",
            "-i",
            p(&srt),
            "-map",
            "0:v",
            "-map",
            "1",
            "-c:v",
            "libx264",
            "-c:s",
            "mov_text",
            "-timecode",
            "17:23:00:00",
            p(&out),
        ],
    );
    out
}

/// The streams ffprobe sees, by type.
fn stream_types(path: &Path) -> Vec<String> {
    let out = tool(
        "ffprobe",
        &[
            "-v",
            "error",
            "-show_entries",
            "stream=codec_type",
            "-of",
            "csv=p=0",
            p(path),
        ],
    );
    out.lines().map(str::to_string).collect()
}

/// QuickTime structure, and the video's reference to its removed timecode
/// track, which stays: exiftool shows it as "TimeCode = 3", the number of
/// that track, not a time.
pub const SUBTITLED_ALLOWED: &[&str] = &[
    "QuickTime:TimeScale",
    "QuickTime:CurrentTime",
    "QuickTime:PosterTime",
    "QuickTime:PreviewTime",
    "QuickTime:SelectionTime",
    "Track1:MediaTimeScale",
    "Track1:CompositionTimeToSample",
    "Track1:TimeToSampleTable",
    "Track1:SampleGroupDescription",
    "Track1:TimeCode",
];

/// The whole judgement of one fixture with a timed track.
fn judge(fixture: &Path, canaries: &[&[u8]]) {
    judge_with(fixture, canaries, QUICKTIME_ALLOWED)
}

fn judge_with(fixture: &Path, canaries: &[&[u8]], allowed: &[&str]) {
    assert_dirty(fixture);
    let dirty = std::fs::read(fixture).unwrap();
    for c in canaries {
        assert!(
            dirty.windows(c.len()).any(|w| w == *c),
            "fixture lacks {c:?}"
        );
    }
    assert!(
        stream_types(fixture).len() > 1,
        "the fixture has a timed track"
    );
    let (out, outcome) = clean(fixture);
    assert!(matches!(outcome, Outcome::Cleaned { .. }), "{outcome:?}");
    assert_clean(&out, allowed, &[]);
    let bytes = std::fs::read(&out).unwrap();
    for c in canaries {
        assert!(
            !bytes.windows(c.len()).any(|w| w == *c),
            "{c:?} left in the media data"
        );
    }
    assert_eq!(stream_types(&out), ["video"]);
    decodes(&out);
}

#[test]
fn gopro_gps_track_index_last_and_first() {
    let dir = Scratch::new();
    for faststart in [false, true] {
        let mov = video_with_gps(&dir, "gpmd", faststart);
        let found = exiftool_findings(&mov, QUICKTIME_ALLOWED).join("\n");
        assert!(
            found.contains("GPS") && found.contains("HERO7 Canary"),
            "{found}"
        );
        judge(&mov, &[b"HERO7 Canary", b"GPS5", b"GPSU", b"DEVC"]);
    }
}

/// A data track of another tag (ffmpeg does not know `camm` and writes a
/// track of its own kind): what exiftool cannot read is still removed.
#[test]
fn unknown_data_track() {
    let dir = Scratch::new();
    let mov = video_with_gps(&dir, "camm", false);
    judge(&mov, &[b"HERO7 Canary", b"GPS5"]);
}

#[test]
fn subtitle_position_and_timecode_tracks() {
    let dir = Scratch::new();
    let mov = video_with_subtitles(&dir);
    judge_with(&mov, &[b"48.8577", b"FC7303", b"17:23"], SUBTITLED_ALLOWED);
}
