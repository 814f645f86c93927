//! Unit tests of the desk key file.

use super::*;
use std::os::unix::fs::PermissionsExt;

#[test]
fn a_desk_key_survives_its_file_and_signs_verifiably() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("desk.key");
    let key = DeskKey::generate();
    key.save(&path).unwrap();
    let mode = std::fs::metadata(&path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    let again = DeskKey::load(&path).unwrap();
    assert_eq!(key.public(), again.public());
    let sig = again.sign(b"message");
    let public: [u8; 32] = BASE64
        .decode(key.public().as_bytes())
        .unwrap()
        .try_into()
        .unwrap();
    let vk = ed25519_dalek::VerifyingKey::from_bytes(&public).unwrap();
    vk.verify_strict(b"message", &ed25519_dalek::Signature::from_bytes(&sig))
        .unwrap();
    assert!(
        vk.verify_strict(b"other", &ed25519_dalek::Signature::from_bytes(&sig))
            .is_err()
    );
    // Never overwritten.
    assert!(DeskKey::generate().save(&path).is_err());
    assert_eq!(DeskKey::load(&path).unwrap().public(), key.public());
}

#[test]
fn a_readable_or_malformed_desk_key_file_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("desk.key");
    DeskKey::generate().save(&path).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let e = DeskKey::load(&path).err().unwrap();
    assert!(e.message.contains("chmod 600"), "{}", e.message);
    let bad = tmp.path().join("bad.key");
    crate::commands::write_new_file(&bad, b"AMANAT-DESK-KEY-1 c2hvcnQ=\n").unwrap();
    let e = DeskKey::load(&bad).err().unwrap();
    assert!(e.message.contains("not a desk key file"), "{}", e.message);
}
