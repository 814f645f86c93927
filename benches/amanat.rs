//! The benchmark harness: `scripts/bench.sh [SECTION…]` (it builds both
//! release binaries, then runs `cargo bench --bench amanat -- SECTION…`).
//!
//! Starts the real release `amanatd` on loopback, drives it with a bounded
//! load (every loop is limited in count and time), prints the figures and
//! rewrites its sections of docs/benchmarks.md between
//! `<!-- bench:NAME:start -->` and `<!-- bench:NAME:end -->` markers.
//! Sections: `kdf` (codename logins, Argon2 bound), `submit` (complete form
//! flows at 1/8/32/128 clients), `upload` (2 GiB upload vs the `age` CLI,
//! peak RSS), `followup` (messages from open follow-up sessions at 32
//! clients), `growth` (submission and `amanat list` latency with 0, 10k and
//! 100k stored reports), `flood` (a legitimate source during a flood of
//! junk), `lockout` (a legitimate source's and reviewer's success under
//! floods of junk logins, submissions, challenges and sessions). No section
//! name runs them all.
#![forbid(unsafe_code)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const AMANATD: &str = env!("BIN_PATH_amanatd");
const AMANAT: &str = env!("BIN_PATH_amanat");

struct Server {
    child: Child,
    intake: String,
    review: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn hwm_kib(&self) -> u64 {
        proc_kib(self.child.id(), "VmHWM:")
    }
    fn rss_kib(&self) -> u64 {
        proc_kib(self.child.id(), "VmRSS:")
    }
    /// CPU time the server has used, in clock ticks (utime + stime).
    fn cpu_ticks(&self) -> u64 {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.child.id())).unwrap();
        // Fields after the command name, which ends with the last ')'.
        let rest = &stat[stat.rfind(')').unwrap() + 2..];
        let f: Vec<&str> = rest.split(' ').collect();
        f[11].parse::<u64>().unwrap() + f[12].parse::<u64>().unwrap()
    }
    /// Waits (at most `limit`) until the server used under 2% of a core
    /// over half a second, and returns how long that took.
    fn settle(&self, limit: Duration) -> Duration {
        let start = Instant::now();
        let mut last = self.cpu_ticks();
        while start.elapsed() < limit {
            std::thread::sleep(Duration::from_millis(500));
            let now = self.cpu_ticks();
            if now - last <= 1 {
                break;
            }
            last = now;
        }
        start.elapsed()
    }
}

fn proc_kib(pid: u32, key: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix(key))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

fn setup(dir: &Path) -> (PathBuf, PathBuf) {
    let data = dir.join("data");
    let key = dir.join("reviewer.key");
    let run = |bin: &str, args: &[&str]| {
        let out = Command::new(bin)
            .args(args)
            .env("AMANAT_CONFIG_DIR", dir.join("cli"))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    run(AMANATD, &["init", "--data-dir", data.to_str().unwrap()]);
    let recipient = run(AMANAT, &["keygen", "-o", key.to_str().unwrap()])
        .trim()
        .to_string();
    run(
        AMANATD,
        &[
            "reviewer",
            "add",
            "--data-dir",
            data.to_str().unwrap(),
            "--name",
            "bench",
            "--recipient",
            &recipient,
            "--roles",
            "triage,identity,admin",
        ],
    );
    (data, key)
}

fn serve(data: &Path, env: &[(&str, &str)]) -> Server {
    // `BENCH_SERVER_WRAP="heaptrack -o FILE"` runs the server under a
    // profiler (its figures of time and RSS are then the profiler's).
    let wrap = std::env::var("BENCH_SERVER_WRAP").unwrap_or_default();
    let mut words = wrap.split_whitespace();
    let mut cmd = match words.next() {
        Some(prog) => {
            let mut c = Command::new(prog);
            c.args(words).arg(AMANATD);
            c
        }
        None => Command::new(AMANATD),
    };
    let mut child = cmd
        .args(["serve", "--data-dir"])
        .arg(data)
        .args([
            "--intake-addr",
            "127.0.0.1:0",
            "--review-addr",
            "127.0.0.1:0",
        ])
        .envs(env.iter().copied())
        .env("AMANAT_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    // The first line that starts with `p` (a wrapper may print its own).
    let mut next = |p: &str| loop {
        let line = lines.next().unwrap().unwrap();
        if let Some(rest) = line.strip_prefix(p) {
            break rest.to_string();
        }
    };
    let intake = next("intake listening on ");
    let review = next("review listening on ");
    Server {
        child,
        intake,
        review,
    }
}

fn client() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .tls_backend_preconfigured(amanat_core::tls::client_config(None).unwrap())
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(3600))
        .build()
        .unwrap()
}

fn encode(pairs: &[(&str, &str)]) -> String {
    use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
    pairs
        .iter()
        .map(|(k, v)| {
            format!(
                "{}={}",
                utf8_percent_encode(k, NON_ALPHANUMERIC),
                utf8_percent_encode(v, NON_ALPHANUMERIC)
            )
        })
        .collect::<Vec<_>>()
        .join("&")
}

fn value_after(html: &str, marker: &str) -> String {
    let s = html.find(marker).unwrap() + marker.len();
    html[s..s + html[s..].find('"').unwrap()].to_string()
}

fn cookie(resp: &reqwest::blocking::Response, name: &str) -> String {
    resp.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(|v| v.split(';').next().unwrap().to_string())
        .unwrap()
}

/// One complete new-report flow as a browser does it: GET the form, POST it.
/// Returns the HTTP status and the codename.
fn report_flow(http: &reqwest::blocking::Client, intake: &str) -> (u16, String) {
    let resp = http
        .get(format!("{intake}/report?anonymity=anonymous"))
        .send()
        .unwrap();
    let c = cookie(&resp, "amanat_csrf");
    let token = value_after(&resp.text().unwrap(), "name=\"csrf\" value=\"");
    let body = encode(&[
        ("csrf", &token),
        ("anonymity", "anonymous"),
        ("reporter_relationship", "self"),
        ("victim_type", "defender"),
        ("country", "PK"),
        ("reprisal_types", "travel_ban"),
        (
            "narrative",
            "A benchmark report of ordinary length, a few sentences about what happened.",
        ),
    ]);
    let resp = http
        .post(format!("{intake}/report"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", c)
        .body(body)
        .send()
        .unwrap();
    let status = resp.status().as_u16();
    let html = resp.text().unwrap();
    let codename = if status == 200 {
        value_between(&html, "id=\"codename\"", "</p>")
    } else {
        String::new()
    };
    (status, codename)
}

fn value_between(html: &str, marker: &str, end: &str) -> String {
    let s = html.find(marker).unwrap();
    let rest = &html[s..];
    let open = rest.find('>').unwrap() + 1;
    rest[open..rest.find(end).unwrap()].trim().to_string()
}

fn login_flow(http: &reqwest::blocking::Client, intake: &str, codename: &str) -> u16 {
    let resp = http.get(format!("{intake}/followup")).send().unwrap();
    let c = cookie(&resp, "amanat_csrf");
    let token = value_after(&resp.text().unwrap(), "name=\"csrf\" value=\"");
    http.post(format!("{intake}/followup/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", c)
        .body(encode(&[("csrf", &token), ("codename", codename)]))
        .send()
        .unwrap()
        .status()
        .as_u16()
}

/// Runs `f` from `clients` threads until `count` calls or `limit` elapse;
/// returns (completed with status 2xx/3xx, others, latencies, wall time).
fn load(
    clients: usize,
    count: usize,
    limit: Duration,
    f: impl Fn(&reqwest::blocking::Client) -> u16 + Sync,
) -> (usize, usize, Vec<Duration>, Duration) {
    let done = std::sync::atomic::AtomicUsize::new(0);
    let start = Instant::now();
    let results: Vec<(usize, usize, Vec<Duration>)> = std::thread::scope(|s| {
        let hs: Vec<_> = (0..clients)
            .map(|_| {
                s.spawn(|| {
                    let http = client();
                    let (mut ok, mut bad, mut lat) = (0, 0, Vec::new());
                    while start.elapsed() < limit
                        && done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) < count
                    {
                        let t = Instant::now();
                        let st = f(&http);
                        lat.push(t.elapsed());
                        if (200..400).contains(&st) {
                            ok += 1;
                        } else {
                            bad += 1;
                        }
                    }
                    (ok, bad, lat)
                })
            })
            .collect();
        hs.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let wall = start.elapsed();
    let mut lat: Vec<Duration> = results.iter().flat_map(|r| r.2.clone()).collect();
    lat.sort();
    (
        results.iter().map(|r| r.0).sum(),
        results.iter().map(|r| r.1).sum(),
        lat,
        wall,
    )
}

fn pct(lat: &[Duration], p: f64) -> f64 {
    if lat.is_empty() {
        return 0.0;
    }
    let i = ((lat.len() as f64 - 1.0) * p).round() as usize;
    lat[i].as_secs_f64() * 1000.0
}

fn machine() -> String {
    let cmd = |c: &str, a: &[&str]| {
        Command::new(c)
            .args(a)
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .unwrap_or_default()
    };
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .unwrap_or_default()
        .lines()
        .find_map(|l| {
            l.strip_prefix("model name")
                .map(|v| v.trim_start_matches([' ', '\t', ':']).to_string())
        })
        .unwrap_or_default();
    let mem = cmd("sh", &["-c", "free -h | awk '/Mem:/ {print $2}'"]);
    format!(
        "{} cores ({cpu}), {mem} RAM, {}, {}; release build",
        cmd("nproc", &[]),
        cmd("uname", &["-srm"]),
        cmd("rustc", &["--version"])
    )
}

fn write_section(name: &str, body: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/benchmarks.md");
    let mut doc = std::fs::read_to_string(&path).unwrap_or_else(|_| "# Benchmarks\n".into());
    let (start, end) = (
        format!("<!-- bench:{name}:start -->"),
        format!("<!-- bench:{name}:end -->"),
    );
    let block = format!("{start}\n{}\n{end}", body.trim_end());
    match (doc.find(&start), doc.find(&end)) {
        (Some(a), Some(b)) => doc.replace_range(a..b + end.len(), &block),
        _ => {
            doc.push('\n');
            doc.push_str(&block);
            doc.push('\n');
        }
    }
    std::fs::write(&path, doc).unwrap();
    println!("{body}");
}

fn bench_kdf() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, _) = setup(tmp.path());
    let params = amanat_core::crypto::codename::KdfParams::default();
    let t = Instant::now();
    let n = 20;
    for _ in 0..n {
        amanat_core::crypto::codename::derive(
            "bench word list here",
            b"0123456789abcdef0123456789abcdef",
            params,
        )
        .unwrap();
    }
    let one = t.elapsed() / n;
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let server = serve(
        &data,
        &[
            ("AMANAT_LIMITS_FOLLOWUP_LOGINS_PER_MINUTE", "1000000"),
            ("AMANAT_LIMITS_SUBMISSIONS_PER_MINUTE", "1000000"),
        ],
    );
    let http = client();
    let (status, codename) = report_flow(&http, &server.intake);
    assert_eq!(status, 200);
    let (ok, bad, lat, wall) = load(cores, 400, Duration::from_secs(20), |h| {
        login_flow(h, &server.intake, &codename)
    });
    let rate = ok as f64 / wall.as_secs_f64();
    let base = server.rss_kib();
    let (ok200, busy200, _, _) = load(200, 200, Duration::from_secs(60), |h| {
        login_flow(h, &server.intake, &codename)
    });
    let peak = server.hwm_kib();
    let body = format!(
        "### Codename logins (issue: codename follow-up)\n\n\
         Machine: {}\n\n\
         | measure | value |\n|---|---|\n\
         | one Argon2id derivation (m={} KiB, t={}, p={}) | {:.1} ms |\n\
         | ceiling: cores ÷ derivation time | {:.1} logins/s |\n\
         | codename logins, {cores} clients, full flow (GET form + POST) | {rate:.1} logins/s ({ok} ok, {bad} refused), p50 {:.0} ms, p99 {:.0} ms |\n\
         | 200 concurrent logins, permits = {cores} | {ok200} opened, {busy200} answered 503 busy |\n\
         | server RSS before / peak during the 200 | {:.1} MiB / {:.1} MiB |\n\
         | KDF memory bound (permits × m_cost) | {:.1} MiB |\n",
        machine(),
        params.m_cost_kib,
        params.t_cost,
        params.p_cost,
        one.as_secs_f64() * 1000.0,
        cores as f64 / one.as_secs_f64(),
        pct(&lat, 0.5),
        pct(&lat, 0.99),
        base as f64 / 1024.0,
        peak as f64 / 1024.0,
        (cores as u64 * u64::from(params.m_cost_kib)) as f64 / 1024.0,
    );
    write_section("kdf", &body);
}

fn bench_submit() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, _) = setup(tmp.path());
    let server = serve(
        &data,
        &[("AMANAT_LIMITS_SUBMISSIONS_PER_MINUTE", "1000000")],
    );
    // The median of 7 derivations after one warm-up: the first one also
    // pays for mapping its 19 MiB, which a busy server does not.
    let one = {
        let mut times: Vec<Duration> = (0..8)
            .map(|_| {
                let t = Instant::now();
                amanat_core::crypto::codename::derive(
                    "x",
                    b"0123456789abcdef0123456789abcdef",
                    Default::default(),
                )
                .unwrap();
                t.elapsed()
            })
            .skip(1)
            .collect();
        times.sort();
        times[times.len() / 2]
    };
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let target = 0.8 * cores as f64 / one.as_secs_f64();
    let mut rows = String::new();
    for clients in [1usize, 8, 32, 128] {
        let before = server.hwm_kib();
        let (ok, bad, lat, wall) = load(clients, 1000, Duration::from_secs(15), |h| {
            report_flow(h, &server.intake).0
        });
        rows.push_str(&format!(
            "| {clients} | {:.1} | {ok} | {bad} | {:.0} | {:.0} | {:.1} → {:.1} |\n",
            ok as f64 / wall.as_secs_f64(),
            pct(&lat, 0.5),
            pct(&lat, 0.99),
            before as f64 / 1024.0,
            server.hwm_kib() as f64 / 1024.0
        ));
    }
    let body = format!(
        "### Complete new-report flows (GET form + POST, anonymity step skipped)\n\n\
         Machine: {}\n\n\
         One derivation: {:.1} ms (median of 7). Target: ≥ 80% of cores ÷ one \
         derivation = {target:.1} flows/s. The load generator runs on the same cores.\n\n\
         | clients | flows/s | ok | refused (503 busy / 429) | p50 ms | p99 ms | peak RSS MiB |\n|---|---|---|---|---|---|---|\n{rows}",
        machine(),
        one.as_secs_f64() * 1000.0
    );
    write_section("submit", &body);
}

fn bench_upload() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, key) = setup(tmp.path());
    const SIZE: u64 = 2 << 30;
    let server = serve(
        &data,
        &[
            ("AMANAT_LIMITS_ATTACHMENT_BYTES", "4294967296"),
            ("AMANAT_LIMITS_SUBMISSION_BYTES", "4294967296"),
        ],
    );
    // The same bytes for both runs: a file on disk.
    let file = tmp.path().join("payload.bin");
    {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&file).unwrap());
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        let mut buf = vec![0u8; 1 << 20];
        for _ in 0..(SIZE >> 20) {
            for b in buf.iter_mut() {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                *b = x as u8;
            }
            std::io::Write::write_all(&mut f, &buf).unwrap();
        }
    }
    // Reference: the age CLI encrypting the same file to the same recipient.
    let recipient = {
        let text = std::fs::read_to_string(&key).unwrap();
        text.lines()
            .find_map(|l| l.strip_prefix("# public key: "))
            .unwrap()
            .to_string()
    };
    // The two cores are shared (other builds, the kernel's writeback of the
    // previous run): `age -r` and the upload take turns, twice, and the best
    // of each is reported, so that both meet the same conditions.
    let base = server.rss_kib();
    let mut age_best: Option<Duration> = None;
    let mut up = Duration::MAX;
    for _ in 0..UPLOAD_RUNS {
        age_best = time_age(&recipient, &file, &tmp.path().join("ref.age"))
            .map(|t| age_best.map_or(t, |b| b.min(t)));
        up = up.min(time_upload(&server, &file, SIZE));
    }
    let (age_line, ratio_line) = match age_best {
        Some(t) => (
            format!(
                "{:.0} MiB/s ({:.1} s)",
                SIZE as f64 / 1048576.0 / t.as_secs_f64(),
                t.as_secs_f64()
            ),
            format!("{:.0} %", 100.0 * t.as_secs_f64() / up.as_secs_f64()),
        ),
        None => (
            "not measured: the `age` CLI is missing (apt-get install age)".into(),
            "not measured".into(),
        ),
    };
    let peak = server.hwm_kib();
    let body = format!(
        "### Attachment upload (2 GiB, type not cleanable: streamed, hashed, padded, encrypted)\n\n\
         Machine: {}\n\n\
         Best of {UPLOAD_RUNS} runs each, `age -r` and the upload taking turns. The sender \
         (sendfile on a plain socket) runs on the same two cores.\n\n\
         | measure | value |\n|---|---|\n\
         | amanatd: HTTP multipart upload over loopback → blob (fsynced) | {:.0} MiB/s ({:.1} s) |\n\
         | reference: `age -r` encrypting the same file on disk | {age_line} |\n\
         | upload ÷ `age -r` (goal: ≥ 80 %) | {ratio_line} |\n\
         | server RSS before → peak during the uploads | {:.1} MiB → {:.1} MiB (goal: < 64 MiB) |\n",
        machine(),
        SIZE as f64 / 1048576.0 / up.as_secs_f64(),
        up.as_secs_f64(),
        base as f64 / 1024.0,
        peak as f64 / 1024.0,
    );
    write_section("upload", &body);
}

/// Runs of `age -r` and of the upload, taken in turns; the best of each counts.
const UPLOAD_RUNS: usize = 2;

/// `age -r` encrypting `file` to `recipient`; `None` if the CLI is missing.
fn time_age(recipient: &str, file: &Path, out: &Path) -> Option<Duration> {
    let t = Instant::now();
    let status = Command::new("age")
        .args(["-r", recipient, "-o"])
        .arg(out)
        .arg(file)
        .status();
    let elapsed = t.elapsed();
    let _ = std::fs::remove_file(out);
    matches!(status, Ok(s) if s.success()).then_some(elapsed)
}

/// One report form with `file` (`size` bytes) as its attachment, sent as
/// it is: the time from connecting to the server's answer (200).
fn time_upload(server: &Server, file: &Path, size: u64) -> Duration {
    let http = client();
    let resp = http
        .get(format!("{}/report?anonymity=anonymous", server.intake))
        .send()
        .unwrap();
    let c = cookie(&resp, "amanat_csrf");
    let token = value_after(&resp.text().unwrap(), "name=\"csrf\" value=\"");
    let mut head = String::new();
    for (k, v) in [
        ("csrf", token.as_str()),
        ("anonymity", "anonymous"),
        ("reporter_relationship", "self"),
        ("victim_type", "defender"),
        ("country", "PK"),
        ("reprisal_types", "travel_ban"),
        ("narrative", "Upload benchmark."),
    ] {
        head.push_str(&format!(
            "--B\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
        ));
    }
    head.push_str("--B\r\nContent-Disposition: form-data; name=\"attachments_as_is\"; filename=\"video.raw\"\r\n\r\n");
    let tail = "\r\n--B--\r\n";
    let total = head.len() as u64 + size + tail.len() as u64;
    // The sender shares the server's two cores here; in use it is another
    // machine. So the request is written by hand on a plain socket and the
    // file goes with sendfile(2) (std's `io::copy` from a file to a socket):
    // the kernel moves the pages, the sender costs as little as one can.
    // (reqwest's blocking client sends a body in 8 KiB pieces, each zeroed
    // and passed between two threads: a third of a core at this rate.)
    let addr = server.intake.strip_prefix("http://").unwrap();
    let request = format!(
        "POST /report HTTP/1.1\r\nHost: {addr}\r\n\
         Content-Type: multipart/form-data; boundary=B\r\nCookie: {c}\r\n\
         Content-Length: {total}\r\nConnection: close\r\n\r\n{head}"
    );
    let mut payload = std::fs::File::open(file).unwrap();
    let t = Instant::now();
    let mut sock = std::net::TcpStream::connect(addr).unwrap();
    sock.write_all(request.as_bytes()).unwrap();
    assert_eq!(std::io::copy(&mut payload, &mut sock).unwrap(), size);
    sock.write_all(tail.as_bytes()).unwrap();
    let mut status = [0u8; 12];
    sock.read_exact(&mut status).unwrap();
    let up = t.elapsed();
    assert_eq!(
        &status,
        b"HTTP/1.1 200",
        "{}",
        String::from_utf8_lossy(&status)
    );
    up
}

/// A browser's follow-up session: its cookies.
fn followup_session(http: &reqwest::blocking::Client, intake: &str, codename: &str) -> String {
    let resp = http.get(format!("{intake}/followup")).send().unwrap();
    let c = cookie(&resp, "amanat_csrf");
    let token = value_after(&resp.text().unwrap(), "name=\"csrf\" value=\"");
    let resp = http
        .post(format!("{intake}/followup/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", &c)
        .body(encode(&[("csrf", &token), ("codename", codename)]))
        .send()
        .unwrap();
    assert_eq!(resp.status(), 303, "login");
    format!("{c}; {}", cookie(&resp, "amanat_session"))
}

/// One message from an open session, as a browser sends it: GET the thread
/// (for a fresh anti-forgery token), POST the message. Returns the status.
fn message_flow(http: &reqwest::blocking::Client, intake: &str, cookies: &str) -> u16 {
    let resp = http
        .get(format!("{intake}/followup"))
        .header("cookie", cookies)
        .send()
        .unwrap();
    let token = value_after(&resp.text().unwrap(), "name=\"csrf\" value=\"");
    http.post(format!("{intake}/followup/message"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", cookies)
        .body(encode(&[
            ("csrf", &token),
            ("message", "A short follow-up message with a new detail."),
        ]))
        .send()
        .unwrap()
        .status()
        .as_u16()
}

fn bench_followup() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, _) = setup(tmp.path());
    let server = serve(
        &data,
        &[
            ("AMANAT_LIMITS_SUBMISSIONS_PER_MINUTE", "1000000"),
            ("AMANAT_LIMITS_FOLLOWUP_LOGINS_PER_MINUTE", "1000000"),
            // The throughput of the message path, not its flood limit
            // (60 a minute by default; the lockout section measures that).
            ("AMANAT_LIMITS_FOLLOWUP_MESSAGES_PER_MINUTE", "1000000"),
        ],
    );
    let http = client();
    const CLIENTS: usize = 32;
    // Each client is a different source with its own report and session.
    let sessions: Vec<String> = (0..CLIENTS)
        .map(|_| {
            let (status, codename) = report_flow(&http, &server.intake);
            assert_eq!(status, 200);
            followup_session(&http, &server.intake, &codename)
        })
        .collect();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let base = server.rss_kib();
    let (ok, bad, lat, wall) = load(CLIENTS, 20_000, Duration::from_secs(20), |h| {
        // Threads take sessions round-robin: one per client in practice.
        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed) % CLIENTS;
        message_flow(h, &server.intake, &sessions[i])
    });
    let body = format!(
        "### Follow-up messages from open sessions (no KDF)\n\n\
         Machine: {}\n\n\
         Target: ≥ 1,000 messages/s with p99 < 50 ms at 32 clients. Each message is a\n\
         browser's GET of the thread (a fresh anti-forgery token) then the POST; the\n\
         POST seals the message with age and commits it with an fsync.\n\n\
         | clients | messages/s | ok | refused | p50 ms | p99 ms | server RSS MiB |\n|---|---|---|---|---|---|---|\n\
         | {CLIENTS} | {:.0} | {ok} | {bad} | {:.1} | {:.1} | {:.1} → {:.1} |\n",
        machine(),
        ok as f64 / wall.as_secs_f64(),
        pct(&lat, 0.5),
        pct(&lat, 0.99),
        base as f64 / 1024.0,
        server.hwm_kib() as f64 / 1024.0,
    );
    write_section("followup", &body);
}

/// Fills a fresh store with `n` reports through the store itself, as
/// intake writes them (`Store::insert_report`: one transaction and a
/// durable commit each), from 32 threads that share group commits, so that
/// memory stays bounded at any `n`. Each report has a real age envelope
/// (the same ciphertext; the server cannot tell) and its own id.
fn prefill(data: &Path, key: &Path, n: usize) {
    use amanatd::store::{EnvelopeKind, NewEnvelope, NewReport, Store};
    if n == 0 {
        return;
    }
    let recipient: age::x25519::Recipient = std::fs::read_to_string(key)
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("# public key: "))
        .unwrap()
        .parse()
        .unwrap();
    let ct =
        amanat_core::crypto::envelope::seal(b"{\"answers\":{}}", std::slice::from_ref(&recipient))
            .unwrap();
    let urgencies = [
        amanat_core::model::Urgency::Critical,
        amanat_core::model::Urgency::High,
        amanat_core::model::Urgency::Standard,
    ];
    let store = Store::open(data).unwrap();
    let next = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|s| {
        for _ in 0..32 {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    if i >= n {
                        break;
                    }
                    store
                        .insert_report(NewReport {
                            anonymity: amanat_core::model::Anonymity::Anonymous,
                            urgency: urgencies[i % urgencies.len()],
                            envelopes: vec![NewEnvelope {
                                kind: EnvelopeKind::Report,
                                ciphertext: ct.clone(),
                                recipients: vec![recipient.to_string()],
                            }],
                            source: None,
                            blobs: Vec::new(),
                        })
                        .unwrap();
                }
            });
        }
    });
}

/// Runs `amanatd ARGS` to its end; returns its wall time and peak RSS (KiB,
/// read from /proc while it runs, every 5 ms).
fn amanatd_measured(args: &[&std::ffi::OsStr]) -> (Duration, u64) {
    let t = Instant::now();
    let mut child = Command::new(AMANATD)
        .args(args)
        .env("AMANAT_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut peak = 0;
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if let Ok(status) = std::fs::read_to_string(format!("/proc/{}/status", child.id())) {
            if let Some(v) = status
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            {
                peak = v;
            }
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let mut err = String::new();
    let _ = child.stderr.take().unwrap().read_to_string(&mut err);
    assert!(status.success(), "amanatd {args:?}: {err}");
    (t.elapsed(), peak)
}

fn bench_growth() {
    let mut rows = String::new();
    let mut upkeep = String::new();
    let mut stages = String::new();
    // `BENCH_GROWTH_MAX` lowers the largest store for a quick run.
    let max: usize = std::env::var("BENCH_GROWTH_MAX")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    for n in [0usize, 10_000, 100_000, 1_000_000] {
        if n > max {
            continue;
        }
        let tmp = tempfile::tempdir().unwrap();
        let (data, key) = setup(tmp.path());
        let t = Instant::now();
        prefill(&data, &key, n);
        let fill = t.elapsed();
        let server = serve(
            &data,
            &[("AMANAT_LIMITS_SUBMISSIONS_PER_MINUTE", "1000000")],
        );
        server.settle(Duration::from_secs(120));
        let started = server.rss_kib();
        let (ok, bad, lat, _) = load(1, 60, Duration::from_secs(60), |h| {
            report_flow(h, &server.intake).0
        });
        assert_eq!(bad, 0);
        // `amanat list` as a reviewer runs it: a process, a request, a table.
        let cli = tmp.path().join("cli");
        let amanat = |args: &[&str]| {
            let out = Command::new(AMANAT)
                .args(args)
                .env("AMANAT_CONFIG_DIR", &cli)
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            out.stdout.len()
        };
        amanat(&[
            "login",
            "--server",
            &server.review,
            "--identity",
            key.to_str().unwrap(),
        ]);
        // Right after a start the server is still busy in the background
        // (sled settling a store restored a moment ago, the listing index):
        // the first listing is timed as it comes, the 9 others once the
        // server is idle, as a long-running server would be.
        let after_submit = server.rss_kib();
        let t = Instant::now();
        amanat(&["list"]);
        let first = t.elapsed();
        let settle = server.settle(Duration::from_secs(120));
        let mut list = Vec::new();
        let mut bytes = 0;
        for _ in 0..9 {
            let t = Instant::now();
            bytes = amanat(&["list"]);
            list.push(t.elapsed());
        }
        list.sort();
        let after_list = server.rss_kib();
        // The whole queue, every page as it arrives.
        let mut whole = Vec::new();
        for _ in 0..3 {
            let t = Instant::now();
            amanat(&["list", "--all"]);
            whole.push(t.elapsed());
        }
        whole.sort();
        let after_all = server.rss_kib();
        // The queue's summary: kept counts, and the re-keying count that
        // reads every report's references.
        let mut queue = Vec::new();
        for _ in 0..3 {
            let t = Instant::now();
            amanat(&["queue"]);
            queue.push(t.elapsed());
        }
        queue.sort();
        let base = server.hwm_kib();
        stages.push_str(&format!(
            "| {n} | {:.1} MiB | {:.1} MiB | {:.1} MiB | {:.1} MiB | {:.1} MiB |\n",
            started as f64 / 1024.0,
            after_submit as f64 / 1024.0,
            after_list as f64 / 1024.0,
            after_all as f64 / 1024.0,
            server.rss_kib() as f64 / 1024.0,
        ));
        drop(server);
        // Upkeep of a stopped server: fsck reads every record and file,
        // backup copies them.
        let (fsck, fsck_kib) =
            amanatd_measured(&["fsck".as_ref(), "--data-dir".as_ref(), data.as_os_str()]);
        let backup = {
            let out = tmp.path().join("growth.amanat-backup");
            let (t, kib) = amanatd_measured(&[
                "backup".as_ref(),
                "--data-dir".as_ref(),
                data.as_os_str(),
                "--out".as_ref(),
                out.as_os_str(),
            ]);
            let size = std::fs::metadata(&out).unwrap().len();
            std::fs::remove_file(&out).unwrap();
            format!(
                "{:.1} s | {:.1} MiB | {:.1} MiB",
                t.as_secs_f64(),
                kib as f64 / 1024.0,
                size as f64 / 1048576.0
            )
        };
        upkeep.push_str(&format!(
            "| {n} | {:.1} s | {:.1} MiB | {backup} |\n",
            fsck.as_secs_f64(),
            fsck_kib as f64 / 1024.0,
        ));
        rows.push_str(&format!(
            "| {n} | {:.1} s | {:.0} | {:.0} | {:.0} ms | {:.1} s | {:.0} ms ({:.0}–{:.0}) | {:.1} KiB | {:.0} ms | {:.0} ms | {:.1} MiB |\n",
            fill.as_secs_f64(),
            pct(&lat, 0.5),
            pct(&lat, 0.99),
            first.as_secs_f64() * 1000.0,
            settle.as_secs_f64(),
            list[4].as_secs_f64() * 1000.0,
            list[0].as_secs_f64() * 1000.0,
            list[8].as_secs_f64() * 1000.0,
            bytes as f64 / 1024.0,
            whole[1].as_secs_f64() * 1000.0,
            queue[1].as_secs_f64() * 1000.0,
            base as f64 / 1024.0,
        ));
        assert_eq!(ok, 60);
        // `BENCH_GROWTH_KEEP=1` keeps the largest store (and the CLI's
        // login) for profiling by hand.
        if n == max.min(1_000_000) && std::env::var_os("BENCH_GROWTH_KEEP").is_some() {
            eprintln!("kept the store of {n} reports in {}", tmp.keep().display());
        }
    }
    let body = format!(
        "### Cost growth with stored reports\n\n\
         Machine: {}\n\n\
         Targets: flat submission cost from 0 to 1M reports; `amanat list` over 100k\n\
         reports < 50 ms for the first page, < 150 ms for the whole queue. Stores are\n\
         filled through the store as intake writes reports (`Store::insert_report`\n\
         from 32 threads sharing group commits; real age envelopes); submissions are 60 sequential complete flows; `amanat list` is the\n\
         CLI process (login done): the first right after the submissions, then,\n\
         once the server is idle (waited for: \"settle\"), the median of 9 (min–max);\n\
         `amanat list` shows the first page (100 reports), `--all` the whole queue\n\
         (median of 3); `amanat queue` the counts (median of 3).\n\n\
         | stored reports | fill | submit p50 ms | submit p99 ms | first `amanat list` | settle | `amanat list` | list output | `amanat list --all` | `amanat queue` | server peak RSS |\n|---|---|---|---|---|---|---|---|---|---|---|\n{rows}\n\
         The server's resident memory (VmRSS) at each stage of the same run: once\n\
         started and idle, after the 60 submissions, after the 10 first pages, after\n\
         the 3 whole-queue listings, after `amanat queue`.\n\n\
         | stored reports | started | submitted | listed | listed all | queue |\n|---|---|---|---|---|---|\n{stages}\n\
         Upkeep of the same stores, server stopped (`amanatd fsck`, `amanatd backup`;\n\
         peak RSS of each process). Target: linear time, bounded memory.\n\n\
         | stored reports | fsck | fsck peak RSS | backup | backup peak RSS | backup size |\n|---|---|---|---|---|---|\n{upkeep}",
        machine()
    );
    write_section("growth", &body);
}

/// A junk submission: a form POST without a valid anti-forgery token and a
/// body near the form limit.
fn junk(http: &reqwest::blocking::Client, intake: &str, body: &str) -> u16 {
    http.post(format!("{intake}/report"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body.to_string())
        .send()
        .map(|r| r.status().as_u16())
        .unwrap_or(0)
}

fn bench_flood() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, _) = setup(tmp.path());
    let server = serve(
        &data,
        &[("AMANAT_LIMITS_SUBMISSIONS_PER_MINUTE", "1000000")],
    );
    let stop = std::sync::atomic::AtomicBool::new(false);
    let junk_body = format!("narrative={}", "x".repeat(60_000));
    let base = server.rss_kib();
    let (flood, legit) = std::thread::scope(|s| {
        // 64 junk posters and 64 clients sending complete flows as fast as
        // they can (each needs an Argon2 derivation).
        let junk_threads: Vec<_> = (0..128)
            .map(|i| {
                let (stop, intake, body) = (&stop, &server.intake, &junk_body);
                s.spawn(move || {
                    let http = client();
                    let (mut n, mut statuses) = (0usize, std::collections::BTreeMap::new());
                    let start = Instant::now();
                    while !stop.load(std::sync::atomic::Ordering::Relaxed)
                        && start.elapsed() < Duration::from_secs(120)
                    {
                        let st = if i % 2 == 0 {
                            junk(&http, intake, body)
                        } else {
                            report_flow(&http, intake).0
                        };
                        *statuses.entry(st).or_insert(0usize) += 1;
                        n += 1;
                    }
                    (n, statuses)
                })
            })
            .collect();
        std::thread::sleep(Duration::from_secs(3));
        // A legitimate source, meanwhile: up to 10 attempts a second apart,
        // as a person pressing "send" again after "busy, try again".
        let http = client();
        let mut legit = Vec::new();
        for _ in 0..10 {
            let t = Instant::now();
            let mut tries = 0;
            let ok = loop {
                tries += 1;
                if report_flow(&http, &server.intake).0 == 200 {
                    break true;
                }
                if tries == 10 {
                    break false;
                }
                std::thread::sleep(Duration::from_secs(1));
            };
            legit.push((ok, tries, t.elapsed()));
        }
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        let mut total = std::collections::BTreeMap::new();
        let mut n = 0;
        for h in junk_threads {
            let (c, st) = h.join().unwrap();
            n += c;
            for (k, v) in st {
                *total.entry(k).or_insert(0) += v;
            }
        }
        ((n, total), legit)
    });
    let ok = legit.iter().filter(|l| l.0).count();
    let mut times: Vec<Duration> = legit.iter().map(|l| l.2).collect();
    times.sort();
    let statuses = flood
        .1
        .iter()
        .map(|(k, v)| format!("{v}× {k}"))
        .collect::<Vec<_>>()
        .join(", ");
    let body = format!(
        "### Under flood\n\n\
         Machine: {}\n\n\
         128 flooding clients: 64 post junk forms (60 KB, no anti-forgery token) and 64\n\
         send complete report flows as fast as they can, each needing an Argon2\n\
         derivation. Meanwhile one legitimate source submits 10 reports, pressing\n\
         \"send\" again a second after each \"busy, try again\" (at most 10 tries).\n\n\
         | measure | value |\n|---|---|\n\
         | flood requests answered (status 0 = connection refused or reset) | {} ({statuses}) |\n\
         | legitimate reports accepted | {ok} of 10 |\n\
         | tries per accepted report (mean) | {:.1} |\n\
         | time to an accepted report, median / worst | {:.2} s / {:.2} s |\n\
         | server RSS before → peak | {:.1} MiB → {:.1} MiB |\n",
        machine(),
        flood.0,
        legit.iter().map(|l| l.1).sum::<usize>() as f64 / legit.len() as f64,
        times[times.len() / 2].as_secs_f64(),
        times[times.len() - 1].as_secs_f64(),
        base as f64 / 1024.0,
        server.hwm_kib() as f64 / 1024.0,
    );
    write_section("flood", &body);
}

fn main() {
    for bin in [AMANATD, AMANAT] {
        assert!(
            Path::new(bin).is_file(),
            "{bin} is missing: run the benchmarks with scripts/bench.sh, which builds both binaries"
        );
    }
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let want = |s: &str| args.is_empty() || args.iter().any(|a| a == s);
    if want("kdf") {
        bench_kdf();
    }
    if want("submit") {
        bench_submit();
    }
    if want("upload") {
        bench_upload();
    }
    if want("followup") {
        bench_followup();
    }
    if want("growth") {
        bench_growth();
    }
    if want("flood") {
        bench_flood();
    }
    if want("lockout") {
        bench_lockout();
    }
}

// ----- lockout: a legitimate source's and reviewer's success under floods -----

/// The reviewer's identity from a plain key file written by `amanat keygen`.
fn identity(key: &Path) -> age::x25519::Identity {
    let text = std::fs::read_to_string(key).unwrap();
    let line = text
        .lines()
        .find(|l| l.starts_with("AGE-SECRET-KEY-"))
        .unwrap();
    line.parse().unwrap()
}

/// Enrolls another reviewer; returns their identity.
fn add_reviewer(data: &Path, name: &str) -> age::x25519::Identity {
    let id = age::x25519::Identity::generate();
    let out = Command::new(AMANATD)
        .args(["reviewer", "add", "--data-dir"])
        .arg(data)
        .args(["--name", name, "--recipient"])
        .arg(id.to_public().to_string())
        .args(["--roles", "triage"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    id
}

/// POSTs JSON to the review API; returns the status and the body.
fn api_post(
    http: &reqwest::blocking::Client,
    review: &str,
    path: &str,
    body: &serde_json::Value,
) -> (u16, serde_json::Value) {
    let resp = http
        .post(format!("{review}{path}"))
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().unwrap_or(serde_json::Value::Null))
}

/// A reviewer login by challenge–response; returns the verify status.
fn reviewer_login(
    http: &reqwest::blocking::Client,
    review: &str,
    id: &age::x25519::Identity,
) -> u16 {
    let recipient = id.to_public().to_string();
    let (status, ch) = api_post(
        http,
        review,
        "/api/v1/auth/challenge",
        &serde_json::json!({ "recipient": recipient }),
    );
    if status != 200 {
        return status;
    }
    let ct = data_encoding::BASE64
        .decode(ch["challenge"].as_str().unwrap().as_bytes())
        .unwrap();
    let nonce = amanat_core::crypto::envelope::open(&ct, &[id]).unwrap();
    let (status, _) = api_post(
        http,
        review,
        "/api/v1/auth/verify",
        &serde_json::json!({
            "challenge_id": ch["challenge_id"],
            "response": String::from_utf8(nonce.to_vec()).unwrap(),
        }),
    );
    status
}

/// One flood and the legitimate attempts made during it.
struct Lockout {
    flood: &'static str,
    who: &'static str,
    sent: usize,
    /// How long the flood ran.
    wall: Duration,
    statuses: std::collections::BTreeMap<u16, usize>,
    ok: usize,
    tries: usize,
    latencies: Vec<Duration>,
}

/// Runs `junk` from `clients` threads (until the legitimate attempts are
/// done, at most 60 s or 1,000,000 requests) after `before` warm-up
/// requests; after 2 s makes `tries` legitimate attempts with `legit`, one
/// every half second, one try each.
fn lockout_run(
    flood: &'static str,
    who: &'static str,
    clients: usize,
    before: usize,
    junk: impl Fn(&reqwest::blocking::Client, usize) -> u16 + Sync,
    legit: impl Fn(&reqwest::blocking::Client) -> u16,
) -> Lockout {
    let tries = 10;
    let stop = std::sync::atomic::AtomicBool::new(false);
    let count = std::sync::atomic::AtomicUsize::new(0);
    let http = client();
    for i in 0..before {
        junk(&http, i);
    }
    let started = Instant::now();
    std::thread::scope(|s| {
        let hs: Vec<_> = (0..clients)
            .map(|_| {
                let (stop, count, junk) = (&stop, &count, &junk);
                s.spawn(move || {
                    let http = client();
                    let start = Instant::now();
                    let mut statuses = std::collections::BTreeMap::new();
                    while !stop.load(std::sync::atomic::Ordering::Relaxed)
                        && start.elapsed() < Duration::from_secs(60)
                    {
                        let i = count.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        if i >= 1_000_000 {
                            break;
                        }
                        *statuses.entry(junk(&http, i)).or_insert(0usize) += 1;
                    }
                    statuses
                })
            })
            .collect();
        std::thread::sleep(Duration::from_secs(2));
        let (mut ok, mut latencies) = (0, Vec::new());
        for _ in 0..tries {
            let t = Instant::now();
            let st = legit(&http);
            latencies.push(t.elapsed());
            if (200..400).contains(&st) {
                ok += 1;
            }
            std::thread::sleep(Duration::from_millis(500));
        }
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        let mut statuses = std::collections::BTreeMap::new();
        for h in hs {
            for (k, v) in h.join().unwrap() {
                *statuses.entry(k).or_insert(0) += v;
            }
        }
        latencies.sort();
        Lockout {
            flood,
            who,
            sent: statuses.values().sum::<usize>(),
            wall: started.elapsed(),
            statuses,
            ok,
            tries,
            latencies,
        }
    })
}

fn bench_lockout() {
    let mut rows: Vec<Lockout> = Vec::new();
    let fresh = |env: &[(&str, &str)]| {
        let tmp = tempfile::tempdir().unwrap();
        let (data, key) = setup(tmp.path());
        let server = serve(&data, env);
        (tmp, data, identity(&key), server)
    };
    let token_form = |http: &reqwest::blocking::Client, url: String| {
        let resp = http.get(url).send().unwrap();
        let c = cookie(&resp, "amanat_csrf");
        (
            c,
            value_after(&resp.text().unwrap(), "name=\"csrf\" value=\""),
        )
    };
    let post_form = |http: &reqwest::blocking::Client, url: String, c: &str, body: String| {
        http.post(url)
            .header("content-type", "application/x-www-form-urlencoded")
            .header("cookie", c)
            .body(body)
            .send()
            .unwrap()
            .status()
            .as_u16()
    };

    // Junk follow-up logins: a codename failing its checksum, or no token.
    {
        let (_tmp, _, _, server) = fresh(&[]);
        let codename = report_flow(&client(), &server.intake).1;
        let intake = &server.intake;
        rows.push(lockout_run(
            "junk follow-up logins (`codename=x` with a token; no token)",
            "source",
            8,
            0,
            |http, i| {
                let (c, token) = token_form(http, format!("{intake}/followup"));
                let body = if i % 2 == 0 {
                    encode(&[("csrf", &token), ("codename", "x")])
                } else {
                    encode(&[("codename", "x")])
                };
                post_form(http, format!("{intake}/followup/login"), &c, body)
            },
            |http| login_flow(http, intake, &codename),
        ));
    }
    // Junk submissions: forged token, or answers that fail their checks.
    {
        let (_tmp, _, _, server) = fresh(&[]);
        let intake = &server.intake;
        rows.push(lockout_run(
            "junk submissions (forged token; answers missing)",
            "source",
            8,
            0,
            |http, i| {
                let (c, token) = token_form(http, format!("{intake}/report?anonymity=anonymous"));
                let token = if i % 2 == 0 {
                    "forged".to_string()
                } else {
                    token
                };
                let body = encode(&[
                    ("csrf", &token),
                    ("anonymity", "anonymous"),
                    ("narrative", "junk"),
                ]);
                post_form(http, format!("{intake}/report"), &c, body)
            },
            |http| report_flow(http, intake).0,
        ));
    }
    // Junk reviewer logins: unknown challenge ids, wrong answers to
    // strangers' challenges.
    {
        let (_tmp, _, id, server) = fresh(&[]);
        let review = &server.review;
        rows.push(lockout_run(
            "junk reviewer logins (unknown challenge ids; strangers' challenges answered)",
            "reviewer",
            8,
            0,
            |http, i| {
                let challenge_id = if i % 2 == 0 {
                    format!("junk{i}")
                } else {
                    let stranger = age::x25519::Identity::generate().to_public().to_string();
                    let (_, ch) = api_post(
                        http,
                        review,
                        "/api/v1/auth/challenge",
                        &serde_json::json!({ "recipient": stranger }),
                    );
                    ch["challenge_id"].as_str().unwrap_or("").to_string()
                };
                api_post(
                    http,
                    review,
                    "/api/v1/auth/verify",
                    &serde_json::json!({ "challenge_id": challenge_id, "response": "guess" }),
                )
                .0
            },
            |http| reviewer_login(http, review, &id),
        ));
    }
    // Junk challenges: left unanswered, for strangers and for the
    // reviewer's own public key.
    {
        let (_tmp, _, id, server) = fresh(&[]);
        let review = &server.review;
        let own = id.to_public().to_string();
        rows.push(lockout_run(
            "unanswered challenges (strangers' keys; the reviewer's own key)",
            "reviewer",
            8,
            0,
            |http, i| {
                let recipient = if i % 2 == 0 {
                    age::x25519::Identity::generate().to_public().to_string()
                } else {
                    own.clone()
                };
                api_post(
                    http,
                    review,
                    "/api/v1/auth/challenge",
                    &serde_json::json!({ "recipient": recipient }),
                )
                .0
            },
            |http| reviewer_login(http, review, &id),
        ));
    }
    // Session tables filled: small caps, one source's codename and one
    // reviewer's script logging in again and again.
    {
        let tmp = tempfile::tempdir().unwrap();
        let (data, key) = setup(tmp.path());
        let (id, other) = (identity(&key), add_reviewer(&data, "script"));
        let server = serve(
            &data,
            &[
                ("AMANAT_LIMITS_FOLLOWUP_SESSIONS_MAX", "50"),
                ("AMANAT_LIMITS_FOLLOWUP_LOGINS_PER_MINUTE", "1000000"),
                ("AMANAT_LIMITS_REVIEW_SESSIONS_MAX", "20"),
            ],
        );
        let http = client();
        let real = report_flow(&http, &server.intake).1;
        let flood: Vec<String> = (0..4)
            .map(|_| report_flow(&http, &server.intake).1)
            .collect();
        let (intake, review) = (&server.intake, &server.review);
        rows.push(lockout_run(
            "session table filled (follow-up sessions max 50; 4 codenames log in again and again)",
            "source",
            4,
            100,
            |http, i| login_flow(http, intake, &flood[i % flood.len()]),
            |http| login_flow(http, intake, &real),
        ));
        rows.push(lockout_run(
            "session table filled (reviewer sessions max 20; another reviewer logs in again and again)",
            "reviewer",
            4,
            100,
            |http, _| reviewer_login(http, review, &other),
            |http| reviewer_login(http, review, &id),
        ));
    }
    // What remains: codenames with a valid checksum are free to make, and
    // each costs an Argon2 derivation and a slot of the login budget.
    {
        let (_tmp, _, _, server) = fresh(&[]);
        let codename = report_flow(&client(), &server.intake).1;
        let intake = &server.intake;
        rows.push(lockout_run(
            "residual: codenames with a valid checksum (each counted, each an Argon2 derivation)",
            "source",
            8,
            0,
            |http, _| {
                let junk = amanat_core::crypto::codename::generate();
                login_flow(http, intake, &junk)
            },
            |http| login_flow(http, intake, &codename),
        ));
    }

    let mut table = String::from(
        "| flood | legitimate | succeeded (one try each) | latency median / worst | flood requests (statuses), rate |\n\
         |---|---|---|---|---|\n",
    );
    for r in &rows {
        let statuses = r
            .statuses
            .iter()
            .map(|(k, v)| format!("{v}× {k}"))
            .collect::<Vec<_>>()
            .join(", ");
        table.push_str(&format!(
            "| {} | {} | {} of {} | {:.0} ms / {:.0} ms | {} ({statuses}), {:.0}/s over {:.1} s |\n",
            r.flood,
            r.who,
            r.ok,
            r.tries,
            r.latencies[r.latencies.len() / 2].as_secs_f64() * 1000.0,
            r.latencies[r.latencies.len() - 1].as_secs_f64() * 1000.0,
            r.sent,
            r.sent as f64 / r.wall.as_secs_f64(),
            r.wall.as_secs_f64(),
        ));
    }
    let body = format!(
        "### Lockouts under flood\n\n\
         Machine: {}\n\n\
         Default limits unless the row says otherwise (submissions 120/min, codename\n\
         logins 60/min, failed reviewer logins 10/min, waits for a slot up to 5 s). Each\n\
         flood runs from 8 clients (4 for the session rows, after 100 logins) until the\n\
         legitimate attempts are done (at most 60 s); 2 s in, the legitimate source or\n\
         reviewer makes 10 attempts half a second apart, one try each, on the same\n\
         cores. Before these fixes the junk logins, challenges and sessions locked\n\
         everyone out within their first 10–1,000 requests (tests/api.rs,\n\
         tests/followup.rs, tests/hostile.rs). The last row is what remains\n\
         (SECURITY.md, \"Denial of service\"): requests that pass every cheap check\n\
         share the budget with the source.\n\n\
         {table}",
        machine(),
    );
    write_section("lockout", &body);
}
