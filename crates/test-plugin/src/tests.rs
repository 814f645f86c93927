//! The test key unwraps exactly what age seals to its recipient, and
//! nothing sealed to another key.

use super::*;
use age::Recipient as _;
use age_core::secrecy::ExposeSecret;

fn key_and_recipient(kind: u8) -> (Key, String) {
    let text = generate(kind).unwrap();
    let line = text.lines().find(|l| l.starts_with("AGE-PLUGIN-")).unwrap();
    let recipient = text
        .lines()
        .find_map(|l| l.strip_prefix("# recipient: "))
        .unwrap()
        .to_string();
    let (_, data) = bech32::decode(&line.to_lowercase()).unwrap_or_else(|_| {
        // Long identities exceed bech32's 90-character limit; decode
        // them the way age does.
        age_core::primitives::bech32_decode(
            line,
            |_| (),
            |_| Ok(()),
            |hrp, bytes| Ok((hrp, bytes.collect::<Vec<u8>>())),
        )
        .unwrap()
    });
    let key = Key::from_parts(data[0], &data[1..]).unwrap();
    assert_eq!(key.recipient(), recipient);
    (key, recipient)
}

fn file_key() -> FileKey {
    FileKey::new(Box::new([7u8; 16]))
}

#[test]
fn a_tag_key_unwraps_what_age_sealed_to_its_recipient() {
    let (key, recipient) = key_and_recipient(KIND_TAG);
    assert!(recipient.starts_with("age1tag1"));
    let r: age::tag::Recipient = recipient.parse().unwrap();
    let (stanzas, _) = r.wrap_file_key(&file_key()).unwrap();
    let got = key.unwrap(&stanzas[0]).unwrap().unwrap();
    assert_eq!(got.expose_secret(), &[7u8; 16]);

    let (other, _) = key_and_recipient(KIND_TAG);
    assert!(other.unwrap(&stanzas[0]).is_none(), "another key's stanza");
}

#[test]
fn a_tagpq_key_unwraps_what_age_sealed_to_its_recipient() {
    let (key, recipient) = key_and_recipient(KIND_TAGPQ);
    assert!(recipient.starts_with("age1tagpq1"));
    let r: age::tagpq::Recipient = recipient.parse().unwrap();
    let (stanzas, labels) = r.wrap_file_key(&file_key()).unwrap();
    assert!(labels.contains("postquantum"));
    let got = key.unwrap(&stanzas[0]).unwrap().unwrap();
    assert_eq!(got.expose_secret(), &[7u8; 16]);

    let (tag_key, _) = key_and_recipient(KIND_TAG);
    assert!(tag_key.unwrap(&stanzas[0]).is_none(), "wrong stanza type");
}

#[test]
fn a_tampered_stanza_is_an_error_not_a_key() {
    let (key, recipient) = key_and_recipient(KIND_TAG);
    let r: age::tag::Recipient = recipient.parse().unwrap();
    let (mut stanzas, _) = r.wrap_file_key(&file_key()).unwrap();
    stanzas[0].body[0] ^= 1;
    assert!(key.unwrap(&stanzas[0]).unwrap().is_err());
}
