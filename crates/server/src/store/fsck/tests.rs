//! Unit tests of `fsck`: real sled in a temporary directory, real age
//! ciphertext, real attachment files; every problem kind found and
//! repaired on both schemas with the sorted sets spilling to disk, the
//! memory bound asserted by count, and a check of a store being written.

use super::super::*;
use super::sorted::{FAN_IN, Scratch, missing_from};
use super::{FsckOptions, FsckReport, Problem};
use age::x25519;
use amanat_core::audit::{Action, Entry, Event};
use amanat_core::crypto::envelope;
use amanat_core::model::{Anonymity, Urgency};
use amanat_core::timeutil::Day;
use std::collections::BTreeSet;

mod second_look;

/// Real age ciphertext (the checks read its header).
fn ct(text: &[u8]) -> Vec<u8> {
    envelope::seal(text, &[x25519::Identity::generate().to_public()]).unwrap()
}

fn rid() -> String {
    amanat_core::crypto::random::id()
}

/// An attachment file of real ciphertext, committed as a submission does.
fn blob(s: &Store) -> String {
    let t = tempfile::Builder::new()
        .prefix(".upload-")
        .tempfile_in(s.blobs_dir())
        .unwrap();
    std::fs::write(t.path(), ct(b"photo")).unwrap();
    s.commit_blobs(vec![t]).unwrap().remove(0)
}

/// A report with one envelope and `blobs` attachment files.
fn report(s: &Store, blobs: usize) -> ReportMeta {
    let blobs = (0..blobs).map(|_| blob(s)).collect();
    s.insert_report(NewReport {
        anonymity: Anonymity::Confidential,
        urgency: Urgency::Standard,
        envelopes: vec![NewEnvelope {
            kind: EnvelopeKind::Report,
            ciphertext: ct(b"report"),
            recipients: vec!["age1example".into()],
        }],
        source: None,
        blobs,
    })
    .unwrap()
}

/// Options that keep at most `n` ids in memory per set.
fn small(n: usize, repair: bool) -> FsckOptions {
    FsckOptions {
        repair,
        ids_in_memory: n,
        ..FsckOptions::default()
    }
}

fn kinds(ps: &[Problem]) -> BTreeSet<String> {
    ps.iter()
        .map(|p| {
            let v = serde_json::to_value(p).unwrap();
            v["kind"].as_str().unwrap().to_owned()
        })
        .collect()
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|s| s.to_string()).collect()
}

/// Leftovers in both directions (things nobody names, references and
/// lookups naming what is gone) and counts that disagree.
fn leave_leftovers(s: &Store) -> Vec<Problem> {
    let gone = rid();
    let orphan_env = rid();
    s.envelopes.insert(orphan_env.as_bytes(), ct(b"x")).unwrap();
    let orphan_blob = rid();
    std::fs::write(s.blobs_dir().join(&orphan_blob), ct(b"x")).unwrap();
    std::fs::write(s.blobs_dir().join(".upload-left"), b"partial").unwrap();
    s.envelope_refs
        .insert(refs::key(&gone, 0), to_json(&"ref").unwrap())
        .unwrap();
    s.blob_refs
        .insert(refs::key(&gone, 1), refs::blob_value(&rid(), None).unwrap())
        .unwrap();
    let src = SourceRecord {
        report_id: gone.clone(),
        recipient: "age1source".into(),
        kdf: amanat_core::crypto::codename::KdfParams::default(),
    };
    s.sources.insert([7u8; 32], to_json(&src).unwrap()).unwrap();
    vec![
        Problem::OrphanEnvelope {
            envelope: orphan_env,
        },
        Problem::OrphanBlob { blob: orphan_blob },
        Problem::StaleUpload {
            file: ".upload-left".into(),
        },
        Problem::OrphanRef {
            report: gone.clone(),
        },
        Problem::OrphanRef {
            report: gone.clone(),
        },
        Problem::DanglingSource { report: gone },
    ]
}

/// Damage to four reports' envelopes and files, a file Amanat did not
/// write, and records that do not parse (none of them a report).
fn damage(s: &Store, metas: &[ReportMeta]) -> Vec<Problem> {
    let [a, b, c, d, ..] = metas else {
        panic!("four reports needed")
    };
    s.envelopes.remove(a.envelopes[0].id.as_bytes()).unwrap();
    s.envelopes
        .insert(b.envelopes[0].id.as_bytes(), b"not age".as_slice())
        .unwrap();
    std::fs::remove_file(s.blobs_dir().join(&c.blobs[0])).unwrap();
    std::fs::write(s.blobs_dir().join(&d.blobs[0]), b"not age").unwrap();
    std::fs::write(s.blobs_dir().join("notes.txt"), b"?").unwrap();
    s.reviewers.insert("bad", b"{".as_slice()).unwrap();
    s.sources.insert([8u8; 32], b"{".as_slice()).unwrap();
    let env = |m: &ReportMeta| (m.id.clone(), m.envelopes[0].id.clone());
    let file = |m: &ReportMeta| (m.id.clone(), m.blobs[0].clone());
    vec![
        Problem::MissingEnvelope {
            report: env(a).0,
            envelope: env(a).1,
        },
        Problem::BadEnvelope {
            report: env(b).0,
            envelope: env(b).1,
        },
        Problem::MissingBlob {
            report: file(c).0,
            blob: file(c).1,
        },
        Problem::BadBlob {
            report: file(d).0,
            blob: file(d).1,
        },
        Problem::UnknownFile {
            file: "notes.txt".into(),
        },
        Problem::BadReviewer { key: "bad".into() },
        Problem::BadSource,
    ]
}

fn sorted(mut v: Vec<Problem>) -> Vec<String> {
    v.sort_by_key(|p| p.to_string());
    v.iter().map(|p| p.to_string()).collect()
}

/// Runs the check, then the repair, then the check again, keeping at most
/// `n` ids in memory, and asserts what each finds.
fn check_and_repair(s: &Store, n: usize, damage: &[Problem], leftovers: &[Problem]) {
    let found = s.fsck_with(&small(n, false)).unwrap();
    let all: Vec<Problem> = damage.iter().chain(leftovers).cloned().collect();
    assert_eq!(sorted(found.problems.clone()), sorted(all), "{found}");
    assert!(
        found.ids_in_memory_peak <= n,
        "{}",
        found.ids_in_memory_peak
    );

    let repaired = s.fsck_with(&small(n, true)).unwrap();
    assert_eq!(sorted(repaired.repaired), sorted(leftovers.to_vec()));
    assert_eq!(sorted(repaired.problems), sorted(damage.to_vec()));
    let after = s.fsck_with(&small(n, false)).unwrap();
    assert_eq!(
        sorted(after.problems.clone()),
        sorted(damage.to_vec()),
        "{after}"
    );
    assert!(after.repaired.is_empty());
    assert_eq!(scratch_dirs(s), 0, "the scratch directory is removed");
}

fn scratch_dirs(s: &Store) -> usize {
    std::fs::read_dir(s.dir())
        .unwrap()
        .filter(|e| {
            let name = e.as_ref().unwrap().file_name();
            name.to_string_lossy().starts_with(".fsck-scratch-")
        })
        .count()
}

#[test]
fn schema_2_every_problem_kind_is_found_and_leftovers_repaired() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::create(dir.path()).unwrap();
    let metas: Vec<_> = (0..12).map(|i| report(&s, 1 + i % 2)).collect();
    assert!(s.fsck_with(&small(3, false)).unwrap().clean());
    let damaged = damage(&s, &metas);
    let mut leftovers = leave_leftovers(&s);
    // Counts that disagree (schema 2 keeps them).
    s.counts
        .insert(b"closed/high/unassigned", counts::encode(5))
        .unwrap();
    let found = s.fsck(false).unwrap();
    let counts: Vec<_> = found
        .problems
        .iter()
        .filter(|p| matches!(p, Problem::Counts { .. }))
        .cloned()
        .collect();
    assert_eq!(counts.len(), 1, "{found}");
    leftovers.extend(counts);
    check_and_repair(&s, 3, &damaged, &leftovers);
    let wanted = set(&[
        "missing_envelope",
        "bad_envelope",
        "missing_blob",
        "bad_blob",
        "unknown_file",
        "bad_reviewer",
        "bad_source",
        "orphan_envelope",
        "orphan_blob",
        "stale_upload",
        "orphan_ref",
        "dangling_source",
        "counts",
    ]);
    let seen: BTreeSet<String> = kinds(&damaged).union(&kinds(&leftovers)).cloned().collect();
    assert_eq!(seen, wanted);
    // Nothing a report names was removed.
    for m in &metas[4..] {
        assert!(s.envelope(&m.envelopes[0].id).unwrap().is_some());
        for b in &m.blobs {
            assert!(s.blobs_dir().join(b).is_file());
        }
    }
}

#[test]
fn schema_1_every_problem_kind_is_found_and_leftovers_repaired() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::create(dir.path()).unwrap();
    s.meta
        .insert("schema_version", &1u32.to_be_bytes())
        .unwrap();
    // Records as schema 1 wrote them: the lists inline.
    let mut metas = Vec::new();
    for i in 0..10 {
        let env = rid();
        s.envelopes.insert(env.as_bytes(), ct(b"r")).unwrap();
        let blobs: Vec<String> = (0..1 + i % 2)
            .map(|_| {
                let b = rid();
                std::fs::write(s.blobs_dir().join(&b), ct(b"p")).unwrap();
                b
            })
            .collect();
        let meta = ReportMeta {
            id: rid(),
            received: Day::from_days(20_000),
            state: amanat_core::model::State::New,
            urgency: Urgency::Standard,
            urgency_confirmed: false,
            anonymity: Anonymity::Confidential,
            assignee: None,
            envelopes: vec![EnvelopeRef {
                id: env,
                kind: EnvelopeKind::Report,
                recipients: vec!["age1x".into()],
                day: Day::from_days(20_000),
            }],
            source_recipient: None,
            blobs,
            closed_reason: None,
            state_changed: None,
            blob_recipients: Vec::new(),
        };
        s.reports
            .insert(meta.id.as_bytes(), serde_json::to_vec(&meta).unwrap())
            .unwrap();
        metas.push(meta);
    }
    let clean = s.fsck_with(&small(2, false)).unwrap();
    assert!(clean.clean(), "{clean}");
    assert_eq!(clean.schema_version, 1);
    let damaged = damage(&s, &metas);
    let leftovers = leave_leftovers(&s);
    check_and_repair(&s, 2, &damaged, &leftovers);
    assert_eq!(s.remove_orphan_blobs().unwrap(), 0, "fsck removed them");
}

/// A report that does not parse might name anything: nothing is called
/// an orphan, and the record itself is damage.
#[test]
fn a_report_that_does_not_parse_makes_nothing_an_orphan() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::create(dir.path()).unwrap();
    report(&s, 1);
    leave_leftovers(&s);
    let bad = rid();
    s.reports.insert(bad.as_bytes(), b"{".as_slice()).unwrap();
    let r = s.fsck_with(&small(1, true)).unwrap();
    assert_eq!(kinds(&r.problems), set(&["bad_report"]), "{r}");
    assert_eq!(kinds(&r.repaired), set(&["stale_upload"]));
}

/// The audit chain is read in batches: a chain longer than one batch
/// verifies, and a change in a later batch is found.
#[test]
fn the_audit_chain_is_verified_across_batches() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::create(dir.path()).unwrap();
    let mut last: Option<Entry> = None;
    for i in 0..(super::checks::AUDIT_BATCH * 2 + 5) {
        let ev = Event {
            actor: format!("r{i}"),
            action: Action::ReadReport,
            report: None,
            detail: None,
        };
        let e = Entry::next(last.as_ref(), ev, Day::from_days(20_000));
        s.audit
            .insert(e.seq.to_be_bytes(), to_json(&e).unwrap())
            .unwrap();
        last = Some(e);
    }
    let r = s.fsck(false).unwrap();
    assert!(r.clean(), "{r}");
    assert_eq!(r.audit_entries, super::checks::AUDIT_BATCH * 2 + 5);
    let seq = super::checks::AUDIT_BATCH as u64 + 7;
    let mut e: Entry =
        from_json("audit", &s.audit.get(seq.to_be_bytes()).unwrap().unwrap()).unwrap();
    e.event.actor = "someone else".into();
    s.audit
        .insert(seq.to_be_bytes(), to_json(&e).unwrap())
        .unwrap();
    let r = s.fsck(false).unwrap();
    assert!(
        matches!(&r.problems[..], [Problem::Audit { detail }] if detail.contains(&format!("entry {seq}"))),
        "{r}"
    );
    s.audit.remove((seq + 1).to_be_bytes()).unwrap();
    assert!(!s.fsck(false).unwrap().clean(), "a gap is found too");
}

/// The memory bound, by count: a store of 5×N reports (each naming two
/// attachment files) is checked with at most N ids in memory per set,
/// finds the same as with everything in memory, and never holds more.
#[test]
fn memory_stays_bounded_by_the_set_size_not_the_store() {
    const N: usize = 8;
    let dir = tempfile::tempdir().unwrap();
    let s = Store::create(dir.path()).unwrap();
    for _ in 0..5 * N {
        report(&s, 2);
    }
    let leftovers = leave_leftovers(&s);
    let bounded = s.fsck_with(&small(N, false)).unwrap();
    assert_eq!(bounded.reports, 5 * N);
    assert_eq!(bounded.blobs, 10 * N + 1);
    assert!(
        bounded.ids_in_memory_peak <= N,
        "{}",
        bounded.ids_in_memory_peak
    );
    assert_eq!(bounded.ids_in_memory_peak, N, "the sets did fill up");
    let whole: FsckReport = s.fsck_with(&small(usize::MAX, false)).unwrap();
    assert_eq!(
        whole.ids_in_memory_peak,
        10 * N + 1,
        "all attachment ids at once"
    );
    assert_eq!(sorted(bounded.problems.clone()), sorted(whole.problems));
    assert_eq!(sorted(bounded.problems), sorted(leftovers));
}

/// The external sort itself: more runs than one merge opens at once,
/// duplicates across runs, every id once and in order, never more than
/// the run length in memory.
#[test]
fn sorted_sets_merge_many_runs_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let scratch = Scratch::new(dir.path(), 3).unwrap();
    let mut all = scratch.set();
    let mut some = scratch.set();
    let mut want = BTreeSet::new();
    for i in 0..(FAN_IN * 3 * 3) {
        let id = format!("{:08}", (i * 7919) % 1000);
        all.push(id.as_bytes()).unwrap();
        if i % 2 == 0 {
            some.push(id.as_bytes()).unwrap();
        }
        want.insert(id.into_bytes());
    }
    assert!(all.runs() > FAN_IN, "{}", all.runs());
    assert_eq!(all.peak(), 3);
    let got: Vec<Vec<u8>> = all.sorted().unwrap().map(Result::unwrap).collect();
    assert_eq!(got, want.iter().cloned().collect::<Vec<_>>());

    let mut all = scratch.set();
    for id in &want {
        all.push(id).unwrap();
    }
    let mut missing = Vec::new();
    missing_from(all.sorted().unwrap(), some.sorted().unwrap(), |id| {
        missing.push(id);
        Ok(())
    })
    .unwrap();
    let named: BTreeSet<Vec<u8>> = (0..(FAN_IN * 9))
        .step_by(2)
        .map(|i| format!("{:08}", (i * 7919) % 1000).into_bytes())
        .collect();
    let expected: Vec<Vec<u8>> = want.difference(&named).cloned().collect();
    assert_eq!(missing, expected);
    let scratch_path = dir
        .path()
        .read_dir()
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    drop(scratch);
    assert!(!scratch_path.exists(), "removed with the check");
}

/// At start-up, attachment files no report names are removed; named ones,
/// inline (schema 1) or referenced, stay.
#[test]
fn orphan_attachment_files_are_removed_at_start_up() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::create(dir.path()).unwrap();
    let kept = report(&s, 2);
    let inline = rid();
    std::fs::write(s.blobs_dir().join(&inline), ct(b"p")).unwrap();
    // A schema 1 record (its lists inline) naming it.
    let mut legacy = s.report(&kept.id).unwrap().unwrap();
    legacy.id = rid();
    legacy.blobs = vec![inline.clone()];
    s.reports
        .insert(legacy.id.as_bytes(), to_json(&legacy).unwrap())
        .unwrap();
    let orphans: Vec<String> = (0..3).map(|_| blob(&s)).collect();
    // What a killed fsck leaves.
    let stale = s.dir().join(".fsck-scratch-killed");
    std::fs::create_dir(&stale).unwrap();
    std::fs::write(stale.join("run-0"), b"ids").unwrap();
    assert_eq!(scratch_dirs(&s), 1);
    assert_eq!(s.remove_orphan_blobs().unwrap(), 3);
    for b in &orphans {
        assert!(!s.blobs_dir().join(b).exists());
    }
    for b in kept.blobs.iter().chain([&inline]) {
        assert!(s.blobs_dir().join(b).is_file(), "{b}");
    }
    assert_eq!(scratch_dirs(&s), 0);
}

#[test]
fn derived_trees_that_disagree_are_found_and_rebuilt() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::create(dir.path()).unwrap();
    let metas: Vec<_> = (0..6).map(|i| report(&s, i % 2)).collect();
    assert!(s.fsck(false).unwrap().clean());
    let heads = s.report_heads().unwrap();
    // One report's place lost, a stray place, and a wrong re-keying count.
    let lost = s.report_head(&metas[2].id).unwrap().unwrap();
    s.order.remove(order::key_of(&lost)).unwrap();
    let mut stray = lost.clone();
    stray.id = rid();
    s.order
        .insert(
            order::key_of(&stray),
            to_json(&order::Listed {
                head: stray,
                sealing: None,
            })
            .unwrap(),
        )
        .unwrap();
    s.sealing_counts.insert(b"none", counts::encode(3)).unwrap();
    let found = s.fsck(false).unwrap();
    let derived: Vec<_> = found
        .problems
        .iter()
        .filter(|p| matches!(p, Problem::Derived { .. }))
        .collect();
    assert_eq!(derived.len(), 1, "{found}");
    assert!(
        derived[0].to_string().contains(&metas[2].id),
        "names the report: {found}"
    );
    assert!(derived[0].repairable());
    let repaired = s.fsck(true).unwrap();
    assert_eq!(repaired.repaired.len(), 1, "{repaired}");
    assert!(s.fsck(false).unwrap().clean());
    assert_eq!(s.report_heads().unwrap(), heads);
    assert_eq!(s.derived_problems().unwrap(), Vec::<String>::new());
}
