//! The corpus: at least 30 files across every type of issue 14, each made
//! dirty by a real tool (ffmpeg, sox, flac, metaflac, opusenc, oggenc,
//! heif-enc, ImageMagick, exiftool), cleaned by `amanat_sanitize`, then
//! judged together: exiftool (`-a -G1 -ee`) and mat2 must find no author,
//! device, position, serial, software version or time finer than the day,
//! and the file must still decode. HTML, CSS and plain text are passed
//! through on purpose (docs/stripping.md) and must say so. Every failure is
//! collected, so that one run names every file that is not clean.

use crate::judge::{
    MP4_MAT2_ALLOWED, QUICKTIME_ALLOWED, Scratch, clean, exiftool_findings, mat2_findings, tool,
};
use crate::{audio, heif, mkv, text, timed};
use amanat_sanitize::Outcome;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The smallest corpus this test accepts, so that it cannot shrink silently.
const MIN_FILES: usize = 30;

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// How a cleaned file is shown to be still usable.
#[derive(Clone, Copy, Debug)]
enum Use {
    /// ffmpeg decodes every stream without a word on stderr.
    Plays,
    /// ImageMagick reads the image, at the size it had.
    Shows,
    /// ImageMagick draws the drawing, at the size it had.
    Draws,
    /// A zip every entry of which reads back (EPUB).
    Opens,
    /// Deliberately not cleaned: passed through unchanged, marked so.
    NotCleaned,
}

struct Case {
    file: PathBuf,
    usable: Use,
    exif_allowed: &'static [&'static str],
    mat2_allowed: &'static [&'static str],
}

fn case(file: PathBuf, usable: Use) -> Case {
    Case {
        file,
        usable,
        exif_allowed: &[],
        mat2_allowed: &[],
    }
}

/// The identifying ffmpeg metadata given to every media file.
const FF_META: &[&str] = &[
    "-metadata",
    "title=Jane Canary at the checkpoint",
    "-metadata",
    "artist=Jane Canary",
    "-metadata",
    "comment=filmed from the roof of 12 Main Street",
    "-metadata",
    "creation_time=2026-12-06T17:23:45Z",
    "-metadata",
    "date=2026-12-06T17:23:45",
    "-metadata",
    "location=+48.8577+002.2950/",
    "-metadata",
    "make=Google",
    "-metadata",
    "model=Pixel 7",
];

/// ffmpeg with a one-second test picture (input 0) and tone (input 1),
/// `args`, and the identifying metadata.
fn ffmpeg(dir: &Scratch, name: &str, args: &[&str]) -> PathBuf {
    let out = dir.path(name);
    mkv::ffmpeg(&[args, FF_META, &[p(&out)]].concat());
    out
}

fn exiftool_tags(path: &Path, tags: &[&str]) {
    let mut args = vec!["-q", "-overwrite_original"];
    args.extend_from_slice(tags);
    args.push(p(path));
    tool("exiftool", &args);
}

fn media(dir: &Scratch) -> Vec<Case> {
    let v = |name: &str, args: &[&str]| case(ffmpeg(dir, name, args), Use::Plays);
    let audio = ["-map", "1:a"];
    let movie = |extra: &'static [&'static str]| -> Vec<&'static str> {
        [
            &[
                "-map",
                "0:v",
                "-map",
                "1:a",
                "-movflags",
                "+use_metadata_tags",
            ][..],
            extra,
        ]
        .concat()
    };
    let mut cases = vec![
        // Video: QuickTime family.
        v("phone.mov", &movie(&["-c:v", "libx264", "-c:a", "aac"])),
        v("phone.mp4", &movie(&["-c:v", "libx264", "-c:a", "aac"])),
        v(
            "faststart.mp4",
            &movie(&["-c:v", "libx264", "-c:a", "aac", "-movflags", "+faststart"]),
        ),
        v(
            "clip.3gp",
            &[
                "-map", "0:v", "-map", "1:a", "-c:v", "h263", "-s", "176x144", "-c:a", "aac",
                "-ar", "8000", "-ac", "1",
            ],
        ),
        // Audio in MP4.
        v("voice.m4a", &[&audio[..], &["-c:a", "aac"]].concat()),
        // AVI.
        v(
            "camera.avi",
            &[
                "-map",
                "0:v",
                "-map",
                "1:a",
                "-c:v",
                "mpeg4",
                "-c:a",
                "pcm_s16le",
            ],
        ),
        // WebM and Matroska.
        v(
            "browser.webm",
            &[
                "-map", "0:v", "-map", "1:a", "-c:v", "libvpx", "-c:a", "libopus",
            ],
        ),
        v(
            "vp9.webm",
            &[
                "-map",
                "0:v",
                "-map",
                "1:a",
                "-c:v",
                "libvpx-vp9",
                "-c:a",
                "libvorbis",
            ],
        ),
        v(
            "camera.mkv",
            &[
                "-map", "0:v", "-map", "1:a", "-c:v", "libx264", "-c:a", "flac",
            ],
        ),
        v("audio.mka", &[&audio[..], &["-c:a", "libopus"]].concat()),
        // Ogg.
        v("ffmpeg.opus", &[&audio[..], &["-c:a", "libopus"]].concat()),
        v("ffmpeg.ogg", &[&audio[..], &["-c:a", "libvorbis"]].concat()),
        // WAV, AIFF, FLAC from ffmpeg.
        v(
            "recorder.wav",
            &[&audio[..], &["-write_bext", "1"]].concat(),
        ),
        v(
            "recorder.aiff",
            &[&audio[..], &["-write_id3v2", "1"]].concat(),
        ),
        v("ffmpeg.flac", &audio),
        v("24-bit.wav", &[&audio[..], &["-c:a", "pcm_s24le"]].concat()),
    ];
    for c in cases.iter_mut() {
        if c.file
            .extension()
            .is_some_and(|e| ["mov", "mp4", "3gp", "m4a"].contains(&e.to_str().unwrap()))
        {
            c.exif_allowed = QUICKTIME_ALLOWED;
            c.mat2_allowed = MP4_MAT2_ALLOWED;
        }
        if c.file
            .extension()
            .is_some_and(|e| ["webm", "mkv", "mka"].contains(&e.to_str().unwrap()))
        {
            c.exif_allowed = mkv::TIMING;
        }
    }

    // A tone from sox, encoded and tagged by the codecs' own tools.
    let wav = audio::wav(dir);
    let opus = dir.path("voice-note.opus");
    tool(
        "opusenc",
        &[
            "--quiet",
            "--artist",
            "Jane Canary",
            "--date",
            "2026-12-06T17:23:00",
            "--comment",
            "LOCATION=Kabul",
            p(&wav),
            p(&opus),
        ],
    );
    let ogg = dir.path("oggenc.ogg");
    tool(
        "oggenc",
        &[
            "-Q",
            "-a",
            "Jane Canary",
            "-d",
            "2026-12-06 17:23",
            "-c",
            "ENCODER=Pixel 7 Recorder",
            p(&wav),
            "-o",
            p(&ogg),
        ],
    );
    let flac = dir.path("flac.flac");
    tool(
        "flac",
        &[
            "-s",
            "-T",
            "ARTIST=Jane Canary",
            "-T",
            "DATE=2026-12-06T17:23:00",
            p(&wav),
            "-o",
            p(&flac),
        ],
    );
    let meta = dir.path("metaflac.flac");
    tool("flac", &["-s", "--no-padding", p(&wav), "-o", p(&meta)]);
    tool(
        "metaflac",
        &[
            "--set-tag=COMMENT=recorded 2026-12-06 17:23",
            "--set-tag=LOCATION=Kabul",
            "--set-tag=ARTIST=Jane Canary",
            p(&meta),
        ],
    );
    let aiff = dir.path("sox.aiff");
    tool(
        "sox",
        &[
            p(&wav),
            "--comment",
            "Jane Canary, Pixel 7, 2026-12-06 17:23",
            p(&aiff),
        ],
    );
    for f in [opus, ogg, flac, meta, aiff] {
        cases.push(case(f, Use::Plays));
    }

    // Timed metadata: GoPro GPS tracks and a drone's subtitles.
    for faststart in [false, true] {
        let mut c = case(timed::video_with_gps(dir, "gpmd", faststart), Use::Plays);
        c.exif_allowed = QUICKTIME_ALLOWED;
        cases.push(c);
    }
    let mut c = case(timed::video_with_subtitles(dir), Use::Plays);
    c.exif_allowed = timed::SUBTITLED_ALLOWED;
    cases.push(c);
    cases
}

fn images(dir: &Scratch) -> Vec<Case> {
    let jpg = dir.path("photo.jpg");
    tool("convert", &["-size", "96x64", "gradient:red-blue", p(&jpg)]);
    exiftool_tags(&jpg, heif::TAGS);
    let mut cases = Vec::new();
    for (name, extra) in [("iphone.heic", &[][..]), ("android.avif", &["-A"][..])] {
        let out = dir.path(name);
        let mut args = extra.to_vec();
        args.extend(["-o", p(&out), p(&jpg)]);
        tool("heif-enc", &args);
        let mut c = case(out, Use::Shows);
        c.mat2_allowed = heif::MAT2_ALLOWED;
        cases.push(c);
    }
    // Netpbm with the comments GIMP and other tools write.
    for (name, args) in [
        ("gimp.ppm", &["-compress", "none"][..]),
        ("gimp.pgm", &["-colorspace", "gray"][..]),
    ] {
        let out = dir.path(name);
        let mut all = vec![p(&jpg)];
        all.extend_from_slice(args);
        all.push(p(&out));
        tool("convert", &all);
        let image = std::fs::read(&out).unwrap();
        let mut v = image[..3].to_vec();
        v.extend_from_slice(b"# CREATOR: GIMP PNM Filter Version 1.1\n# Jane Canary 2026-12-06 17:23 Canon EOS R6 serial 0123456789\n");
        v.extend_from_slice(&image[3..]);
        std::fs::write(&out, v).unwrap();
        cases.push(case(out, Use::Shows));
    }
    let svg = dir.path("inkscape.svg");
    std::fs::write(&svg, text::INKSCAPE).unwrap();
    let mut c = case(svg, Use::Draws);
    // The root element's id and what mat2 works out from the drawing's size.
    c.mat2_allowed = &["ID: svg5", "ImageSize:", "Megapixels:"];
    cases.push(c);
    cases
}

fn documents(dir: &Scratch) -> Vec<Case> {
    let cover = dir.path("cover.jpeg");
    tool("convert", &["-size", "16x16", "xc:red", p(&cover)]);
    exiftool_tags(
        &cover,
        &[
            "-Artist=Jane Canary",
            "-GPSLatitude=34.5",
            "-GPSLatitudeRef=N",
        ],
    );
    let epub = dir.path("calibre.epub");
    std::fs::write(&epub, text::epub(&std::fs::read(&cover).unwrap())).unwrap();
    let html = dir.path("page.html");
    std::fs::write(&html, "<!doctype html><html><head><meta name=\"author\" content=\"Jane Canary\"><meta name=\"generator\" content=\"Word 16\"></head><body><!-- 2026-12-06 17:23 --><p>Notes</p></body></html>\n").unwrap();
    let css = dir.path("style.css");
    std::fs::write(
        &css,
        "/* Jane Canary, 2026-12-06 17:23 */\np { margin: 0 }\n",
    )
    .unwrap();
    let txt = dir.path("notes.txt");
    std::fs::write(&txt, "Notes typed by Jane Canary on 2026-12-06 17:23.\n").unwrap();
    vec![
        Case {
            file: epub,
            usable: Use::Opens,
            exif_allowed: text::EPUB_EXIF_ALLOWED,
            mat2_allowed: text::EPUB_MAT2_ALLOWED,
        },
        case(html, Use::NotCleaned),
        case(css, Use::NotCleaned),
        case(txt, Use::NotCleaned),
    ]
}

/// What is wrong with one file of the corpus, if anything.
fn judge(c: &Case, dir: &Scratch) -> Vec<String> {
    let name = c.file.file_name().unwrap().to_string_lossy().into_owned();
    let mut wrong = Vec::new();
    let (out, outcome) = clean(&c.file);
    if let Use::NotCleaned = c.usable {
        if outcome != Outcome::NotCleanable {
            wrong.push(format!("{name}: {outcome:?}, not marked as not cleaned"));
        }
        if std::fs::read(&out).unwrap() != std::fs::read(&c.file).unwrap() {
            wrong.push(format!("{name}: changed though not cleaned"));
        }
        return wrong;
    }
    if exiftool_findings(&c.file, c.exif_allowed).is_empty() {
        wrong.push(format!("{name}: the fixture carries nothing to remove"));
    }
    if !matches!(outcome, Outcome::Cleaned { .. }) {
        wrong.push(format!("{name}: {outcome:?}"));
    }
    for f in exiftool_findings(&out, c.exif_allowed) {
        wrong.push(format!("{name}: exiftool: {f}"));
    }
    for f in mat2_findings(&out, c.mat2_allowed) {
        wrong.push(format!("{name}: mat2: {f}"));
    }
    let usable = match c.usable {
        Use::Plays => {
            let o = Command::new("ffmpeg")
                .args(["-v", "error", "-i", p(&out), "-f", "null", "-"])
                .output()
                .unwrap();
            o.status.success() && o.stderr.is_empty()
        }
        Use::Shows => {
            let size = |f: &Path| {
                let o = Command::new("identify")
                    .args(["-format", "%wx%h\n", p(f)])
                    .output()
                    .unwrap();
                o.status.success().then(|| {
                    String::from_utf8_lossy(&o.stdout)
                        .lines()
                        .next()
                        .map(str::to_string)
                })
            };
            size(&out).is_some() && size(&out) == size(&c.file)
        }
        Use::Draws => {
            // Only the cleaned file: ImageMagick refuses to draw the
            // original, for the remote image the cleaner removed.
            let png = out.with_extension("png");
            let ok = |c: &mut Command| c.output().unwrap().status.success();
            ok(Command::new("convert").args([p(&out), p(&png)]))
                && ok(Command::new("identify").arg(p(&png)))
        }
        Use::Opens => {
            let to = dir.path(&format!("{name}.d"));
            let unzip = |args: &[&str]| {
                Command::new("unzip")
                    .args(args)
                    .output()
                    .unwrap()
                    .status
                    .success()
            };
            unzip(&["-q", "-t", p(&out)]) && unzip(&["-q", "-o", p(&out), "-d", p(&to)])
        }
        Use::NotCleaned => true,
    };
    if !usable {
        wrong.push(format!("{name}: no longer usable ({:?})", c.usable));
    }
    wrong
}

#[test]
fn every_file_of_the_corpus_comes_out_clean_and_usable() {
    let dir = Scratch::new();
    let mut corpus = media(&dir);
    corpus.extend(images(&dir));
    corpus.extend(documents(&dir));
    assert!(
        corpus.len() >= MIN_FILES,
        "the corpus has only {} files",
        corpus.len()
    );
    // Every type of the issue is in it, as the content says, not the name.
    use amanat_sanitize::Kind::*;
    let kinds: Vec<_> = corpus
        .iter()
        .map(|c| amanat_sanitize::detect(&std::fs::read(&c.file).unwrap()))
        .collect();
    for want in [
        Heif, Avif, Ogg, Flac, Wav, Aiff, Mp4, Avi, Webm, Matroska, Svg, Epub, Netpbm, Other,
    ] {
        assert!(kinds.contains(&want), "no {want} file in the corpus");
    }
    let wrong: Vec<String> = corpus.iter().flat_map(|c| judge(c, &dir)).collect();
    assert!(
        wrong.is_empty(),
        "{} of {} files:\n{}",
        wrong.len(),
        corpus.len(),
        wrong.join("\n")
    );
}
