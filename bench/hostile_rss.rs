//! Hostile-file harness: uploads decompression bombs to a real `amanatd` on
//! loopback and prints the server's peak resident memory (VmHWM from
//! `/proc/PID/status`), what the server answered and how long it took.
//! The goal is under 256 MiB per upload whatever the file.
//!
//! Cases (files made in code by `bench/hostile_files.rs`):
//! * a ~7 KB PDF whose XMP metadata stream is 4 GiB of zeros behind two
//!   FlateDecode layers (the review's proof of concept);
//! * a ~100 KB PDF: the same XMP stream plus as many object streams of the
//!   same bomb as fit, which a reader must decode to read the file;
//! * a PDF whose one object stream holds small objects just under the
//!   default `limits.pdf_max_values`, one with three million, and one whose
//!   single object is an array of 15 million zeros (about 30 MB of text,
//!   under the decoding budget, that parses into values many times its
//!   size), and the same kind of array, 5 million zeros, written plainly
//!   in the file, then 495,000 (just under the limit, so accepted);
//! * a DOCX with a 10 MiB stored entry and 1000 MiB of deflated zeros;
//! * four of each bomb uploaded at once (`concurrent_uploads` is 4 by
//!   default), and of the plain arrays.
//!
//! Every case runs on its own fresh server (its own data directory, default
//! configuration) so that VmHWM is that of the case. With `--write FILE` the
//! table replaces the section of FILE between `<!-- hostile-rss:start -->`
//! and `<!-- hostile-rss:end -->`. Run it with `scripts/hostile-rss.sh`.
#![forbid(unsafe_code)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/common/mod.rs"]
mod common;
#[path = "hostile_files.rs"]
mod hostile_files;

use std::fmt::Write as _;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

const START: &str = "<!-- hostile-rss:start -->";
const END: &str = "<!-- hostile-rss:end -->";
const MIB: u64 = 1 << 20;
/// The goal per upload.
const GOAL: u64 = 256 * MIB;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let mut amanatd = std::env::current_exe()
        .ok()
        .and_then(|p| Some(p.parent()?.parent()?.join("amanatd")))
        .unwrap_or_default();
    let mut target = None;
    while let Some(a) = args.next() {
        match (a.as_str(), args.next()) {
            ("--amanatd", Some(p)) => amanatd = PathBuf::from(p),
            ("--write", Some(f)) => target = Some(f),
            _ => {
                eprintln!("usage: hostile-rss [--amanatd PATH] [--write FILE]");
                return ExitCode::from(2);
            }
        }
    }
    if !amanatd.is_file() {
        eprintln!("no amanatd at {} (use --amanatd PATH)", amanatd.display());
        return ExitCode::from(2);
    }

    eprintln!("making the files…");
    let pdf_bomb = hostile_files::flate_bomb(4 << 30, 2);
    let pdf_7k = hostile_files::pdf_bomb(&pdf_bomb, true, 0);
    let per_stream = pdf_bomb.0.len() + 80;
    let streams = (100 * 1024 - pdf_7k.len()) / per_stream;
    let pdf_100k = hostile_files::pdf_bomb(&pdf_bomb, true, streams);
    let large = format!("PDF, the same XMP stream and {streams} object streams of 4 GiB each");
    // Just under the default `limits.pdf_max_values` (7 values a member,
    // 500,000 in all), then far over it.
    let pdf_objects = hostile_files::pdf_many_objects(70_000);
    let pdf_objects_3m = hostile_files::pdf_many_objects(3_000_000);
    let pdf_array = hostile_files::pdf_long_array(15_000_000);
    let pdf_raw = hostile_files::pdf_raw_array(5_000_000);
    let pdf_raw_under = hostile_files::pdf_raw_array(495_000);
    let docx = hostile_files::docx_bomb(10 * MIB, 1000 * MIB);
    let cases: [(&str, &str, &[u8], usize); 13] = [
        (
            "PDF, XMP stream of 4 GiB behind 2 Flate layers",
            "bomb.pdf",
            &pdf_7k,
            1,
        ),
        (&large, "bomb.pdf", &pdf_100k, 1),
        (
            "PDF, one object stream of 70,000 small objects",
            "objects.pdf",
            &pdf_objects,
            1,
        ),
        (
            "PDF, one object stream of 3,000,000 small objects",
            "objects.pdf",
            &pdf_objects_3m,
            1,
        ),
        (
            "PDF, one object stream holding an array of 15,000,000 zeros",
            "array.pdf",
            &pdf_array,
            1,
        ),
        (
            "PDF, an array of 5,000,000 zeros written plainly in the file",
            "raw.pdf",
            &pdf_raw,
            1,
        ),
        (
            "PDF, an array of 495,000 zeros written plainly in the file",
            "raw.pdf",
            &pdf_raw_under,
            1,
        ),
        (
            "DOCX, 10 MiB stored + 1000 MiB of deflated zeros",
            "bomb.docx",
            &docx,
            1,
        ),
        ("the small PDF, 4 at once", "bomb.pdf", &pdf_7k, 4),
        ("the large PDF, 4 at once", "bomb.pdf", &pdf_100k, 4),
        ("the DOCX, 4 at once", "bomb.docx", &docx, 4),
        (
            "the plain 5,000,000 zeros, 4 at once",
            "raw.pdf",
            &pdf_raw,
            4,
        ),
        (
            "the plain 495,000 zeros, 4 at once",
            "raw.pdf",
            &pdf_raw_under,
            4,
        ),
    ];

    let mut md = String::new();
    let _ = writeln!(
        md,
        "Each file uploaded through the report form to a fresh `amanatd` \
         (default configuration) on loopback; peak is the server's VmHWM \
         after the uploads, idle is its resident memory before them. Goal: \
         under {} MiB per upload.\n",
        GOAL / MIB
    );
    let _ = writeln!(
        md,
        "| file | size | at once | answer | time | peak RSS | idle RSS | goal |"
    );
    let _ = writeln!(md, "|---|---:|---:|---|---:|---:|---:|---|");
    let mut all_ok = true;
    for (what, name, file, n) in cases {
        eprintln!("{what}…");
        let r = run_case(&amanatd, name, file, n);
        let ok = r.peak < GOAL * n as u64;
        all_ok &= ok;
        let _ = writeln!(
            md,
            "| {what} | {} | {n} | {} | {:.1} s | {} MiB | {} MiB | {} |",
            size(file.len() as u64),
            r.answers,
            r.took.as_secs_f64(),
            r.peak / MIB,
            r.idle / MIB,
            if ok { "met" } else { "**missed**" },
        );
    }
    print!("{md}");
    if let Some(path) = target {
        let doc = std::fs::read_to_string(&path).unwrap_or_default();
        let new = match (doc.find(START), doc.find(END)) {
            (Some(s), Some(e)) if s < e => {
                format!("{}{START}\n{md}{}", &doc[..s], &doc[e..])
            }
            _ => {
                eprintln!("{path} has no {START} … {END} section");
                return ExitCode::FAILURE;
            }
        };
        std::fs::write(&path, new).unwrap();
        eprintln!("wrote {path}");
    }
    if all_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn size(n: u64) -> String {
    if n >= MIB {
        format!("{:.1} MiB", n as f64 / MIB as f64)
    } else {
        format!("{:.1} KiB", n as f64 / 1024.0)
    }
}

struct Measured {
    answers: String,
    took: Duration,
    peak: u64,
    idle: u64,
}

/// A fresh server, `n` uploads of `file` at once, then its peak memory.
fn run_case(amanatd: &Path, name: &str, file: &[u8], n: usize) -> Measured {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let d = data.to_str().unwrap();
    let reviewer = age::x25519::Identity::generate().to_public().to_string();
    run(amanatd, &["init", "--data-dir", d]);
    run(
        amanatd,
        &[
            "reviewer",
            "add",
            "--data-dir",
            d,
            "--name",
            "ana",
            "--recipient",
            &reviewer,
            "--roles",
            "triage,identity,admin",
        ],
    );
    let mut server = Server::start(amanatd, &data);
    let http = common::client_builder()
        .timeout(Duration::from_secs(900))
        .build()
        .unwrap();
    // One page served first, so idle memory includes a warm server.
    let _ = http.get(format!("{}/", server.intake)).send();
    let idle = vm(server.child.id(), "VmRSS:");
    let started = Instant::now();
    let answers: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..n)
            .map(|_| s.spawn(|| submit(&http, &server.intake, name, file)))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let took = started.elapsed();
    let peak = vm(server.child.id(), "VmHWM:");
    let alive = server.child.try_wait().unwrap().is_none();
    server.stop();
    let mut answers = summarise(&answers);
    if !alive {
        answers.push_str(" (server died)");
    }
    Measured {
        answers,
        took,
        peak,
        idle,
    }
}

/// "refused 413" / "accepted" per upload, grouped: "4 × refused 413".
fn summarise(answers: &[String]) -> String {
    let mut out: Vec<(String, usize)> = Vec::new();
    for a in answers {
        match out.iter_mut().find(|(x, _)| x == a) {
            Some((_, k)) => *k += 1,
            None => out.push((a.clone(), 1)),
        }
    }
    out.iter()
        .map(|(a, k)| {
            if *k > 1 {
                format!("{k} × {a}")
            } else {
                a.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// One report with `file`, as a browser without JavaScript sends it.
fn submit(http: &reqwest::blocking::Client, intake: &str, name: &str, file: &[u8]) -> String {
    let attempt = || -> Result<String, reqwest::Error> {
        let resp = http
            .get(format!("{intake}/report?anonymity=confidential&lang=en"))
            .send()?;
        if resp.status() != 200 {
            return Ok(format!("form refused {}", resp.status().as_u16()));
        }
        let cookie = common::cookie_named(&resp, "amanat_csrf").unwrap_or_default();
        let token =
            common::extract_value(&resp.text()?, "name=\"csrf\" value=\"").unwrap_or_default();
        let answers = common::minimal("hostile file");
        let mut fields: Vec<(&str, &str)> = vec![("csrf", token.as_str())];
        fields.extend(answers.iter().map(|(k, v)| (*k, v.as_str())));
        let boundary = "----amanatHostileBoundary5d2e";
        let body = common::multipart_body(boundary, &fields, &[("attachments", name, file)]);
        let resp = http
            .post(format!("{intake}/report"))
            .header("cookie", cookie)
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body)
            .send()?;
        let status = resp.status().as_u16();
        let page = resp.text()?;
        Ok(
            if status == 200 && page.contains("Your report was received") {
                "accepted".into()
            } else {
                format!("refused {status}")
            },
        )
    };
    attempt().unwrap_or_else(|e| format!("failed ({e})"))
}

fn run(bin: &Path, args: &[&str]) {
    let out = Command::new(bin).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{} {args:?}: {}",
        bin.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A line of `/proc/PID/status` in bytes.
fn vm(pid: u32, key: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(key))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kib| kib * 1024)
}

struct Server {
    child: Child,
    intake: String,
}

impl Server {
    fn start(amanatd: &Path, data: &Path) -> Server {
        let mut child = Command::new(amanatd)
            .args(["serve", "--data-dir"])
            .arg(data)
            .args([
                "--intake-addr",
                "127.0.0.1:0",
                "--review-addr",
                "127.0.0.1:0",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Both address lines are read: the server must not write to a
        // closed pipe.
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let line = lines
            .next()
            .expect("the server prints its address")
            .unwrap();
        let _review = lines.next();
        let intake = line
            .strip_prefix("intake listening on ")
            .unwrap_or_else(|| panic!("unexpected line {line:?}"))
            .to_string();
        Server { child, intake }
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}
