//! `fsck` on a store that is being written: a check and repair running
//! beside writers, and the second look that drops what a write has since
//! made untrue.

use super::super::super::*;
use super::super::{FsckOptions, FsckReport, Problem};
use super::{ct, report, rid};

/// A check (and repair) of a store being written: reports submitted with
/// attachments, messages added, reports purged, all meanwhile. Nothing is
/// reported, nothing named is removed, and the store is consistent after.
#[test]
fn a_live_store_is_checked_and_repaired_while_it_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::create(dir.path()).unwrap();
    for _ in 0..20 {
        report(&s, 1);
    }
    let stop = std::sync::atomic::AtomicBool::new(false);
    let live = FsckOptions {
        repair: true,
        ids_in_memory: 4,
        live: true,
        ..FsckOptions::default()
    };
    std::thread::scope(|t| {
        let writer = t.spawn(|| {
            let mut kept = Vec::new();
            let mut i = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) || i < 30 {
                let m = report(&s, 1);
                s.append_envelope(
                    &m.id,
                    NewEnvelope {
                        kind: EnvelopeKind::Message,
                        ciphertext: ct(b"more"),
                        recipients: vec![],
                    },
                )
                .unwrap();
                if i % 3 == 0 {
                    s.purge(&m.id).unwrap();
                } else {
                    kept.push(m.id);
                }
                i += 1;
            }
            kept
        });
        // Checked after the writer stops, so that a failure ends the test.
        let runs: Vec<_> = (0..5).map(|_| s.fsck_with(&live)).collect();
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        let kept = writer.join().unwrap();
        for r in runs {
            let r = r.unwrap();
            assert!(r.clean() && r.repaired.is_empty(), "{r}\n{:?}", r.repaired);
        }
        for id in kept {
            let m = s.report(&id).unwrap().unwrap();
            assert_eq!(m.envelopes.len(), 2);
            assert!(s.blobs_dir().join(&m.blobs[0]).is_file());
        }
    });
    let r = s.fsck(false).unwrap();
    assert!(r.clean(), "{r}");
}

/// The second look: a finding that a write has since made untrue (the
/// envelope came back, the report was written, the file was removed) is
/// dropped, of every kind; one still true is kept; counts that agree by
/// then are not reported.
#[test]
fn findings_no_longer_true_at_the_second_look_are_dropped() {
    use super::super::checks::Finding;
    let dir = tempfile::tempdir().unwrap();
    let s = Store::create(dir.path()).unwrap();
    let a = report(&s, 1);
    let lookup = [9u8; 32];
    let src = SourceRecord {
        report_id: a.id.clone(),
        recipient: "age1source".into(),
        kdf: amanat_core::crypto::codename::KdfParams::default(),
    };
    s.sources.insert(lookup, to_json(&src).unwrap()).unwrap();
    let orphan = rid();
    s.envelopes.insert(orphan.as_bytes(), ct(b"x")).unwrap();
    let (env, file) = (a.envelopes[0].id.clone(), a.blobs[0].clone());
    let f = |problem: Problem, key: &[u8]| Finding {
        problem,
        key: key.to_vec(),
    };
    let untrue = vec![
        f(
            Problem::OrphanEnvelope { envelope: rid() },
            rid().as_bytes(),
        ),
        f(
            Problem::OrphanRef {
                report: a.id.clone(),
            },
            &refs::key(&a.id, 0),
        ),
        f(
            Problem::DanglingSource {
                report: a.id.clone(),
            },
            &lookup,
        ),
        f(
            Problem::MissingEnvelope {
                report: a.id.clone(),
                envelope: env.clone(),
            },
            &[],
        ),
        f(
            Problem::BadEnvelope {
                report: rid(),
                envelope: env,
            },
            &[],
        ),
        f(
            Problem::MissingBlob {
                report: a.id.clone(),
                blob: file,
            },
            &[],
        ),
        f(
            Problem::BadReport {
                key: a.id.clone(),
                detail: "?".into(),
            },
            a.id.as_bytes(),
        ),
        f(Problem::BadSource, &lookup),
        f(Problem::BadReviewer { key: "x".into() }, b"x"),
        f(Problem::OrphanBlob { blob: rid() }, &[]),
        f(
            Problem::StaleUpload {
                file: ".upload-gone".into(),
            },
            &[],
        ),
        f(
            Problem::UnknownFile {
                file: "gone.txt".into(),
            },
            &[],
        ),
    ];
    let n = untrue.len();
    let mut found = untrue;
    found.push(f(
        Problem::OrphanEnvelope {
            envelope: orphan.clone(),
        },
        orphan.as_bytes(),
    ));
    let out = s
        .settle(FsckReport::default(), found, true, false, false)
        .unwrap();
    assert_eq!(n, 12);
    assert_eq!(
        out.problems,
        vec![Problem::OrphanEnvelope { envelope: orphan }]
    );
}
