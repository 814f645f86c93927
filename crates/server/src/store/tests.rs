//! Unit tests of the store: real sled in a temporary directory.

use super::*;
use amanat_core::crypto::codename::KdfParams;
use amanat_core::model::{Anonymity, Urgency};
use amanat_core::model::{Role, State};
use amanat_core::timeutil::Day;

fn new_report(text: &[u8]) -> NewReport {
    NewReport {
        anonymity: Anonymity::Confidential,
        urgency: Urgency::Standard,
        envelopes: vec![NewEnvelope {
            kind: EnvelopeKind::Report,
            ciphertext: text.to_vec(),
            recipients: vec!["age1example".into()],
        }],
        source: None,
        blobs: Vec::new(),
    }
}

#[test]
fn sources_messages_and_reply_deletion() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::create(dir.path()).unwrap();
    let mut r = new_report(b"c");
    let kdf = KdfParams::default();
    r.source = Some(NewSource {
        lookup: [9u8; 32],
        recipient: "age1source".into(),
        kdf,
    });
    let meta = s.insert_report(r).unwrap();
    assert_eq!(meta.source_recipient.as_deref(), Some("age1source"));
    let src = s.source(&[9u8; 32]).unwrap().unwrap();
    assert_eq!(src.report_id, meta.id);
    assert!(s.source(&[8u8; 32]).unwrap().is_none());
    assert_eq!(s.kdf_param_sets().unwrap(), vec![kdf]);

    let reply = s
        .append_envelope(
            &meta.id,
            NewEnvelope {
                kind: EnvelopeKind::Reply,
                ciphertext: b"reply".to_vec(),
                recipients: vec![],
            },
        )
        .unwrap();
    assert_eq!(s.report(&meta.id).unwrap().unwrap().envelopes.len(), 2);
    assert!(
        matches!(
            s.delete_envelope(&meta.id, &meta.envelopes[0].id, EnvelopeKind::Reply),
            Err(StoreError::NotFound)
        ),
        "only replies can be deleted this way"
    );
    s.delete_envelope(&meta.id, &reply.id, EnvelopeKind::Reply)
        .unwrap();
    assert!(s.envelope(&reply.id).unwrap().is_none(), "really deleted");
    assert_eq!(s.report(&meta.id).unwrap().unwrap().envelopes.len(), 1);
    assert!(matches!(
        s.append_envelope(
            "nope",
            NewEnvelope {
                kind: EnvelopeKind::Message,
                ciphertext: vec![],
                recipients: vec![]
            }
        ),
        Err(StoreError::NotFound)
    ));
}

/// The listing index, once built, must always equal a fresh parse of
/// the `reports` tree, through every kind of write, from many threads.
#[test]
fn listing_index_follows_every_write() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::create(dir.path()).unwrap();
    let fresh = |s: &Store| -> Vec<ReportHead> {
        let mut v: Vec<ReportHead> = s
            .reports
            .iter()
            .map(|i| from_json("reports", &i.unwrap().1).unwrap())
            .collect();
        v.sort_by_key(SortKey::of);
        assert_eq!(s.derived_problems().unwrap(), Vec::<String>::new());
        v
    };
    let a = s.insert_report(new_report(b"a")).unwrap();
    assert_eq!(s.report_heads().unwrap(), fresh(&s), "built");
    let b = s.insert_report(new_report(b"b")).unwrap();
    assert_eq!(s.report_heads().unwrap(), fresh(&s), "insert");
    s.update_report(
        &a.id,
        State::New,
        |m| {
            m.state = State::Acknowledged;
            m.urgency = Urgency::Critical;
            m.assignee = Some("rev".into());
        },
        None,
    )
    .unwrap();
    let heads = s.report_heads().unwrap();
    assert_eq!(heads, fresh(&s), "update");
    let ha = heads.iter().find(|h| h.id == a.id).unwrap();
    assert_eq!(
        (ha.state, ha.urgency, ha.assignee.as_deref()),
        (State::Acknowledged, Urgency::Critical, Some("rev"))
    );
    let msg = NewEnvelope {
        kind: EnvelopeKind::Reply,
        ciphertext: b"r".to_vec(),
        recipients: vec![],
    };
    let reply = s.append_envelope(&b.id, msg).unwrap();
    s.delete_envelope(&b.id, &reply.id, EnvelopeKind::Reply)
        .unwrap();
    assert_eq!(s.report_heads().unwrap(), fresh(&s), "envelopes");
    // A refused update changes nothing.
    assert!(
        s.update_report(&b.id, State::Closed, |m| m.urgency = Urgency::High, None)
            .is_err()
    );
    assert_eq!(s.report_heads().unwrap(), fresh(&s), "refused update");
    s.purge(&a.id).unwrap();
    assert_eq!(s.report_heads().unwrap(), fresh(&s), "purge");
    assert_eq!(s.report_heads().unwrap().len(), 1);

    // Concurrent writers to the same reports end with the newest record.
    let ids: Vec<String> = (0..4)
        .map(|_| s.insert_report(new_report(b"c")).unwrap().id)
        .collect();
    std::thread::scope(|scope| {
        for t in 0..4 {
            let (s, ids) = (&s, &ids);
            scope.spawn(move || {
                for i in 0..50 {
                    let id = &ids[(t + i) % ids.len()];
                    let to = [Urgency::Critical, Urgency::High, Urgency::Standard][i % 3];
                    let _ = s.update_report(id, State::New, |m| m.urgency = to, None);
                    let _ = s.report_heads().unwrap();
                }
            });
        }
    });
    assert_eq!(s.report_heads().unwrap(), fresh(&s), "concurrent");
}

#[test]
fn create_open_and_lock() {
    let dir = tempfile::tempdir().unwrap();
    assert!(matches!(
        Store::open(dir.path()),
        Err(StoreError::Missing(_))
    ));
    let s = Store::create(dir.path()).unwrap();
    assert_eq!(s.instance_salt().unwrap().len(), 32);
    assert!(matches!(
        Store::create(dir.path()),
        Err(StoreError::Exists(_))
    ));
    let err = Store::open(dir.path()).err().unwrap();
    assert!(matches!(err, StoreError::Locked(_)), "{err}");
    assert!(err.to_string().contains("amanatd running"));
    drop(s);
    Store::open(dir.path()).unwrap();
}

#[test]
fn concurrent_writes_share_sync_rounds_and_each_is_durable_on_return() {
    let dir = tempfile::tempdir().unwrap();
    let store = std::sync::Arc::new(Store::create(dir.path()).unwrap());
    let before = store.sync_rounds();
    let (writers, each) = (16, 10);
    let threads: Vec<_> = (0..writers)
        .map(|w| {
            let store = store.clone();
            std::thread::spawn(move || {
                for i in 0..each {
                    let text = format!("report {w}-{i}");
                    store.insert_report(new_report(text.as_bytes())).unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let rounds = store.sync_rounds() - before;
    assert_eq!(store.report_count(), writers * each);
    assert!(rounds >= 1, "no sync round ran");
    assert!(
        rounds < (writers * each) as u64,
        "{rounds} rounds for {} writes: none shared",
        writers * each
    );
}

#[test]
fn values_sled_keeps_in_files_of_their_own_are_fsynced_too() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::create(dir.path()).unwrap();
    // Larger than a quarter of sled's 512 KiB segment: its own file.
    let big = vec![7u8; 300 << 10];
    let meta = store.insert_report(new_report(&big)).unwrap();
    let on_disk: Vec<_> = std::fs::read_dir(dir.path().join(DB_DIR).join(SLED_VALUES_DIR))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(!on_disk.is_empty(), "sled wrote no value file");
    let synced = store.synced_values.lock().unwrap().clone();
    for name in &on_disk {
        assert!(synced.contains(name), "{name:?} was not fsynced");
    }
    let envelope = store.envelope(&meta.envelopes[0].id).unwrap().unwrap();
    assert_eq!(envelope, big);
}

#[test]
fn reports_survive_reopen_with_their_envelopes() {
    let dir = tempfile::tempdir().unwrap();
    let id = {
        let s = Store::create(dir.path()).unwrap();
        s.insert_report(new_report(b"ciphertext")).unwrap().id
    };
    let s = Store::open(dir.path()).unwrap();
    let meta = s.report(&id).unwrap().unwrap();
    assert_eq!(meta.state, State::New);
    assert_eq!(meta.received, Day::today());
    assert_eq!(meta.envelopes.len(), 1);
    assert_eq!(meta.envelopes[0].recipients, vec!["age1example"]);
    assert_eq!(
        s.envelope(&meta.envelopes[0].id).unwrap().unwrap(),
        b"ciphertext"
    );
    assert_eq!(s.reports().unwrap().len(), 1);
    assert!(s.report("nope").unwrap().is_none());
}

#[test]
fn reviewers_are_unique() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::create(dir.path()).unwrap();
    let add = |name: &str, rec: &str| {
        s.add_reviewer(NewReviewer {
            name: name.into(),
            recipient: rec.into(),
            roles: vec![Role::Triage],
        })
    };
    let a = add("ana", "age1a").unwrap();
    assert!(matches!(add("ana", "age1b"), Err(StoreError::Conflict(_))));
    assert!(matches!(add("bo", "age1a"), Err(StoreError::Conflict(_))));
    add("bo", "age1b").unwrap();
    assert_eq!(
        s.recipients_with_role(Role::Triage).unwrap(),
        vec!["age1a", "age1b"]
    );
    assert!(s.recipients_with_role(Role::Admin).unwrap().is_empty());
    assert_eq!(s.remove_reviewer("ana").unwrap().id, a.id);
    assert!(matches!(
        s.remove_reviewer("ana"),
        Err(StoreError::NotFound)
    ));
}

/// The kept queue counts follow every write, `fsck` notices when they
/// disagree with the reports, and `--repair` rewrites them.
#[test]
fn queue_counts_follow_writes_and_fsck_repairs_them() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::create(dir.path()).unwrap();
    let a = s.insert_report(new_report(b"a")).unwrap();
    let b = s.insert_report(new_report(b"b")).unwrap();
    s.insert_report(new_report(b"c")).unwrap();
    s.update_report(
        &a.id,
        State::New,
        |m| {
            m.state = State::Acknowledged;
            m.urgency = Urgency::Critical;
        },
        None,
    )
    .unwrap();
    s.update_report(&b.id, State::New, |m| m.assignee = Some("r".into()), None)
        .unwrap();
    let counts = s.queue_counts().unwrap();
    let find = |st: State, u: Urgency, assigned: bool| {
        counts
            .iter()
            .find(|c| (c.state, c.urgency, c.assigned) == (st, u, assigned))
            .map(|c| c.reports)
    };
    assert_eq!(find(State::Acknowledged, Urgency::Critical, false), Some(1));
    assert_eq!(find(State::New, Urgency::Standard, true), Some(1));
    assert_eq!(find(State::New, Urgency::Standard, false), Some(1));
    assert_eq!(counts.len(), 3, "{counts:?}");
    assert_eq!(
        s.state_counts().unwrap(),
        vec![(State::New, 2), (State::Acknowledged, 1)]
    );
    s.purge(&a.id).unwrap();
    assert_eq!(s.report_count(), 2);
    // (These envelopes are not age ciphertext: only count problems matter.)
    let count_problems = |s: &Store, repair: bool| -> Vec<Problem> {
        let r = s.fsck(repair).unwrap();
        r.problems
            .into_iter()
            .chain(r.repaired)
            .filter(|p| matches!(p, Problem::Counts { .. }))
            .collect()
    };
    assert!(count_problems(&s, false).is_empty());

    // A counter that disagrees: reported, and rewritten by a repair.
    s.counts
        .insert(
            counts::key(State::Closed, Urgency::High, false),
            counts::encode(5),
        )
        .unwrap();
    let found = count_problems(&s, false);
    assert!(
        matches!(&found[..], [Problem::Counts { detail }] if detail.contains("closed/high/unassigned: stored 5, counted 0")),
        "{found:?}"
    );
    assert!(found[0].repairable());
    assert_eq!(count_problems(&s, true).len(), 1, "repaired");
    assert_eq!(s.report_count(), 2);
    assert!(count_problems(&s, false).is_empty());
}

/// Pages follow the queue order, filters apply before the limit, and a
/// cursor resumes exactly after the last report of a page.
#[test]
fn pages_walk_the_queue_in_order_with_filters() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::create(dir.path()).unwrap();
    for i in 0..25 {
        let mut r = new_report(b"x");
        r.urgency = Urgency::ALL[i % 4];
        s.insert_report(r).unwrap();
    }
    let all: Vec<SortKey> = s.report_heads().unwrap().iter().map(SortKey::of).collect();
    let mut sorted = all.clone();
    sorted.sort();
    assert_eq!(all, sorted, "queue order");
    let mut walked = Vec::new();
    let mut q = PageQuery::all(10);
    loop {
        let page = s.page(&q, |l| Ok(SortKey::of(&l.head))).unwrap();
        assert!(page.items.len() <= 10);
        walked.extend(page.items);
        match page.next {
            Some(k) => q.after = Some(SortKey::from_cursor(&k.to_cursor()).unwrap()),
            None => break,
        }
    }
    assert_eq!(walked, all, "every report once, in order");
    // 25 reports, urgencies round robin: 6 or 7 of each.
    let mut q = PageQuery::all(4);
    q.urgency = vec![Urgency::High];
    let first = s.page(&q, |l| Ok(l.head.urgency)).unwrap();
    assert_eq!(first.items, vec![Urgency::High; 4]);
    q.after = first.next;
    let second = s.page(&q, |l| Ok(l.head.urgency)).unwrap();
    assert_eq!(second.items.len(), 2);
    assert_eq!(second.next, None, "no empty last page");
}

/// The overdue filter skips the rest of an urgency at its first report that
/// is not overdue, and finds exactly what a filter of every report finds,
/// a page at a time, whatever the urgencies, days and states.
#[test]
fn overdue_pages_find_what_a_full_filter_finds() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::create(dir.path()).unwrap();
    let today = Day::today();
    for i in 0..60i64 {
        let mut r = new_report(b"x");
        r.urgency = Urgency::ALL[(i % 4) as usize];
        let id = s.insert_report(r).unwrap().id;
        let state = if i % 5 == 0 {
            State::Acknowledged
        } else {
            State::New
        };
        s.update_report(
            &id,
            State::New,
            |m| {
                m.received = Day::from_days(today.days() - (i % 12));
                m.state = state;
            },
            None,
        )
        .unwrap();
    }
    let expected: Vec<SortKey> = s
        .report_heads()
        .unwrap()
        .iter()
        .filter(|h| amanat_core::model::triage::overdue(h.urgency, h.state, h.received, today))
        .map(SortKey::of)
        .collect();
    assert!(expected.len() > 10, "{}", expected.len());
    for limit in [1, 3, 100] {
        let mut q = PageQuery::all(limit);
        q.overdue_on = Some(today);
        let mut walked = Vec::new();
        loop {
            let page = s.page(&q, |l| Ok(SortKey::of(&l.head))).unwrap();
            walked.extend(page.items);
            match page.next {
                Some(k) => q.after = Some(k),
                None => break,
            }
        }
        assert_eq!(walked, expected, "pages of {limit}");
    }
}
