//! Unit tests of the mirror's files: atomic writes, hashes, damage.

use super::*;

fn age_to(n: usize) -> Vec<u8> {
    let recipients: Vec<String> = (0..n)
        .map(|_| amanat_core::crypto::keys::generate().1)
        .collect();
    let r = amanat_core::crypto::envelope::parse_recipients(&recipients).unwrap();
    amanat_core::crypto::envelope::seal(b"secret", &r).unwrap()
}

#[test]
fn a_file_counts_once_written_whole_and_is_read_against_its_hash() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("m");
    let mut m = Mirror::open_for(&dir, "http://a", "rev").unwrap();
    m.write("reports/x.json", b"{}").unwrap();
    assert!(m.has("reports/x.json"));
    assert_eq!(m.read("reports/x.json").unwrap(), b"{}");
    m.save().unwrap();
    let again = Mirror::open(&dir).unwrap();
    assert_eq!(again.manifest, m.manifest);
    assert!(again.verify().is_empty());
    // Damage is found, on reading and by verify.
    std::fs::write(dir.join("reports/x.json"), b"{ }").unwrap();
    assert_eq!(
        again.read("reports/x.json").err().unwrap().code,
        Exit::Decrypt
    );
    assert_eq!(again.verify(), ["reports/x.json"]);
    // Paths made elsewhere are refused.
    for bad in ["../x", "/etc/passwd", ".partial/x", "a//b", ""] {
        assert!(m.write(bad, b"x").is_err(), "{bad}");
    }
}

#[test]
fn a_broken_transfer_leaves_nothing_that_counts() {
    struct Broken(usize);
    impl std::io::Read for Broken {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if self.0 == 0 {
                return Err(std::io::Error::other("connection reset"));
            }
            self.0 -= 1;
            buf[0] = b'x';
            Ok(1)
        }
    }
    let tmp = tempfile::tempdir().unwrap();
    let mut m = Mirror::open_for(tmp.path(), "http://a", "rev").unwrap();
    let e = m
        .write_from("blobs/b", &mut Broken(3), |_| {})
        .err()
        .unwrap();
    assert_eq!(e.code, Exit::Unreachable);
    assert!(!m.has("blobs/b"));
    assert!(!tmp.path().join("blobs/b").exists());
    // The next run clears partial files away.
    let m = Mirror::open_for(tmp.path(), "http://a", "rev").unwrap();
    assert!(!tmp.path().join(".partial").exists());
    assert!(m.manifest.files.is_empty());
}

#[test]
fn a_mirror_of_another_server_is_not_mixed_in() {
    let tmp = tempfile::tempdir().unwrap();
    Mirror::open_for(tmp.path(), "http://a", "rev")
        .unwrap()
        .save()
        .unwrap();
    let e = Mirror::open_for(tmp.path(), "http://b", "rev")
        .err()
        .unwrap();
    assert_eq!(e.code, Exit::Usage);
    assert_eq!(
        Mirror::open(&tmp.path().join("none")).err().unwrap().code,
        Exit::NotFound
    );
}

#[test]
fn envelopes_must_be_age_files_to_as_many_recipients_as_listed() {
    let b64 = |b: &[u8]| data_encoding::BASE64.encode(b);
    check_envelope(&b64(&age_to(2)), 2).unwrap();
    assert!(
        check_envelope(&b64(&age_to(2)), 3)
            .unwrap_err()
            .contains("lists 3")
    );
    assert!(check_envelope(&b64(b"plain text"), 1).is_err());
    assert!(check_envelope("%%%", 1).is_err());
    check_age(&age_to(1), None).unwrap();
    assert!(check_age(b"PK\x03\x04 not age", None).is_err());
}

#[test]
fn opening_a_mirror_pins_its_recipients_and_a_change_must_be_seen_first() {
    use amanat_core::api::Recipients;
    let tmp = tempfile::tempdir().unwrap();
    let (dir, profile) = (tmp.path().join("m"), tmp.path().join("profile"));
    std::fs::create_dir_all(&profile).unwrap();
    let key = |_| amanat_core::crypto::keys::generate().1;
    let (a, b, c): (String, String, String) = (key(0), key(1), key(2));
    let set = |triage: &[&String]| Recipients {
        triage: triage.iter().map(|s| s.to_string()).collect(),
        identity: vec![a.clone()],
        names: Vec::new(),
    };
    let write = |r: &Recipients| {
        let mut m = Mirror::open_for(&dir, "http://geneva", "rev").unwrap();
        m.write(RECIPIENTS, &serde_json::to_vec(r).unwrap())
            .unwrap();
        m.save().unwrap();
    };
    let open = || crate::client::open_mirror(&dir, Some(Path::new("key.txt")), &profile);
    let check =
        |r: &Recipients| crate::pins::check_triage_pin(&profile, "http://geneva", &r.triage, &[]);

    // The first mirror read pins its sets.
    let first = set(&[&a, &b]);
    write(&first);
    open().unwrap();
    check(&first).unwrap();
    // A set the online machine changed is refused until a mirror carrying
    // it has been opened (and the change shown), then accepted.
    let changed = set(&[&a, &b, &c]);
    assert!(check(&changed).is_err(), "a change not yet seen is refused");
    write(&changed);
    open().unwrap();
    check(&changed).unwrap();
    assert!(check(&first).is_err(), "the pin followed the mirror");
}
