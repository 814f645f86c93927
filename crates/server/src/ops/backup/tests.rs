//! Backup and restore on real stores (sled on disk, real files): the round
//! trip, every kind of damage, refusals, and that encoder and decoder hold
//! no more than a bounded amount of the stream at any time.

use super::*;
use crate::ops::archive::{CHUNK, Encoder, MAGIC, is_expected_file};
use crate::store::{EnvelopeKind, NewEnvelope, NewReport, StoreError, TreeSink};
use amanat_core::model::{Anonymity, Urgency};
use std::cell::Cell;
use std::io::{Read, Write};
use std::rc::Rc;

fn report(blobs: Vec<String>) -> NewReport {
    NewReport {
        source: None,
        blobs,
        anonymity: Anonymity::Anonymous,
        urgency: Urgency::High,
        envelopes: vec![NewEnvelope {
            kind: EnvelopeKind::Report,
            ciphertext: b"sealed".to_vec(),
            recipients: vec!["age1x".into()],
        }],
    }
}

/// A store with one report that has an attachment, and a config file.
fn store_with_report() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::create(dir.path()).unwrap();
    let mut staged = tempfile::Builder::new()
        .prefix(".upload-")
        .tempfile_in(s.blobs_dir())
        .unwrap();
    staged.write_all(b"sealed blob").unwrap();
    let blobs = s.commit_blobs(vec![staged]).unwrap();
    s.insert_report(report(blobs)).unwrap();
    std::fs::write(dir.path().join("amanat.toml"), "# cfg\n").unwrap();
    (dir, s)
}

fn backup_bytes(s: &Store) -> Vec<u8> {
    let mut out = Vec::new();
    let w = write_store(s, &mut out).unwrap();
    assert_eq!(w.bytes, out.len() as u64);
    out
}

/// Files of a backup as (name, contents).
type Files = Vec<(String, Vec<u8>)>;

/// Verifies `bytes` as a backup file; returns the report count and files.
fn verify_bytes(bytes: &[u8]) -> Result<(usize, Files), OpsError> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("b.amanat");
    std::fs::write(&path, bytes).unwrap();
    let mut files = Vec::new();
    let summary = verify_file(&path, dir.path(), &mut |name, _, r| {
        let mut v = Vec::new();
        r.read_to_end(&mut v).unwrap();
        files.push((name.to_string(), v));
        Ok(())
    })?;
    Ok((summary.reports, files))
}

/// A backup of `s` without the tree `tree`.
fn backup_without(s: &Store, tree: &str) -> Vec<u8> {
    let mut bytes = Vec::new();
    {
        let mut enc = Without(tree, Encoder::new(&mut bytes));
        s.export(&mut enc).unwrap();
        enc.1.finish().unwrap();
    }
    bytes
}

/// Passes a store's entries on, leaving out one tree.
struct Without<'a, S>(&'a str, S);

impl<S: TreeSink> TreeSink for Without<'_, S> {
    type Error = S::Error;
    fn begin(&mut self, schema: u32) -> Result<(), S::Error> {
        self.1.begin(schema)
    }
    fn entry(&mut self, tree: &[u8], key: &[u8], value: &[u8]) -> Result<(), S::Error> {
        match tree == self.0.as_bytes() {
            true => Ok(()),
            false => self.1.entry(tree, key, value),
        }
    }
}

#[test]
fn round_trip_with_an_attachment() {
    let (dir, s) = store_with_report();
    let blob = s.reports().unwrap().pop().unwrap().blobs[0].clone();
    let file = dir.path().join("b.amanat");
    let summary = write_verified(&file, |f| write_store(&s, f).map(drop)).unwrap();
    assert_eq!(summary.reports, 1);
    let mode = std::os::unix::fs::PermissionsExt::mode(&file.metadata().unwrap().permissions());
    assert_eq!(mode & 0o777, 0o600);
    let (reports, files) = verify_bytes(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(reports, 1);
    assert_eq!(
        files,
        vec![
            ("amanat.toml".to_string(), b"# cfg\n".to_vec()),
            (format!("blobs/{blob}"), b"sealed blob".to_vec()),
        ]
    );
    let target = tempfile::tempdir().unwrap();
    let new = target.path().join("restored");
    assert_eq!(restore(&file, &new, &[]).unwrap().reports, 1);
    let r = Store::open(&new).unwrap();
    let meta = r.reports().unwrap().pop().unwrap();
    assert_eq!(meta.blobs, vec![blob.clone()]);
    assert_eq!(
        std::fs::read(new.join("blobs").join(&blob)).unwrap(),
        b"sealed blob"
    );
    assert_eq!(
        r.envelope(&meta.envelopes[0].id).unwrap().unwrap(),
        b"sealed"
    );
    // The contents here are not real age files, which fsck notes: the same
    // in both stores (tests/it/upkeep.rs restores real ones to a clean fsck).
    let (was, is) = (s.fsck(false).unwrap(), r.fsck(false).unwrap());
    assert_eq!(format!("{:?}", was.problems), format!("{:?}", is.problems));
    assert_eq!((was.reports, was.blobs), (is.reports, is.blobs));
    assert_eq!(s.snapshot().unwrap(), r.snapshot().unwrap());
}

#[test]
fn restore_refuses_an_existing_store_and_leaves_it_alone() {
    let (dir, s) = store_with_report();
    let file = dir.path().join("b.amanat");
    write_verified(&file, |f| write_store(&s, f).map(drop)).unwrap();
    let target = tempfile::tempdir().unwrap();
    let new = target.path().join("restored");
    restore(&file, &new, &[]).unwrap();
    let before = Store::open(&new).unwrap().snapshot().unwrap();
    let e = restore(&file, &new, &[]).unwrap_err().to_string();
    assert!(e.contains("already holds an Amanat store"), "{e}");
    assert_eq!(Store::open(&new).unwrap().snapshot().unwrap(), before);
    // A backup never overwrites a file either.
    let e = write_verified(&file, |f| write_store(&s, f).map(drop))
        .unwrap_err()
        .to_string();
    assert!(e.contains("exists"), "{e}");
}

#[test]
fn every_damaged_or_truncated_byte_is_refused() {
    let (_dir, s) = store_with_report();
    let bytes = backup_bytes(&s);
    assert!(verify_bytes(&bytes).is_ok());
    let sum_at = bytes.len() - 32;
    // Every position: header, records, record count and checksum.
    for at in 0..bytes.len() {
        let mut damaged = bytes.clone();
        damaged[at] ^= 0x20;
        let e = verify_bytes(&damaged).unwrap_err().to_string();
        let want = match at {
            _ if at < MAGIC.len() => "header",
            _ if at < MAGIC.len() + 4 => "format version",
            _ => "checksum",
        };
        assert!(e.contains(want), "byte {at} of {sum_at}+32: {e}");
    }
    for n in 0..bytes.len() {
        assert!(verify_bytes(&bytes[..n]).is_err(), "truncated at {n}");
    }
    let mut longer = bytes.clone();
    longer.push(0);
    assert!(verify_bytes(&longer).is_err());
    // Nothing is restored from a damaged file, and no directory is left.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("b.amanat");
    std::fs::write(&file, &bytes[..bytes.len() - 1]).unwrap();
    let new = dir.path().join("restored");
    assert!(restore(&file, &new, &[]).is_err());
    assert!(!new.exists());
}

#[test]
fn another_format_version_is_refused_by_name() {
    let (_dir, s) = store_with_report();
    let mut v2 = backup_bytes(&s);
    v2[MAGIC.len() + 3] = 2;
    let e = verify_bytes(&v2).unwrap_err().to_string();
    assert!(e.contains("format version 2"), "{e}");
}

#[test]
fn only_expected_file_names_are_accepted() {
    assert!(is_expected_file("amanat.toml"));
    assert!(is_expected_file("blobs/ABC234"));
    for bad in [
        "../x",
        "/etc/passwd",
        "blobs/../x",
        "blobs/a/b",
        "blobs/",
        "other",
        "blobs",
    ] {
        assert!(!is_expected_file(bad), "{bad}");
    }
}

#[test]
fn a_report_without_its_envelope_is_refused() {
    let bytes = backup_without(&store_with_report().1, "envelopes");
    let e = verify_bytes(&bytes).unwrap_err().to_string();
    assert!(e.contains("lacks its envelope"), "{e}");
}

#[test]
fn entries_out_of_order_are_refused() {
    let mut bytes = Vec::new();
    let mut enc = Encoder::new(&mut bytes);
    enc.begin(2).unwrap();
    enc.entry(b"meta", b"b", b"").unwrap();
    enc.entry(b"meta", b"a", b"").unwrap();
    enc.finish().unwrap();
    let e = verify_bytes(&bytes).unwrap_err().to_string();
    assert!(e.contains("not in store order"), "{e}");
}

#[test]
fn a_store_without_its_schema_is_refused() {
    let bytes = backup_without(&store_with_report().1, "meta");
    let e = verify_bytes(&bytes).unwrap_err();
    assert!(
        matches!(e, OpsError::Store(StoreError::Schema { found: 0, .. })),
        "{e}"
    );
}

// ----- Bounded memory: what goes in comes out within a bounded lag. -----

/// The most of the stream that encoder or decoder may hold at once: its
/// buffer, a copy buffer and one record. Collecting a tree or a file (MiBs
/// here) fails the tests below.
const LAG: u64 = (CHUNK as u64) + (16 << 10);
const HEADER: u64 = MAGIC.len() as u64 + 8;

/// The encoded size of one tree entry.
fn entry_len(tree: &[u8], key: &[u8], value: &[u8]) -> u64 {
    (1 + 2 + 4 + 4 + tree.len() + key.len() + value.len()) as u64
}

/// A writer that counts what reached it and its largest single write.
struct Recorder {
    written: Rc<Cell<u64>>,
    largest: usize,
}

impl Write for &mut Recorder {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.written.set(self.written.get() + buf.len() as u64);
        self.largest = self.largest.max(buf.len());
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A file of `left` bytes, made up as it is read, that checks on every read
/// that all it gave out but `LAG` bytes has reached the output.
struct Generated {
    left: u64,
    given: u64,
    before: u64,
    written: Rc<Cell<u64>>,
}

impl Read for Generated {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let out = self.written.get() - self.before;
        assert!(
            self.given <= out + LAG,
            "the encoder holds {} bytes of a file",
            self.given - out
        );
        let n = buf.len().min(self.left as usize);
        buf[..n].fill(0x5a);
        self.left -= n as u64;
        self.given += n as u64;
        Ok(n)
    }
}

#[test]
fn the_encoder_passes_everything_on_within_a_bounded_lag() {
    let written = Rc::new(Cell::new(0));
    let mut rec = Recorder {
        written: written.clone(),
        largest: 0,
    };
    let mut enc = Encoder::new(&mut rec);
    enc.begin(2).unwrap();
    let mut fed = HEADER;
    let value = [7u8; 1024];
    for i in 0..20_000u32 {
        let key = i.to_be_bytes();
        enc.entry(b"envelopes", &key, &value).unwrap();
        fed += entry_len(b"envelopes", &key, &value);
        assert!(fed <= written.get() + LAG, "entry {i}: {fed} fed");
    }
    let len = 16 << 20;
    let before = written.get();
    let file = Generated {
        left: len,
        given: 0,
        before,
        written: written.clone(),
    };
    enc.file("blobs/X", len, file).unwrap();
    let total = enc.finish().unwrap();
    assert_eq!(total, written.get());
    assert!(total > 32 << 20);
    assert!(rec.largest <= CHUNK, "largest write {}", rec.largest);
}

/// Gives one byte per read and counts what it gave.
struct OneByte<'a> {
    data: &'a [u8],
    pos: Rc<Cell<u64>>,
}

impl Read for OneByte<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let at = self.pos.get() as usize;
        match (self.data.get(at), buf.first_mut()) {
            (Some(b), Some(slot)) => {
                *slot = *b;
                self.pos.set(at as u64 + 1);
                Ok(1)
            }
            _ => Ok(0),
        }
    }
}

/// Checks that the decoder read no more than `LAG` bytes beyond each
/// entry it hands on.
struct Lagging {
    pos: Rc<Cell<u64>>,
    delivered: u64,
    entries: u64,
}

impl TreeSink for Lagging {
    type Error = OpsError;
    fn begin(&mut self, _schema: u32) -> Result<(), OpsError> {
        self.delivered = HEADER;
        Ok(())
    }
    fn entry(&mut self, tree: &[u8], key: &[u8], value: &[u8]) -> Result<(), OpsError> {
        self.delivered += entry_len(tree, key, value);
        self.entries += 1;
        assert!(self.pos.get() <= self.delivered + LAG, "read ahead");
        Ok(())
    }
}

#[test]
fn the_decoder_reads_one_byte_at_a_time_within_a_bounded_lag() {
    let mut bytes = Vec::new();
    let mut enc = Encoder::new(&mut bytes);
    enc.begin(2).unwrap();
    for i in 0..4_000u32 {
        enc.entry(b"envelopes", &i.to_be_bytes(), &[1u8; 512])
            .unwrap();
    }
    let len: u64 = 2 << 20;
    enc.file("blobs/X", len, std::io::repeat(3).take(len))
        .unwrap();
    enc.finish().unwrap();
    let pos = Rc::new(Cell::new(0));
    let mut sink = Lagging {
        pos: pos.clone(),
        delivered: 0,
        entries: 0,
    };
    let reader = OneByte {
        data: &bytes,
        pos: pos.clone(),
    };
    let mut got = 0u64;
    let decoded = crate::ops::archive::Decoder::new(reader)
        .unwrap()
        .read_into(&mut sink, &mut |name, n, r| {
            assert_eq!((name, n), ("blobs/X", len));
            let start = pos.get();
            let mut piece = [0u8; 4096];
            loop {
                let k = r.read(&mut piece).unwrap();
                if k == 0 {
                    break;
                }
                assert!(piece[..k].iter().all(|b| *b == 3));
                got += k as u64;
                assert!(pos.get() - start <= got + LAG, "read ahead in a file");
            }
            Ok(())
        })
        .unwrap();
    assert_eq!(got, len);
    assert_eq!(sink.entries, 4_000);
    assert_eq!(decoded.records, 4_001);
    assert_eq!(decoded.bytes, bytes.len() as u64);
}

#[test]
fn a_restore_that_fails_while_writing_says_what_to_clean_up() {
    let (_dir, s) = store_with_report();
    let mut bytes = Vec::new();
    {
        // The same attachment twice: it passes every check before writing,
        // and the second copy finds the first in place.
        let mut enc = Encoder::new(&mut bytes);
        s.export(&mut enc).unwrap();
        for _ in 0..2 {
            enc.file("blobs/TWICE", 3, &b"abc"[..]).unwrap();
        }
        enc.finish().unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("b.amanat");
    std::fs::write(&file, &bytes).unwrap();
    let new = dir.path().join("restored");
    let e = restore(&file, &new, &[]).unwrap_err().to_string();
    assert!(
        e.contains("stopped part way") && e.contains("remove that directory"),
        "{e}"
    );
    assert_eq!(std::fs::read(new.join("blobs/TWICE")).unwrap(), b"abc");
}

#[test]
fn damage_behind_a_recomputed_checksum_is_refused_or_harmless_never_a_panic() {
    use sha2::Digest;
    let (_dir, s) = store_with_report();
    let bytes = backup_bytes(&s);
    let body = bytes.len() - 32;
    // Past the header (whose damage is named above), every byte changed
    // and the checksum made to match: what the parser alone must survive.
    for at in MAGIC.len() + 8..body {
        let mut damaged = bytes.clone();
        damaged[at] ^= 0xff;
        let sum = sha2::Sha256::digest(&damaged[..body]);
        damaged[body..].copy_from_slice(&sum);
        if let Ok((reports, _)) = verify_bytes(&damaged) {
            // A change that still parses (a ciphertext byte, a renamed
            // tree) never makes up a report.
            assert!(reports <= 1, "byte {at}");
        }
    }
}
