//! The benchmark harness: `cargo bench --bench amanat [-- SECTION…]`.
//!
//! Starts the real release `amanatd` on loopback, drives it with a bounded
//! load (every loop is limited in count and time), prints the figures and
//! rewrites its sections of docs/benchmarks.md between
//! `<!-- bench:NAME:start -->` and `<!-- bench:NAME:end -->` markers.
//! Sections: `kdf` (codename logins, Argon2 bound), `submit` (complete form
//! flows at 1/8/32/128 clients), `upload` (2 GiB upload vs the `age` CLI,
//! peak RSS). No section name runs them all.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const AMANATD: &str = env!("CARGO_BIN_EXE_amanatd");
const AMANAT: &str = env!("CARGO_BIN_EXE_amanat");

struct Server {
    child: Child,
    intake: String,
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
    let mut child = Command::new(AMANATD)
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
    let mut next = |p: &str| {
        lines
            .next()
            .unwrap()
            .unwrap()
            .strip_prefix(p)
            .unwrap()
            .to_string()
    };
    let intake = next("intake listening on ");
    // The review listener's line; the benchmarks use only the intake.
    let _review = next("review listening on ");
    Server { child, intake }
}

fn client() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .tls_backend_preconfigured(amanat::tls::client_config(None).unwrap())
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
    let params = amanat::crypto::codename::KdfParams::default();
    let t = Instant::now();
    let n = 20;
    for _ in 0..n {
        amanat::crypto::codename::derive(
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
    let one = {
        let t = Instant::now();
        amanat::crypto::codename::derive(
            "x",
            b"0123456789abcdef0123456789abcdef",
            Default::default(),
        )
        .unwrap();
        t.elapsed()
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
         Target: ≥ 80% of cores ÷ one derivation = {target:.1} flows/s.\n\n\
         | clients | flows/s | ok | refused (503 busy / 429) | p50 ms | p99 ms | peak RSS MiB |\n|---|---|---|---|---|---|---|\n{rows}",
        machine()
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
    let t = Instant::now();
    let age = Command::new("age")
        .args(["-r", &recipient, "-o"])
        .arg(tmp.path().join("ref.age"))
        .arg(&file)
        .status();
    let age_time = t.elapsed();
    let age_line = match age {
        Ok(s) if s.success() => format!(
            "{:.0} MiB/s ({:.1} s)",
            SIZE as f64 / 1048576.0 / age_time.as_secs_f64(),
            age_time.as_secs_f64()
        ),
        _ => "not measured: the `age` CLI is missing (apt-get install age)".into(),
    };
    let _ = std::fs::remove_file(tmp.path().join("ref.age"));

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
    head.push_str("--B\r\nContent-Disposition: form-data; name=\"attachments\"; filename=\"video.raw\"\r\n\r\n");
    let tail = "\r\n--B--\r\n";
    let total = head.len() as u64 + SIZE + tail.len() as u64;
    let body = std::io::Cursor::new(head.into_bytes())
        .chain(std::fs::File::open(&file).unwrap())
        .chain(std::io::Cursor::new(tail.as_bytes().to_vec()));
    let base = server.rss_kib();
    let t = Instant::now();
    let resp = http
        .post(format!("{}/report", server.intake))
        .header("content-type", "multipart/form-data; boundary=B")
        .header("cookie", c)
        .body(reqwest::blocking::Body::sized(body, total))
        .send()
        .unwrap();
    assert_eq!(resp.status(), 200);
    let up = t.elapsed();
    let peak = server.hwm_kib();
    let body = format!(
        "### Attachment upload (2 GiB, type not cleanable: streamed, hashed, padded, encrypted)\n\n\
         Machine: {}\n\n\
         | measure | value |\n|---|---|\n\
         | amanatd: HTTP multipart upload over loopback → blob (fsynced) | {:.0} MiB/s ({:.1} s) |\n\
         | reference: `age -r` encrypting the same file on disk | {age_line} |\n\
         | server RSS before → peak during the upload | {:.1} MiB → {:.1} MiB (goal: < 64 MiB) |\n",
        machine(),
        SIZE as f64 / 1048576.0 / up.as_secs_f64(),
        up.as_secs_f64(),
        base as f64 / 1024.0,
        peak as f64 / 1024.0,
    );
    write_section("upload", &body);
}

fn main() {
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
}
