//! Unit tests of bundles: a round trip, a delta, and every way a bundle
//! can be damaged, each refused with the mirror left as it was.

use super::*;

fn mirror_with(dir: &Path, files: &[(&str, &[u8])]) -> Mirror {
    let mut m = Mirror::open_for(dir, "http://a", "rev").unwrap();
    for (rel, bytes) in files {
        m.write(rel, bytes).unwrap();
    }
    m.save().unwrap();
    m
}

#[test]
fn a_bundle_carries_the_mirror_and_a_delta_only_what_changed() {
    let tmp = tempfile::tempdir().unwrap();
    let (src, dst) = (tmp.path().join("src"), tmp.path().join("dst"));
    mirror_with(&src, &[("queue.json", b"[1]"), ("blobs/b", b"age bytes")]);
    let full = tmp.path().join("full.bundle");
    assert_eq!(export(&src, &full, None).unwrap(), (2, 12));
    assert_eq!(import(&full, &dst).unwrap(), 2);
    let copy = Mirror::open(&dst).unwrap();
    assert_eq!(copy.read("blobs/b").unwrap(), b"age bytes");
    assert_eq!(copy.manifest, Mirror::open(&src).unwrap().manifest);
    // Never overwritten.
    assert!(export(&src, &full, None).is_err());

    mirror_with(&src, &[("queue.json", b"[1,2]")]);
    let delta = tmp.path().join("delta.bundle");
    let (files, _) = export(&src, &delta, Some(&copy.manifest)).unwrap();
    assert_eq!(files, 1);
    assert_eq!(import(&delta, &dst).unwrap(), 1);
    assert_eq!(
        Mirror::open(&dst).unwrap().read("queue.json").unwrap(),
        b"[1,2]"
    );
    // A delta for a mirror that lacks its base is refused.
    let empty = tmp.path().join("empty");
    let e = import(&delta, &empty).err().unwrap();
    assert!(e.message.contains("export a whole bundle"), "{}", e.message);
    assert!(Mirror::open(&empty).is_err(), "nothing imported");
}

#[test]
fn a_damaged_cut_or_padded_bundle_imports_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    mirror_with(&src, &[("queue.json", b"[1]"), ("blobs/b", b"age bytes")]);
    let good = tmp.path().join("good.bundle");
    export(&src, &good, None).unwrap();
    let bytes = std::fs::read(&good).unwrap();
    let mut flipped = bytes.clone();
    let last = flipped.len() - 1;
    flipped[last] ^= 1;
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("flipped", flipped, "damaged or cut short"),
        (
            "cut",
            bytes[..bytes.len() - 3].to_vec(),
            "damaged or cut short",
        ),
        (
            "padded",
            [bytes.clone(), b"x".to_vec()].concat(),
            "bytes after",
        ),
        ("foreign", b"PK\x03\x04".to_vec(), "not an Amanat bundle"),
        (
            "header",
            b"AMANAT-BUNDLE-1\n{\"format\":1}\n".to_vec(),
            "header is damaged",
        ),
    ];
    for (name, data, why) in cases {
        let file = tmp.path().join(format!("{name}.bundle"));
        std::fs::write(&file, data).unwrap();
        let dst = tmp.path().join(format!("dst-{name}"));
        let e = import(&file, &dst).err().unwrap();
        assert!(
            e.message.contains("nothing was imported"),
            "{name}: {}",
            e.message
        );
        assert!(e.message.contains(why), "{name}: {}", e.message);
        assert!(Mirror::open(&dst).is_err(), "{name}: nothing imported");
        assert!(!dst.join("blobs/b").exists(), "{name}");
    }
}
