//! The checks behind every fuzz target, one public function per target.
//!
//! Each `fuzz_targets/<name>.rs` is a one-line wrapper around `<name>()`
//! here, so that `tests/fuzz_seeds.rs` can include this file (with
//! `#[path]`) and replay the checked-in seeds and every crash found against
//! exactly the same code on a normal `cargo test`, without libFuzzer.
//! [`run`] looks a target up by name for that replay.
//!
//! Every function takes the raw input bytes and must never panic on its own
//! account: a panic is a bug in Amanat (or a broken promise asserted here).
//! Nothing here may write outside the temporary directory.
#![forbid(unsafe_code)]

use actix_web::error::PayloadError;
use actix_web::http::header::{self, HeaderMap, HeaderValue};
use actix_web::web::Bytes;
use age::x25519;
use amanat_cli::export::{self, Decrypted, Format, Labels, Profile};
use amanat_cli::fuzzing::{report_attachments, saved_name};
use amanat_core::api::{
    AddReviewerRequest, AuditLog, ChallengeRequest, ChallengeResponse, ExportRecord,
    QuestionnaireView, ReplyRequest, ReportDetail, ReportList, ReportSummary, SessionResponse,
    TriageRequest, VerifyRequest,
};
use amanat_core::crypto::envelope::{self, MIN_PADDED};
use amanat_core::crypto::{keys, random};
use amanat_core::filename::clean_filename;
use amanat_core::model::answers::{self, ParseError};
use amanat_core::model::questionnaire::{FieldType, MAX_TEXT_CHARS, Section};
use amanat_core::model::{Anonymity, CloseReason, Questionnaire, State, Urgency, Value};
use amanat_core::timeutil::Day;
use amanat_sanitize::{self as sanitize, Kind, Limits, detect};
use amanatd::intake::upload::{self, FileLimits, MultipartContext};
use amanatd::review::sessions::{ChallengeResult, Challenges};
use amanatd::review::validate_new_reviewer;
use amanatd::web::csrf::Csrf;
use amanatd::web::form::{FormError, parse_urlencoded};
use data_encoding::BASE64;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value as Json;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, LazyLock};

/// A target's checks, run on one input; they panic on a bug.
pub type Check = fn(&[u8]);

/// Every target, by the name `fuzz/Cargo.toml` gives its binary.
pub const TARGETS: &[(&str, Check)] = &[
    ("clean_filename", clean_filename_target),
    ("detect", detect_target),
    ("strip_jpeg", strip_jpeg),
    ("strip_png", strip_png),
    ("strip_gif", strip_gif),
    ("strip_webp", strip_webp),
    ("strip_tiff", strip_tiff),
    ("strip_pdf", strip_pdf),
    ("strip_office", strip_office),
    ("strip_mp3", strip_mp3),
    ("strip_mp4", strip_mp4),
    ("strip_matroska", strip_matroska),
    ("strip_svg", strip_svg),
    ("strip_netpbm", strip_netpbm),
    ("strip_ogg", strip_ogg),
    ("strip_flac", strip_flac),
    ("strip_heif", strip_heif),
    ("strip_riff", strip_riff),
    ("intake_form", intake_form),
    ("questionnaire", questionnaire),
    ("envelope_open", envelope_open),
    ("envelope_unpad", envelope_unpad),
    ("manifest", manifest),
    ("multipart", multipart),
    ("review_api", review_api),
];

/// Runs the target called `name` on `data`; `false` if there is no such target.
pub fn run(name: &str, data: &[u8]) -> bool {
    match TARGETS.iter().find(|(n, _)| *n == name) {
        Some((_, f)) => {
            f(data);
            true
        }
        None => false,
    }
}

/// The secret scalar (32 bytes of 7) of the identity the envelope and
/// multipart seeds were sealed to.
pub const IDENTITY_BYTES: [u8; 32] = [7; 32];
/// The multipart target's fixed boundary (the seeds use it too).
pub const BOUNDARY: &str = "AmanatFuzzBoundary";

static IDENTITY: LazyLock<x25519::Identity> =
    LazyLock::new(|| keys::identity_from_bytes(&IDENTITY_BYTES).expect("fixed test identity"));

/// Small limits keep each run fast; the code paths are the same.
fn small_limits(mp4_max_box: u64) -> Limits {
    Limits {
        max_in_memory: 4 << 20,
        mp4_max_box,
        zip_max_entries: 200,
        zip_max_uncompressed: 16 << 20,
        zip_max_ratio: 100,
        zip_max_in_memory: 2 << 20,
        pdf_max_decoded: 4 << 20,
        pdf_max_values: 10_000,
    }
}

fn strip(kind: Kind, data: &[u8], limits: &Limits) {
    let mut out = Vec::new();
    let _ = sanitize::strip(kind, &mut &data[..], &mut out, limits);
}

/// `clean_filename` keeps its promises for any UTF-8 name: a single, short,
/// non-empty component without controls or bidi overrides, and idempotent.
pub fn clean_filename_target(data: &[u8]) {
    let Ok(name) = std::str::from_utf8(data) else {
        return;
    };
    let out = clean_filename(name);
    assert!(!out.is_empty());
    assert!(out.len() <= 120);
    assert!(!out.contains('/') && !out.contains('\\') && !out.contains('\0'));
    assert!(!out.chars().any(|c| c.is_control()
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')));
    assert_eq!(clean_filename(&out), out, "not idempotent");
}

/// `detect` sees a prefix of the upload; whatever it detects must strip
/// without panicking.
pub fn detect_target(data: &[u8]) {
    let kind = detect(&data[..data.len().min(4096)]);
    strip(kind, data, &small_limits(4 << 20));
}

pub fn strip_jpeg(data: &[u8]) {
    strip(Kind::Jpeg, data, &small_limits(4 << 20));
}

pub fn strip_png(data: &[u8]) {
    strip(Kind::Png, data, &small_limits(4 << 20));
}

pub fn strip_gif(data: &[u8]) {
    strip(Kind::Gif, data, &small_limits(4 << 20));
}

pub fn strip_webp(data: &[u8]) {
    strip(Kind::Webp, data, &small_limits(4 << 20));
}

pub fn strip_tiff(data: &[u8]) {
    strip(Kind::Tiff, data, &small_limits(4 << 20));
}

pub fn strip_pdf(data: &[u8]) {
    strip(Kind::Pdf, data, &small_limits(4 << 20));
}

/// OOXML, ODF and EPUB share the zip rewriter; every reading runs on every
/// input.
pub fn strip_office(data: &[u8]) {
    strip(Kind::Ooxml, data, &small_limits(4 << 20));
    strip(Kind::Odf, data, &small_limits(4 << 20));
    strip(Kind::Epub, data, &small_limits(4 << 20));
}

pub fn strip_svg(data: &[u8]) {
    strip(Kind::Svg, data, &small_limits(4 << 20));
}

pub fn strip_netpbm(data: &[u8]) {
    strip(Kind::Netpbm, data, &small_limits(4 << 20));
}

pub fn strip_mp3(data: &[u8]) {
    strip(Kind::Mp3, data, &small_limits(4 << 20));
}

/// A small box limit so that the streaming path (boxes too large to hold)
/// is reached by small inputs too.
pub fn strip_mp4(data: &[u8]) {
    strip(Kind::Mp4, data, &small_limits(64 << 10));
}

/// WebM and Matroska, with a small hold limit so that large metadata
/// elements take the streamed path too. A cleaned file has the input's
/// length (removed elements are overwritten in place, so every offset holds)
/// and cleaning it again changes nothing.
pub fn strip_matroska(data: &[u8]) {
    let limits = small_limits(64 << 10);
    for kind in [Kind::Matroska, Kind::Webm] {
        let mut out = Vec::new();
        if sanitize::strip(kind, &mut &data[..], &mut out, &limits).is_err() {
            continue;
        }
        assert_eq!(out.len(), data.len(), "a cleaned file changed length");
        let mut again = Vec::new();
        let outcome = sanitize::strip(kind, &mut &out[..], &mut again, &limits)
            .expect("a cleaned file cleans again");
        assert_eq!(outcome, sanitize::Outcome::KeptOriginal);
        assert!(again == out, "cleaning a cleaned file changed it");
    }
}

/// A small header limit so that the limit is reached by small inputs too.
pub fn strip_ogg(data: &[u8]) {
    strip_for_good(Kind::Ogg, data, &small_limits(64 << 10));
}

pub fn strip_flac(data: &[u8]) {
    strip_for_good(Kind::Flac, data, &small_limits(64 << 10));
}

/// Whatever the stripper accepts comes out clean for good: cleaning its
/// output again finds nothing and changes no byte.
fn strip_for_good(kind: Kind, data: &[u8], limits: &Limits) {
    let mut out = Vec::new();
    if sanitize::strip(kind, &mut &data[..], &mut out, limits).is_err() {
        return;
    }
    assert_eq!(
        detect(&out[..out.len().min(4096)]),
        kind,
        "output not detected as {kind}"
    );
    let mut again = Vec::new();
    let second = sanitize::strip(kind, &mut &out[..], &mut again, limits);
    assert!(
        matches!(second, Ok(sanitize::Outcome::KeptOriginal)),
        "second pass: {second:?}"
    );
    assert!(again == out, "second pass changed the output");
}

/// HEIC and AVIF share one stripper; both kinds run on every input (they
/// differ only in the error's wording). A small `meta` limit, as for MP4.
/// A cleaned file keeps every byte's place, and cleaning it again changes
/// nothing.
pub fn strip_heif(data: &[u8]) {
    let limits = small_limits(64 << 10);
    for kind in [Kind::Heif, Kind::Avif] {
        let mut out = Vec::new();
        if sanitize::strip(kind, &mut &data[..], &mut out, &limits).is_ok() {
            assert_eq!(out.len(), data.len(), "a cleaned HEIF changed size");
            let mut again = Vec::new();
            let res = sanitize::strip(kind, &mut &out[..], &mut again, &limits);
            assert!(res.is_ok(), "a cleaned HEIF does not clean again: {res:?}");
            assert!(again == out, "cleaning a cleaned HEIF changed it");
        }
    }
}

/// WAV, AIFF and AVI share the chunk walker; all three readings run on
/// every input. A 4 KiB limit on kept chunks makes its refusal reachable by
/// small inputs too.
pub fn strip_riff(data: &[u8]) {
    for kind in [Kind::Wav, Kind::Aiff, Kind::Avi] {
        strip(kind, data, &small_limits(4 << 10));
    }
}

/// The server's default `limits.form_fields`.
const MAX_PAIRS: usize = 200;
/// A fixed year keeps runs reproducible.
const YEAR: i64 = 2026;

static QUESTIONNAIRE: LazyLock<Questionnaire> =
    LazyLock::new(|| Questionnaire::builtin().expect("the built-in questionnaire is valid"));
static CSRF: LazyLock<Csrf> = LazyLock::new(|| Csrf::new(3600));

/// A submitted report form, from the raw urlencoded body to validated
/// answers, as the intake handler does it: strict decoding, the
/// anti-forgery check, then parsing against the built-in questionnaire.
pub fn intake_form(body: &[u8]) {
    let pairs = match parse_urlencoded(body, MAX_PAIRS) {
        Ok(p) => p,
        Err(FormError::TooManyFields(n)) => {
            assert_eq!(n, MAX_PAIRS);
            return;
        }
        Err(FormError::Encoding) => return,
    };
    assert!(pairs.len() <= MAX_PAIRS);

    // No token can be forged without the per-process key.
    let token = pairs
        .iter()
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.as_str());
    assert!(
        CSRF.consume(Some("cookie"), token).is_err(),
        "forged anti-forgery token accepted"
    );

    let q = &*QUESTIONNAIRE;
    match answers::parse(q, &pairs, YEAR) {
        Ok(report) => check_report(q, &report),
        Err(ParseError::Fields(errors)) => {
            assert!(!errors.is_empty());
            for e in &errors {
                assert!(
                    q.field(&e.field).is_some(),
                    "error names unknown field {:?}",
                    e.field
                );
            }
        }
        Err(ParseError::Structure(_)) => {}
    }
}

fn check_report(q: &Questionnaire, r: &answers::ParsedReport) {
    if r.anonymity == Anonymity::Anonymous {
        assert!(
            r.identity.is_empty(),
            "identity kept for an anonymous report"
        );
    }
    for (section, answers) in [
        (Section::Report, &r.report),
        (Section::Identity, &r.identity),
    ] {
        for (id, value) in answers {
            let f = q.field(id).expect("only questionnaire fields are kept");
            assert_eq!(f.section, section, "{id} in the wrong envelope");
            match (f.kind, value) {
                (FieldType::Text | FieldType::Longtext, Value::Text(t)) => {
                    assert!(!t.is_empty());
                    assert!(t.chars().count() <= f.max_chars());
                    assert_eq!(t.trim(), t);
                    let multiline = f.kind == FieldType::Longtext;
                    assert!(
                        !t.chars()
                            .any(|c| c.is_control() && c != '\t' && !(multiline && c == '\n'))
                    );
                }
                (FieldType::Select, Value::Text(t)) => assert!(f.options.contains(t)),
                (FieldType::Multiselect, Value::List(l)) => {
                    assert!(!l.is_empty());
                    assert!(l.iter().all(|o| f.options.contains(o)));
                }
                (FieldType::Date, Value::Date(d)) => {
                    assert!((answers::MIN_YEAR..=YEAR).contains(&d.year));
                    assert!(d.day.is_none() || d.month.is_some());
                }
                (FieldType::Country | FieldType::Yesnounknown, Value::Text(_))
                | (FieldType::Yesno, Value::Bool(_)) => {}
                (kind, v) => panic!("{id}: {kind:?} answered with {v:?}"),
            }
        }
    }
    let critical = matches!(r.report.get("current_risk"),
        Some(Value::List(l)) if l.iter().any(|x| x == "detained" || x == "whereabouts_unknown"));
    assert_eq!(r.proposed_critical, critical);
}

/// An operator's questionnaire TOML: an accepted questionnaire keeps the
/// promises the rest of the code relies on, survives a round trip through
/// TOML, and drives the answer parser without panicking.
pub fn questionnaire(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(q) = Questionnaire::parse(text) else {
        return;
    };
    assert_eq!(q.fields.first().map(|f| f.id.as_str()), Some("anonymity"));
    assert!(q.fields.len() <= 200);
    for f in &q.fields {
        assert!(f.max_chars() >= 1 && f.max_chars() <= MAX_TEXT_CHARS.max(20_000));
    }

    // What the server serialises (e.g. for `GET /api/v1/questionnaire`)
    // must load again.
    let again = toml::to_string(&q).expect("a questionnaire serialises");
    let q2 = Questionnaire::parse(&again).expect("a serialised questionnaire loads again");
    assert_eq!(q.fields.len(), q2.fields.len());

    // A plausible form for this questionnaire: the first option or a short
    // text for every field, and a date for date fields.
    let mut pairs = Vec::new();
    for f in &q.fields {
        match f.kind {
            FieldType::Files => {}
            FieldType::Date => {
                for (part, v) in [("year", "2024"), ("month", "2"), ("day", "29")] {
                    pairs.push((format!("{}_{part}", f.id), v.to_string()));
                }
            }
            FieldType::Yesno | FieldType::Yesnounknown => pairs.push((f.id.clone(), "yes".into())),
            FieldType::Country => pairs.push((f.id.clone(), "PK".into())),
            FieldType::Text | FieldType::Longtext => pairs.push((f.id.clone(), "text".into())),
            FieldType::Anonymity | FieldType::Select | FieldType::Multiselect => {
                if let Some(o) = f.options.first() {
                    pairs.push((f.id.clone(), o.clone()));
                }
            }
        }
    }
    let _ = answers::parse(&q, &pairs, YEAR);
}

/// Opening an envelope with the fixed test identity, and reading the
/// recipient stanzas of an age header (what the server checks in the
/// ciphertext of replies and notes sent by the CLI). A header the server
/// accepts must really start an age file.
pub fn envelope_open(data: &[u8]) {
    if let Ok(plain) = envelope::open(data, &[&*IDENTITY as &dyn age::Identity]) {
        // Only a well-framed plaintext comes out, and it fits in what went in.
        assert!(plain.len() < data.len());
    }
    if let Ok(types) = envelope::stanza_types(data) {
        assert!(data.starts_with(b"age-encryption.org/v1\n"));
        assert!(types.iter().all(|t| !t.ends_with("-grease")));
    }
}

/// The Padmé framing inside every envelope. `unpad` must refuse anything
/// `pad` could not have produced rather than return bytes from outside the
/// frame, and `pad` then `unpad` must give the data back in a bucket of the
/// promised size.
pub fn envelope_unpad(data: &[u8]) {
    // As a decrypted plaintext.
    if let Ok(inner) = envelope::unpad(data) {
        let n = u32::from_be_bytes([data[0], data[1], data[2], data[3]]) as usize;
        assert_eq!(inner.len(), n);
        assert_eq!(inner, &data[4..4 + n]);
        assert!(data[4 + n..].iter().all(|&b| b == 0));
    }

    // As data to seal.
    let padded = envelope::pad(data).expect("fuzz inputs are far below 4 GiB");
    assert_eq!(padded.len(), envelope::padded_len(data.len()));
    assert!(padded.len() >= MIN_PADDED && padded.len() >= data.len() + 4);
    assert!(padded.len() - (data.len() + 4) <= (data.len() + 4) / 8 + MIN_PADDED);
    assert_eq!(envelope::unpad(&padded).expect("pad output unpads"), data);

    // The bucket sizes for lengths up to the 4 GiB the framing allows
    // (attachments are padded by length alone).
    if let Some(bytes) = data.get(..4) {
        let len = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) as usize;
        let p = envelope::padded_len(len);
        assert!(p >= len + 4 && p >= MIN_PADDED);
        assert!(p - (len + 4) <= (len + 4) / 8 + MIN_PADDED);
        assert!(
            envelope::padded_len(len + 1) >= p,
            "bucket sizes are monotonic"
        );
    }
}

/// What the CLI reads from a decrypted report record: the attachment
/// manifest (`amanat download`) and the answers (`amanat export`). The
/// record comes from an envelope anyone with the triage public keys could
/// have made; the names files are saved under must stay inside the output
/// directory.
pub fn manifest(data: &[u8]) {
    let Ok(report) = serde_json::from_slice::<Json>(data) else {
        return;
    };
    let attachments = report_attachments(&report);
    for m in &attachments {
        // `download` fetches only well-formed blob ids.
        let _ = random::is_id(&m.blob);
        for n in [1, 2, 999] {
            let name = saved_name(&m.name, n);
            let parts: Vec<_> = Path::new(&name).components().collect();
            assert!(
                matches!(parts.as_slice(), [Component::Normal(_)]),
                "{:?} saved as {name:?}",
                m.name
            );
        }
    }

    // The answers as the export profiles read them: typed, as a decrypted
    // record holds them (anything else reads as no answers).
    let as_map = |v: Option<&Json>| v.and_then(|v| serde_json::from_value(v.clone()).ok());
    for anonymity in [Anonymity::Anonymous, Anonymity::Consented] {
        let d = Decrypted {
            summary: ReportSummary {
                id: "0".repeat(26),
                received: Day::from_days(20_400),
                state: State::Assessed,
                closed_reason: None,
                state_day: Day::from_days(20_401),
                urgency: Urgency::High,
                urgency_confirmed: true,
                anonymity,
                assignee: None,
                assignee_name: None,
                rekey: Default::default(),
            },
            lang: report.get("lang").and_then(Json::as_str).map(String::from),
            answers: as_map(report.get("answers")).unwrap_or_default(),
            identity: as_map(report.get("identity")),
            attachments: attachments.clone(),
            withdrawn: vec!["consent_share_ohchr".into()],
            thread: Vec::new(),
        };
        let reports = [d];
        for profile in [Profile::Internal, Profile::OhchrSubmission, Profile::Stats] {
            let (ok, _refused) = export::check(profile, &reports);
            for &format in profile.formats() {
                let out = export::render(profile, format, &ok, &Labels::default());
                if format == Format::Json {
                    serde_json::from_str::<Json>(&out).expect("JSON exports parse");
                }
            }
        }
    }
}

const MAX_FILES: usize = 3;
const MAX_FIELDS: usize = 40;
const FILE_BYTES: u64 = 16 << 10;

thread_local! {
    /// One scratch directory per thread: the seed replay runs targets on
    /// several test threads at once, and each must see only its own files.
    static BLOBS: PathBuf = {
        let thread = format!("{:?}", std::thread::current().id());
        let thread: String = thread.chars().filter(char::is_ascii_digit).collect();
        let dir = std::env::temp_dir().join(format!(
            "amanat-fuzz-multipart-{}-{thread}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).expect("a scratch directory for blobs");
        dir
    };
    static RUNTIME: tokio::runtime::Runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
}

/// The streaming multipart reader of the report form. The first byte sets
/// how the body is cut into chunks (boundary parsers break at chunk edges);
/// the rest is the body, under [`BOUNDARY`]. Files really go through
/// detection, stripping and age into a temporary directory (point TMPDIR at
/// a tmpfs: every file is fsynced). An accepted form must respect every
/// limit, and no file may be left behind once the form is dropped.
pub fn multipart(data: &[u8]) {
    let Some((&cut, body)) = data.split_first() else {
        return;
    };
    let chunk = if cut == 0 {
        body.len().max(1)
    } else {
        usize::from(cut)
    };
    let chunks: Vec<Result<Bytes, PayloadError>> = body
        .chunks(chunk)
        .map(|c| Ok(Bytes::copy_from_slice(c)))
        .collect();

    let mut headers = HeaderMap::new();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&format!("multipart/form-data; boundary={BOUNDARY}"))
            .expect("a valid header value"),
    );

    let blobs = BLOBS.with(PathBuf::clone);
    let uploads = Arc::new(tokio::sync::Semaphore::new(1));
    let csrf_ok = |pairs: &[(String, String)]| pairs.iter().any(|(k, v)| k == "csrf" && v == "ok");
    let admission = amanatd::web::ratelimit::RateLimiter::per_minute(u32::MAX);
    let ctx = MultipartContext {
        max_text_bytes: 4096,
        max_fields: MAX_FIELDS,
        max_files: MAX_FILES,
        max_total: 64 << 10,
        file: FileLimits {
            file_bytes: FILE_BYTES,
            sanitize: Limits {
                max_in_memory: 32 << 10,
                mp4_max_box: 32 << 10,
                zip_max_entries: 50,
                zip_max_uncompressed: 256 << 10,
                zip_max_ratio: 100,
                zip_max_in_memory: 64 << 10,
                pdf_max_decoded: 256 << 10,
                pdf_max_values: 10_000,
            },
        },
        recipients: vec![IDENTITY.to_public().into()],
        blobs_dir: blobs.clone(),
        uploads: &uploads,
        csrf_ok: &csrf_ok,
        min_free_bytes: 0,
        admission: &admission,
    };

    RUNTIME.with(|rt| {
        rt.block_on(async {
            let stream = futures_util::stream::iter(chunks);
            let mp = actix_multipart::Multipart::new(&headers, stream);
            match upload::read_multipart(mp, ctx).await {
                Ok(form) => {
                    assert!(form.pairs.len() <= MAX_FIELDS);
                    assert!(form.files.len() <= MAX_FILES);
                    assert!(csrf_ok(&form.pairs), "files accepted without the token");
                    for f in &form.files {
                        let m = &f.manifest;
                        assert_eq!(clean_filename(&m.name), m.name);
                        assert!(
                            m.size <= FILE_BYTES
                                || m.result == amanat_core::records::CleanResult::Cleaned
                        );
                        assert!(f.temp.path().starts_with(&blobs));
                    }
                }
                Err(failure) => assert!(failure.pairs.len() <= MAX_FIELDS),
            }
        });
    });
    let left = std::fs::read_dir(&blobs).map(|d| d.count()).unwrap_or(0);
    assert_eq!(left, 0, "a staged file outlived its form");
}

/// JSON bodies of the review API. The first byte picks a wire type; the rest
/// is its body. Requests go through what the server does after `json_body`:
/// the recipient, reviewer, base64 and age-header checks, the state machine
/// and the export record checks. Responses are what the CLI reads from a
/// server it must not trust to be well-behaved. Whatever deserialises must
/// serialise and deserialise again to the same value.
pub fn review_api(data: &[u8]) {
    let Some((&which, body)) = data.split_first() else {
        return;
    };
    match which % 10 {
        0 => {
            if let Some(r) = decode::<ChallengeRequest>(body) {
                let _ = keys::is_recipient(&r.recipient);
            }
        }
        1 => {
            if let Some(r) = decode::<VerifyRequest>(body) {
                // A response can only answer a challenge the server issued.
                let challenges = Challenges::default();
                let nonce = random::token();
                let id = challenges.create("reviewer", nonce);
                assert!(id != r.challenge_id);
                assert_eq!(
                    challenges.answer(&r.challenge_id, &r.response),
                    ChallengeResult::Unknown
                );
            }
        }
        2 => {
            if let Some(r) = decode::<AddReviewerRequest>(body) {
                if let Ok(new) = validate_new_reviewer(r.name, r.recipient, r.roles) {
                    assert!(!new.roles.is_empty());
                    assert!(keys::is_recipient(&new.recipient));
                    assert!(!new.name.is_empty() && new.name.chars().count() <= 64);
                    assert!(!new.name.chars().any(char::is_control));
                }
            }
        }
        3 => {
            if let Some(r) = decode::<ReplyRequest>(body) {
                ciphertext(&r.ciphertext);
            }
        }
        4 => {
            if let Some(r) = decode::<TriageRequest>(body) {
                if let Some(note) = &r.note {
                    ciphertext(note);
                }
                // The server's transition checks, from every state.
                for &from in State::ALL {
                    if let Some(next) = r.state {
                        let _ = next == from || from.next().contains(&next);
                        let _ = from.next_text();
                    }
                }
                if let Some(reason) = r.reason {
                    assert!(CloseReason::ALL.contains(&reason));
                }
            }
        }
        5 => {
            if let Some(r) = decode::<ExportRecord>(body) {
                let _ = ["internal", "ohchr_submission", "stats"].contains(&r.profile.as_str())
                    && ["json", "csv", "text"].contains(&r.format.as_str())
                    && r.reports.iter().all(|id| random::is_id(id));
            }
        }
        6 => {
            if let Some(d) = decode::<ReportDetail>(body) {
                let _ = envelope::parse_recipients(&d.reply_recipients);
                for e in &d.envelopes {
                    ciphertext(&e.ciphertext);
                    let _ = d.report.received.to_string();
                    let _ = e.day.ymd();
                }
            }
        }
        7 => {
            if let Some(l) = decode::<ReportList>(body) {
                let today = Day::from_days(20_500);
                for r in &l.reports {
                    let _ =
                        amanat_core::model::triage::overdue(r.urgency, r.state, r.received, today);
                    let _ = r.state_day.to_string();
                }
            }
        }
        8 => {
            if let Some(a) = decode::<AuditLog>(body) {
                let _ = amanat_core::audit::verify(&a.entries);
            }
        }
        _ => {
            let _ = decode::<SessionResponse>(body);
            let _ = decode::<ChallengeResponse>(body);
            let _ = decode::<QuestionnaireView>(body);
        }
    }
}

/// Deserialises `body` as `T` and checks the value survives a round trip.
fn decode<T: Serialize + DeserializeOwned>(body: &[u8]) -> Option<T> {
    let value: T = serde_json::from_slice(body).ok()?;
    let again = serde_json::to_vec(&value).expect("a wire value serialises");
    let back: T = serde_json::from_slice(&again).expect("a serialised wire value deserialises");
    assert_eq!(
        serde_json::to_vec(&back).expect("serialises"),
        again,
        "round trip changed the value"
    );
    Some(value)
}

/// What the server does with base64 age ciphertext from the CLI.
fn ciphertext(b64: &str) {
    if let Ok(ct) = BASE64.decode(b64.as_bytes()) {
        let _ = envelope::stanza_types(&ct);
    }
}
