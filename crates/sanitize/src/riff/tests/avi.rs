//! Unit tests of AVI cleaning in place.

use super::*;

#[test]
fn avi_is_cleaned_in_place() {
    let data = avi_fixture();
    let (res, out) = run(Kind::Avi, &data);
    let removed = match res.unwrap() {
        Outcome::Cleaned { removed } => removed,
        o => panic!("{o:?}"),
    };
    assert_eq!(
        removed,
        vec![
            Removed::Camera,
            Removed::Author,
            Removed::Software,
            Removed::Dates,
            Removed::Comments,
            Removed::Other
        ]
    );
    // Same length, and every kept chunk at its old offset.
    assert_eq!(out.len(), data.len());
    for keep in [
        &b"avih"[..],
        b"strh",
        b"strf",
        b"indx",
        b"dmlh",
        b"movi",
        b"frame-one",
        b"frame-three",
        b"idx1",
        b"AVIX",
    ] {
        let at = |d: &[u8]| d.windows(keep.len()).position(|w| w == keep);
        assert_eq!(at(&out), at(&data), "{}", String::from_utf8_lossy(keep));
    }
    for gone in [
        CANARY,
        b"Camera 7",
        b"SUN DEC",
        b"INFO",
        b"ncdt",
        b"PENTAX",
        b"xmpmeta",
        b"strd",
        b"IDIT",
    ] {
        assert!(!contains(&out, gone), "{}", String::from_utf8_lossy(gone));
    }
    // Cleaning again changes nothing more.
    let (res, again) = run(Kind::Avi, &out);
    assert_eq!(res.unwrap(), Outcome::KeptOriginal);
    assert_eq!(again, out);
}

#[test]
fn appended_bytes_after_the_avi_are_dropped() {
    let mut data = avi_fixture();
    let len = data.len();
    data.extend_from_slice(b"TAGJane Canary");
    let (res, out) = run(Kind::Avi, &data);
    assert!(matches!(res.unwrap(), Outcome::Cleaned { .. }));
    assert_eq!(out.len(), len);
}

#[test]
fn damaged_avis_are_malformed() {
    let (first, _) = avi_parts();
    let movi_at = first.windows(4).position(|w| w == b"movi").unwrap();
    let mut cases = vec![
        first[..movi_at + 10].to_vec(),
        first[..20].to_vec(),
        b"RIFF\x04\0\0\0AVIX".to_vec(),
        b"RIFF\x02\0\0\0".to_vec(),
        Vec::new(),
    ];
    // A chunk inside hdrl that claims more than its list holds.
    let mut long = first.clone();
    let avih = long.windows(4).position(|w| w == b"avih").unwrap();
    long[avih + 4..avih + 8].copy_from_slice(&10_000u32.to_le_bytes());
    cases.push(long);
    // A chunk id that is not text.
    let mut bin = first.clone();
    bin[avih] = 0x01;
    cases.push(bin);
    for (i, c) in cases.iter().enumerate() {
        let (res, _) = run(Kind::Avi, c);
        assert!(
            matches!(
                res,
                Err(SanitizeError::Malformed {
                    kind: Kind::Avi,
                    ..
                })
            ),
            "case {i}: {res:?}"
        );
    }
}
