//! Unit tests of AIFF and AIFC cleaning.

use super::*;
use crate::riff::audio::AIFC_VERSION;

#[test]
fn aifc_version_stamp_is_the_specification_one() {
    let comm = [0u8; 24];
    let stamp = |v: &[u8; 4]| {
        form(
            Order::Big,
            b"FORM",
            b"AIFC",
            &[be(b"FVER", v), be(b"COMM", &comm), be(b"SSND", &[0u8; 8])],
        )
    };
    let (res, out) = run(Kind::Aiff, &stamp(&[0xE5, 0x1C, 0x2D, 0x3E]));
    assert_eq!(out, stamp(&AIFC_VERSION));
    assert_eq!(
        res.unwrap(),
        Outcome::Cleaned {
            removed: vec![Removed::Dates]
        }
    );
    let (res, out) = run(Kind::Aiff, &stamp(&AIFC_VERSION));
    assert_eq!(res.unwrap(), Outcome::KeptOriginal);
    assert_eq!(out, stamp(&AIFC_VERSION));
}

#[test]
fn aiff_keeps_only_comm_and_ssnd() {
    let (res, out) = run(Kind::Aiff, &aiff_fixture());
    assert!(!contains(&out, CANARY));
    assert!(!contains(&out, b"Interview"));
    assert!(contains(&out, b"COMM") && contains(&out, b"SSND"));
    assert_eq!(
        u32::from_be_bytes(out[4..8].try_into().unwrap()) as usize,
        out.len() - 8
    );
    assert_eq!(out.len(), 12 + 8 + 18 + 8 + 208);
    assert_eq!(
        res.unwrap(),
        Outcome::Cleaned {
            removed: vec![Removed::Author, Removed::Dates, Removed::Comments]
        }
    );
    // Little-endian sizes are not AIFF.
    let mut bad = aiff_fixture();
    bad[16..20].copy_from_slice(&9u32.to_le_bytes());
    assert!(matches!(
        run(Kind::Aiff, &bad).0,
        Err(SanitizeError::Malformed { .. })
    ));
}

// ---- AVI ----
