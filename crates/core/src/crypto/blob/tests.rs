//! Unit tests of the blob format with real age: what [`super::BlobWriter`]
//! writes, [`super::open_blob`] reads back, and every way a blob can be
//! wrong is refused with its own error.

use super::*;
use age::x25519;
use sha2::{Digest, Sha256};
use std::io::{Read, Write};

/// A blob of `data`, as the server writes it, with its manifest values.
fn blob(data: &[u8], to: &x25519::Identity) -> (Vec<u8>, SealedBlob) {
    let mut w = BlobWriter::new(Vec::new(), &[to.to_public()])
        .unwrap()
        .keep_head(16);
    // In pieces, as a stripper writes.
    for chunk in data.chunks(1000) {
        w.write_all(chunk).unwrap();
    }
    assert_eq!(w.len(), data.len() as u64);
    w.finish().unwrap()
}

/// Reads a whole blob, as `amanat download` does.
fn read_all(ct: &[u8], id: &x25519::Identity, size: u64, sha: &str) -> Result<Vec<u8>, BlobError> {
    let mut r = open_blob(ct, id, size, sha)?;
    let mut out = Vec::new();
    r.read_to_end(&mut out).map_err(BlobError::from_io)?;
    Ok(out)
}

/// The age stream of `plain` exactly, with no padding added.
fn raw_age(plain: &[u8], to: &x25519::Identity) -> Vec<u8> {
    let enc =
        age::Encryptor::with_recipients(std::iter::once(&to.to_public() as &dyn age::Recipient))
            .unwrap();
    let mut out = Vec::new();
    let mut w = enc.wrap_output(&mut out).unwrap();
    w.write_all(plain).unwrap();
    w.finish().unwrap();
    out
}

fn sha_hex(data: &[u8]) -> String {
    data_encoding::HEXLOWER.encode(&Sha256::digest(data))
}

#[test]
fn round_trip_pads_counts_and_hashes() {
    let id = x25519::Identity::generate();
    // The last spans many of age's 64 KiB chunks.
    let large: Vec<u8> = (0..3_000_017u32).map(|i| (i % 251) as u8).collect();
    for data in [
        Vec::new(),
        b"%PDF-1.7 small".to_vec(),
        vec![7u8; 300_000],
        large,
    ] {
        let (ct, sealed) = blob(&data, &id);
        assert_eq!(sealed.size, data.len() as u64);
        assert_eq!(sealed.sha256, sha_hex(&data));
        assert_eq!(&sealed.head[..], &data[..data.len().min(16)]);
        // The padding is inside the stream: the plaintext is padded_size long.
        let dec = age::Decryptor::new(&ct[..]).unwrap();
        let mut plain = Vec::new();
        dec.decrypt(std::iter::once(&id as &dyn age::Identity))
            .unwrap()
            .read_to_end(&mut plain)
            .unwrap();
        assert_eq!(plain.len() as u64, padded_size(data.len() as u64));
        assert!(plain[data.len()..].iter().all(|&b| b == 0));
        assert_eq!(
            read_all(&ct, &id, sealed.size, &sealed.sha256).unwrap(),
            data
        );
    }
}

#[test]
fn a_wrong_identity_or_not_age_is_refused() {
    let id = x25519::Identity::generate();
    let other = x25519::Identity::generate();
    let (ct, s) = blob(b"secret file", &id);
    assert!(matches!(
        read_all(&ct, &other, s.size, &s.sha256),
        Err(BlobError::NotRecipient)
    ));
    assert!(matches!(
        read_all(b"not age at all", &id, s.size, &s.sha256),
        Err(BlobError::NotAge)
    ));
}

#[test]
fn truncated_or_tampered_ciphertext_is_damaged() {
    let id = x25519::Identity::generate();
    let data = vec![42u8; 200_000];
    let (ct, s) = blob(&data, &id);
    let cut = &ct[..ct.len() - 70_000];
    assert!(matches!(
        read_all(cut, &id, s.size, &s.sha256),
        Err(BlobError::Damaged)
    ));
    let mut tampered = ct.clone();
    let last = tampered.len() - 10;
    tampered[last] ^= 1;
    assert!(matches!(
        read_all(&tampered, &id, s.size, &s.sha256),
        Err(BlobError::Damaged)
    ));
}

#[test]
fn a_stream_shorter_than_the_manifest_is_truncated() {
    let id = x25519::Identity::generate();
    let data = b"only this";
    let ct = raw_age(data, &id);
    assert!(matches!(
        read_all(&ct, &id, 100, &sha_hex(data)),
        Err(BlobError::Truncated)
    ));
}

#[test]
fn a_wrong_hash_is_refused() {
    let id = x25519::Identity::generate();
    let (ct, s) = blob(b"the file", &id);
    let wrong = sha_hex(b"another file");
    assert!(matches!(
        read_all(&ct, &id, s.size, &wrong),
        Err(BlobError::HashMismatch)
    ));
    // A manifest size one short hashes one byte less, and the byte left
    // over is not zero padding.
    assert!(matches!(
        read_all(&ct, &id, s.size - 1, &s.sha256),
        Err(BlobError::BadPadding)
    ));
}

#[test]
fn non_zero_padding_is_refused() {
    let id = x25519::Identity::generate();
    let data = b"file";
    let mut plain = data.to_vec();
    plain.resize(padded_size(data.len() as u64) as usize, 0);
    *plain.last_mut().unwrap() = 1;
    let ct = raw_age(&plain, &id);
    assert!(matches!(
        read_all(&ct, &id, data.len() as u64, &sha_hex(data)),
        Err(BlobError::BadPadding)
    ));
    // The same with zeros is a valid blob.
    *plain.last_mut().unwrap() = 0;
    let ct = raw_age(&plain, &id);
    assert_eq!(read_all(&ct, &id, 4, &sha_hex(data)).unwrap(), data);
}

#[test]
fn a_writer_needs_recipients() {
    assert!(matches!(
        BlobWriter::new::<x25519::Recipient>(Vec::new(), &[]),
        Err(CryptoError::NoRecipients)
    ));
}

#[test]
fn a_sealer_and_a_digest_fed_apart_make_the_writers_blob() {
    // The server hashes on one thread and encrypts on another: the two
    // halves must give what one `BlobWriter` gives, byte for byte in length.
    let id = x25519::Identity::generate();
    let data: Vec<u8> = (0..200_003u32).map(|i| (i % 249) as u8).collect();
    let mut sealer = BlobSealer::new(Vec::new(), &[id.to_public()]).unwrap();
    let mut digest = BlobDigest::new().keep_head(16);
    for chunk in data.chunks(777) {
        sealer.write_all(chunk).unwrap();
        digest.update(chunk);
    }
    assert_eq!(sealer.len(), digest.len());
    let (ct, len) = sealer.finish().unwrap();
    let sealed = digest.finish();
    let (writer_ct, writer_sealed) = blob(&data, &id);
    assert_eq!(len, data.len() as u64);
    assert_eq!(sealed.size, writer_sealed.size);
    assert_eq!(sealed.sha256, writer_sealed.sha256);
    assert_eq!(sealed.sha256, sha_hex(&data));
    assert_eq!(sealed.head, writer_sealed.head);
    assert_eq!(
        read_all(&ct, &id, sealed.size, &sealed.sha256).unwrap(),
        data
    );
    // The same plaintext inside age, padding included (the ciphertexts
    // differ in their random header).
    let inside = |ct: &[u8]| {
        let mut plain = Vec::new();
        age::Decryptor::new_buffered(ct)
            .unwrap()
            .decrypt(std::iter::once(&id as &dyn age::Identity))
            .unwrap()
            .read_to_end(&mut plain)
            .unwrap();
        plain
    };
    let plain = inside(&ct);
    assert_eq!(plain.len() as u64, padded_size(len));
    assert_eq!(plain, inside(&writer_ct));
}
