//! The reviewer CLI `amanat` as reviewers run it, for the output snapshots
//! of tests/it/cli_output.rs: a real `amanatd` serving a data dir whose
//! reviewers were enrolled by the operator with keys from `amanat keygen`,
//! a config dir per reviewer, reports submitted through the form, and each
//! run's transcript compared, redacted of what changes from run to run,
//! with its file under tests/snapshots/ (`UPDATE_SNAPSHOTS=1` rewrites it).
//!
//! Never starts anything on a fixed port: every server listens on port 0.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use super::daemon::{AMANAT, AMANATD, Daemon, ok, run, serve};
use super::{codename_of, cookie_named, extract_value, multipart_body};
use amanat_core::timeutil::Day;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// A data dir with its enrolled reviewers, and the `amanatd serve` on it
/// while it runs (killed on drop, with the temporary directory).
pub struct Server {
    daemon: Option<Daemon>,
    /// The reaper (see `until_exit`), which holds the write end of the
    /// pipe it waits on: never waited for, it ends after this process.
    reaper: Option<std::process::Child>,
    /// The ids of the reports submitted so far, oldest first.
    pub submitted: Vec<String>,
    pub data: PathBuf,
    pub reviewers: Vec<Reviewer>,
    pub tmp: tempfile::TempDir,
}

/// A report submitted through the form.
pub struct Submitted {
    pub id: String,
    pub codename: String,
}

/// A reviewer: their key file (from `amanat keygen`), the id the operator's
/// enrolment printed, and their own CLI config dir (session, pins, anchors).
pub struct Reviewer {
    pub name: String,
    pub id: String,
    pub recipient: String,
    pub key: PathBuf,
    pub config: PathBuf,
}

impl Server {
    /// `amanatd init`, then each reviewer (name, comma-separated roles)
    /// enrolled offline by the operator, then `amanatd serve`.
    pub fn start(reviewers: &[(&str, &str)]) -> Server {
        let tmp = tempfile::tempdir().unwrap();
        let data = tmp.path().join("data");
        ok(&run(
            AMANATD,
            &["init", "--data-dir", data.to_str().unwrap()],
        ));
        let reviewers = reviewers
            .iter()
            .map(|(name, roles)| enrol(tmp.path(), &data, name, roles))
            .collect();
        let mut server = Server {
            daemon: None,
            reaper: None,
            submitted: Vec::new(),
            data,
            reviewers,
            tmp,
        };
        server.restart();
        server
    }

    /// Stops the server if it runs and starts it again (on new ports).
    pub fn restart(&mut self) {
        self.restart_with(&[]);
    }

    /// [`Server::restart`] with `AMANAT_*` settings in its environment.
    pub fn restart_with(&mut self, env: &[(&str, &str)]) {
        self.daemon = None;
        self.daemon = Some(serve(&self.data, env));
    }

    /// Stops the server: the data dir is free for the store, and the CLI
    /// finds nothing at the review address.
    pub fn stop(&mut self) {
        self.daemon = None;
    }

    /// Keeps the server for the rest of this test process, for tests that
    /// share it through a static (which is never dropped), and kills it and
    /// removes its directory when the process ends, however it ends: a
    /// shell waits for the end of a pipe that only this process holds (the
    /// kernel closes it at exit), stops the server, and removes the
    /// directory once the server is gone.
    pub fn until_exit(mut self) -> &'static Server {
        const SCRIPT: &str = r#"read _
[ "$(cat /proc/$1/comm 2>/dev/null)" = amanatd ] && kill "$1"
while kill -0 "$1" 2>/dev/null; do sleep 0.1; done
rm -rf -- "$2""#;
        let reaper = Command::new("sh")
            .args(["-c", SCRIPT, "sh", &self.daemon().pid().to_string()])
            .arg(self.tmp.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        self.reaper = Some(reaper);
        // Never dropped: the pid the reaper kills stays this server's.
        Box::leak(Box::new(self))
    }

    fn daemon(&self) -> &Daemon {
        self.daemon.as_ref().expect("the server runs")
    }

    /// The review API's URL.
    pub fn review(&self) -> &str {
        &self.daemon().review
    }

    /// The source interface's URL.
    pub fn intake(&self) -> &str {
        &self.daemon().intake
    }

    pub fn reviewer(&self, name: &str) -> &Reviewer {
        self.reviewers
            .iter()
            .find(|r| r.name == name)
            .unwrap_or_else(|| panic!("no reviewer {name}"))
    }

    /// Logs a reviewer in (`amanat login`), which must succeed.
    pub fn login(&self, name: &str) -> Run {
        let r = self.reviewer(name);
        let out = r.amanat(&[
            "login",
            "--server",
            self.review(),
            "--identity",
            r.key.to_str().unwrap(),
        ]);
        out.succeeded();
        out
    }

    /// A redactor naming this server's addresses, reviewers and temporary
    /// directory; a test adds its reports.
    pub fn redactor(&self) -> Redactor {
        let mut r = Redactor::default();
        if let Some(d) = &self.daemon {
            r.name(&d.review, "<review-url>");
            r.name(&d.intake, "<intake-url>");
        }
        for v in &self.reviewers {
            r.name(&v.id, &format!("<reviewer:{}>", v.name));
            r.name(&v.recipient, &format!("<recipient:{}>", v.name));
        }
        r.name(self.tmp.path().to_str().unwrap(), "<tmp>");
        r
    }

    /// Submits a report through the form (see [`submit`]); returns its id,
    /// read from the store (so the server restarts, on new ports), and the
    /// codename the source was shown.
    pub fn submit(&mut self, answers: &[(&str, &str)], files: &[(&str, &str, &[u8])]) -> Submitted {
        let codename = submit(self.intake(), answers, files);
        self.stop();
        let ids: Vec<String> = amanatd::store::Store::open(&self.data)
            .unwrap()
            .reports()
            .unwrap()
            .into_iter()
            .map(|r| r.id)
            .filter(|id| !self.submitted.contains(id))
            .collect();
        assert_eq!(ids.len(), 1, "one new report");
        self.submitted.push(ids[0].clone());
        self.restart();
        Submitted {
            id: ids[0].clone(),
            codename,
        }
    }

    /// Moves a report's received day into the past, as if it had waited in
    /// the queue since then (the server restarts, on new ports).
    pub fn backdate(&mut self, report: &str, received: Day) {
        self.stop();
        {
            let store = amanatd::store::Store::open(&self.data).unwrap();
            let state = store.report(report).unwrap().unwrap().state;
            store
                .update_report(report, state, |m| m.received = received, None)
                .unwrap();
        }
        self.restart();
    }
}

/// A key from `amanat keygen` enrolled with `amanatd reviewer add`.
fn enrol(tmp: &Path, data: &Path, name: &str, roles: &str) -> Reviewer {
    let mut reviewer = Reviewer::keygen(tmp, name);
    let enrolled = ok(&run(
        AMANATD,
        &[
            "reviewer",
            "add",
            "--data-dir",
            data.to_str().unwrap(),
            "--name",
            name,
            "--recipient",
            &reviewer.recipient,
            "--roles",
            roles,
        ],
    ));
    // "Enrolled NAME (ID) with roles …"
    reviewer.id = enrolled
        .split_once('(')
        .and_then(|(_, rest)| rest.split_once(')'))
        .map(|(id, _)| id.to_string())
        .unwrap_or_else(|| panic!("no id in {enrolled:?}"));
    reviewer
}

impl Reviewer {
    /// A reviewer-to-be with a key from `amanat keygen` in `dir` and a
    /// config dir beside it; enrolled nowhere yet, so without an id.
    pub fn keygen(dir: &Path, name: &str) -> Reviewer {
        let key = dir.join(format!("{name}.key"));
        let recipient = ok(&run(AMANAT, &["keygen", "-o", key.to_str().unwrap()]))
            .trim()
            .to_string();
        Reviewer {
            name: name.into(),
            id: String::new(),
            recipient,
            key,
            config: dir.join(format!("{name}-config")),
        }
    }

    /// Runs `amanat ARGS` with this reviewer's config dir.
    pub fn amanat(&self, args: &[&str]) -> Run {
        self.amanat_with_input(args, None)
    }

    /// Runs `amanat ARGS` with `input`, if any, on standard input.
    pub fn amanat_with_input(&self, args: &[&str], input: Option<&str>) -> Run {
        let mut run = amanat_in(&self.config, args, input, &[]);
        run.who = Some(self.name.clone());
        run
    }
}

/// Runs the `amanat` binary with `config` as its config dir, in an
/// environment of its own: nothing of the caller's `AMANAT_…` settings,
/// help wrapped at 100 columns, no terminal (so no colours, no progress
/// bars and no prompts), standard input empty unless `input` is given.
pub fn amanat_in(config: &Path, args: &[&str], input: Option<&str>, env: &[(&str, &str)]) -> Run {
    super::daemon::require_binaries();
    let mut cmd = Command::new(AMANAT);
    cmd.args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", config)
        .env("AMANAT_CONFIG_DIR", config)
        .env("COLUMNS", "100")
        .envs(env.iter().copied())
        .stdin(if input.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    if let Some(text) = input {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(text.as_bytes()).unwrap();
    }
    Run {
        who: None,
        args: args.iter().map(|a| a.to_string()).collect(),
        input: input.map(String::from),
        output: child.wait_with_output().unwrap(),
    }
}

/// One run of `amanat`: who ran it, its arguments and standard input, and
/// what it printed.
pub struct Run {
    /// The reviewer whose config dir it used, if it was a reviewer's.
    pub who: Option<String>,
    pub args: Vec<String>,
    pub input: Option<String>,
    pub output: Output,
}

impl Run {
    /// The exit code (`None` if killed by a signal).
    pub fn code(&self) -> Option<i32> {
        self.output.status.code()
    }

    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.output.stdout).into_owned()
    }

    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }

    /// Panics with the whole transcript unless the run exited 0.
    pub fn succeeded(&self) -> &Run {
        self.exited(0)
    }

    /// Panics with the whole transcript unless the run exited with `code`.
    pub fn exited(&self, code: i32) -> &Run {
        assert_eq!(self.code(), Some(code), "{}", self.transcript());
        self
    }

    /// Who ran it and the command line, standard input if any, the exit
    /// code, then standard output and standard error (each only when not
    /// empty), as a snapshot holds them.
    pub fn transcript(&self) -> String {
        let who = self.who.as_deref().unwrap_or("");
        let mut t = format!("{who}$ amanat {}\n", shell_words(&self.args));
        section(&mut t, "stdin", self.input.as_deref().unwrap_or_default());
        match self.code() {
            Some(c) => t.push_str(&format!("[exit {c}]\n")),
            None => t.push_str("[killed by a signal]\n"),
        }
        section(&mut t, "stdout", &self.stdout());
        section(&mut t, "stderr", &self.stderr());
        t
    }
}

/// Asserts that every run exited with `code`; returns them for a snapshot.
pub fn all_exited(code: i32, runs: &[Run]) -> Vec<&Run> {
    runs.iter().map(|r| r.exited(code)).collect()
}

/// `--- NAME` and the text, unless it is empty; a missing final newline is
/// said, not added silently.
fn section(t: &mut String, name: &str, text: &str) {
    if text.is_empty() {
        return;
    }
    t.push_str(&format!("--- {name}\n{text}"));
    if !text.ends_with('\n') {
        t.push_str("\n[no newline at the end]\n");
    }
}

/// Arguments as a reader would type them: quoted when they hold spaces,
/// quotes or nothing.
fn shell_words(args: &[String]) -> String {
    args.iter()
        .map(|a| {
            if !a.is_empty()
                && a.chars()
                    .all(|c| !c.is_whitespace() && c != '\'' && c != '"')
            {
                a.clone()
            } else {
                format!("'{}'", a.replace('\'', r"'\''"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Replaces what changes from one run to the next with stable placeholders:
/// named values first (addresses, reviewers, reports, paths; the longest
/// first), then today's day and month, then by shape: age recipients,
/// 26-character ids and SHA-256 hashes in hex (numbered by first
/// appearance, so that one id keeps one placeholder within a snapshot).
/// Placeholders of ids and days keep their width (`<today...>`), so
/// that the snapshots of tables keep their columns.
#[derive(Clone, Default)]
pub struct Redactor {
    named: BTreeMap<String, String>,
}

impl Redactor {
    /// Writes `placeholder` wherever `value` appears (padded to the width
    /// of an id when `value` is one).
    pub fn name(&mut self, value: &str, placeholder: &str) -> &mut Redactor {
        assert!(!value.is_empty(), "an empty value for {placeholder}");
        let placeholder = if amanat_core::crypto::random::is_id(value) {
            widened(placeholder, value.len())
        } else {
            placeholder.to_string()
        };
        self.named.insert(value.to_string(), placeholder);
        self
    }

    /// `text` with every value that changes from run to run replaced.
    pub fn redact(&self, text: &str) -> String {
        let mut named: Vec<(&String, &String)> = self.named.iter().collect();
        named.sort_by_key(|(v, _)| std::cmp::Reverse(v.len()));
        let mut text = text.to_string();
        for (value, placeholder) in named {
            text = text.replace(value.as_str(), placeholder);
        }
        // The CLI and the server read the clock on their own; a run that
        // crosses midnight sees one of two days.
        let today = Day::today();
        let days = [Day::from_days(today.days() - 1), today];
        for day in days {
            text = text.replace(&day.to_string(), &widened("<today>", 10));
        }
        for day in days {
            let (y, m, _) = day.ymd();
            text = text.replace(&format!("{y:04}-{m:02}"), "<month>");
        }
        redact_shapes(&text)
    }
}

/// `placeholder` with dots before its closing `>` up to `width` characters.
fn widened(placeholder: &str, width: usize) -> String {
    let short = width.saturating_sub(placeholder.chars().count());
    match placeholder.strip_suffix('>') {
        Some(open) if short > 0 => format!("{open}{}>", ".".repeat(short)),
        _ => placeholder.to_string(),
    }
}

/// The shape-based part of [`Redactor::redact`]: runs of ASCII letters and
/// digits that are recipients, ids or hashes.
fn redact_shapes(text: &str) -> String {
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find(|c: char| c.is_ascii_alphanumeric()) {
        out.push_str(&rest[..start]);
        rest = &rest[start..];
        let end = rest
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(rest.len());
        let word = &rest[..end];
        match shape(word) {
            Some(kind) => {
                let placeholder = seen
                    .entry(word.to_string())
                    .or_insert_with(|| {
                        let n = counts.entry(kind).or_default();
                        *n += 1;
                        let placeholder = format!("<{kind}-{n}>");
                        if kind == "id" {
                            widened(&placeholder, word.len())
                        } else {
                            placeholder
                        }
                    })
                    .clone();
                out.push_str(&placeholder);
            }
            None => out.push_str(word),
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// What a word is, if it is a value that changes from run to run.
fn shape(word: &str) -> Option<&'static str> {
    let lower_alnum = |s: &str| {
        s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    };
    if word.len() == 62 && word.starts_with("age1") && lower_alnum(word) {
        Some("recipient")
    } else if amanat_core::crypto::random::is_id(word) {
        Some("id")
    } else if word.len() == 64 && word.bytes().all(|b| b.is_ascii_hexdigit()) {
        Some("sha256")
    } else {
        None
    }
}

/// A loopback address where nothing listens, and where nothing else can
/// listen while the returned socket lives (bound, never listening): a
/// connection there is refused at once, whatever else runs on the machine.
pub fn refusing_address() -> (std::os::fd::OwnedFd, std::net::SocketAddr) {
    use rustix::net::{AddressFamily, SocketType, bind, getsockname, socket};
    let fd = socket(AddressFamily::INET, SocketType::STREAM, None).unwrap();
    bind(
        &fd,
        &std::net::SocketAddrV4::new(std::net::Ipv4Addr::LOCALHOST, 0),
    )
    .unwrap();
    let addr = std::net::SocketAddr::try_from(getsockname(&fd).unwrap()).unwrap();
    (fd, addr)
}

/// The directory of the snapshot files.
pub fn snapshot_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots")
}

/// Compares the redacted transcripts of `runs` with
/// tests/snapshots/NAME.txt; fails with a line diff when they differ.
/// With `UPDATE_SNAPSHOTS=1` the file is rewritten instead.
pub fn assert_snapshot(name: &str, redactor: &Redactor, runs: &[&Run]) {
    let actual = redactor.redact(
        &runs
            .iter()
            .map(|r| r.transcript())
            .collect::<Vec<_>>()
            .join("\n"),
    );
    let path = snapshot_dir().join(format!("{name}.txt"));
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(snapshot_dir()).unwrap();
        std::fs::write(&path, &actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read the snapshot {} ({e}); run the test with UPDATE_SNAPSHOTS=1 to \
             write it, then review it. The output was:\n{actual}",
            path.display()
        )
    });
    if expected != actual {
        panic!(
            "the output differs from the snapshot {} (- expected, + actual); if the change \
             is intended, run the test with UPDATE_SNAPSHOTS=1 and review the file's diff:\n{}",
            path.display(),
            line_diff(&expected, &actual)
        );
    }
}

/// A unified-style diff of two texts, with two lines of context around
/// each change (a longest common subsequence of lines: outputs are short).
pub fn line_diff(expected: &str, actual: &str) -> String {
    let a: Vec<&str> = expected.lines().collect();
    let b: Vec<&str> = actual.lines().collect();
    // lcs[i][j]: the longest common subsequence of a[i..] and b[j..].
    let mut lcs = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let mut lines: Vec<(char, &str)> = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            lines.push((' ', a[i]));
            i += 1;
            j += 1;
        } else if i < a.len() && (j == b.len() || lcs[i + 1][j] >= lcs[i][j + 1]) {
            lines.push(('-', a[i]));
            i += 1;
        } else {
            lines.push(('+', b[j]));
            j += 1;
        }
    }
    // Only the final newline differs: the last lines are the context.
    let same_lines = lines.iter().all(|(c, _)| *c == ' ');
    let near_change = |k: usize| {
        (same_lines && k + 3 >= lines.len())
            || lines[k.saturating_sub(2)..(k + 3).min(lines.len())]
                .iter()
                .any(|(c, _)| *c != ' ')
    };
    let mut out = String::new();
    let mut skipped = false;
    for (k, (c, line)) in lines.iter().enumerate() {
        if near_change(k) {
            if skipped {
                out.push_str("   …\n");
                skipped = false;
            }
            out.push_str(&format!("{c}  {line}\n"));
        } else {
            skipped = true;
        }
    }
    if skipped {
        out.push_str("   …\n");
    }
    if expected.ends_with('\n') != actual.ends_with('\n') {
        out.push_str("(the texts differ in their final newline)\n");
    }
    out
}

/// Submits a report through the form as a browser with JavaScript off does
/// (GET the form, POST it multipart with its cookie and token); `files` are
/// (form field, file name, content). Returns the codename the confirmation
/// page showed.
pub fn submit(intake: &str, answers: &[(&str, &str)], files: &[(&str, &str, &[u8])]) -> String {
    let http = super::client();
    let resp = http
        .get(format!("{intake}/report?anonymity=confidential&lang=en"))
        .send()
        .unwrap();
    assert_eq!(resp.status(), 200);
    let cookie = cookie_named(&resp, "amanat_csrf").expect("the form sets its anti-forgery cookie");
    let token = extract_value(&resp.text().unwrap(), "name=\"csrf\" value=\"")
        .expect("the form holds its anti-forgery token");
    let mut fields = vec![("csrf", token.as_str()), ("lang", "en")];
    fields.extend_from_slice(answers);
    let boundary = "----amanatCliOutputBoundary";
    let resp = http
        .post(format!("{intake}/report"))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .header("cookie", cookie)
        .body(multipart_body(boundary, &fields, files))
        .send()
        .unwrap();
    let status = resp.status().as_u16();
    let page = resp.text().unwrap();
    assert!(
        status == 200 && page.contains("Your report was received"),
        "the report was refused ({status}): {page}"
    );
    codename_of(&page)
}
