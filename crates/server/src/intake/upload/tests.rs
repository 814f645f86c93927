//! Staging files through a real age stream into a real temporary directory.

use super::*;
use age::x25519;
use amanat_core::crypto::envelope;
use sha2::{Digest, Sha256};

fn run(
    data: Vec<u8>,
    keep: bool,
    limit: u64,
) -> (Result<StagedFile, UploadError>, x25519::Identity) {
    let dir = tempfile::tempdir().unwrap();
    let (r, id) = run_in(dir.path(), data, keep, limit);
    // Keep the directory alive as long as the staged file.
    std::mem::forget(dir);
    (r, id)
}

fn run_in(
    dir: &std::path::Path,
    data: Vec<u8>,
    keep: bool,
    limit: u64,
) -> (Result<StagedFile, UploadError>, x25519::Identity) {
    let id = x25519::Identity::generate();
    let (tx, job) = start(
        "../../photo\u{202E}gpj.jpg",
        keep,
        vec![id.to_public().into()],
        dir.to_path_buf(),
        FileLimits {
            file_bytes: limit,
            sanitize: sanitize::Limits::default(),
        },
    );
    let worker = std::thread::spawn(job);
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(async move {
        let mut sent = 0u64;
        for c in data.chunks(1000) {
            sent += c.len() as u64;
            let item = if sent > limit {
                Err(too_large_error())
            } else {
                Ok(actix_web::web::Bytes::copy_from_slice(c))
            };
            let stop = item.is_err();
            if tx.send(item).await.is_err() || stop {
                break;
            }
        }
    });
    (worker.join().unwrap(), id)
}

fn decrypt(s: &StagedFile, id: &x25519::Identity) -> Vec<u8> {
    let ct = std::fs::read(s.temp.path()).unwrap();
    let d = age::Decryptor::new_buffered(&ct[..]).unwrap();
    let mut r = d
        .decrypt(std::iter::once(id as &dyn age::Identity))
        .unwrap();
    let mut out = Vec::new();
    r.read_to_end(&mut out).unwrap();
    out
}

#[test]
fn unknown_files_are_refused_unless_the_source_keeps_them_as_sent() {
    let data: Vec<u8> = (0..50_000u32).map(|i| (i % 251) as u8).collect();
    let dir = tempfile::tempdir().unwrap();
    let (r, _) = run_in(dir.path(), data.clone(), false, 1 << 20);
    assert_eq!(
        r.err(),
        Some(UploadError::NotCleanable {
            name: "photogpj.jpg".into()
        })
    );
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "nothing written"
    );
    // Past the size limit, the limit is what the source is told.
    let (r, _) = run_in(dir.path(), data.clone(), false, 3000);
    assert!(matches!(r, Err(UploadError::FileTooLarge { .. })));
}

#[test]
fn unknown_files_kept_as_sent_are_padded_and_hashed() {
    let data: Vec<u8> = (0..50_000u32).map(|i| (i % 251) as u8).collect();
    let (r, id) = run(data.clone(), true, 1 << 20);
    let s = r.unwrap();
    assert_eq!(s.manifest.result, CleanResult::KeptOriginal);
    assert_eq!(s.recipients, vec![id.to_public().to_string()]);
    assert_eq!(s.manifest.size, 50_000);
    assert_eq!(
        s.manifest.sha256,
        data_encoding::HEXLOWER.encode(&Sha256::digest(&data))
    );
    assert_eq!(s.manifest.name, "photogpj.jpg", "name made safe");
    let plain = decrypt(&s, &id);
    assert_eq!(plain.len(), envelope::padded_len(50_000));
    assert_eq!(&plain[..50_000], &data[..]);
    assert!(plain[50_000..].iter().all(|&b| b == 0));
    assert!(
        !std::fs::read(s.temp.path())
            .unwrap()
            .windows(8)
            .any(|w| w == &data[1000..1008]),
        "ciphertext only"
    );
}

#[test]
fn oversized_and_uncleanable_files_are_refused() {
    let (r, _) = run(vec![1u8; 5000], false, 3000);
    assert!(matches!(
        r,
        Err(UploadError::FileTooLarge { limit: 3000, .. })
    ));
    // A PNG signature followed by garbage: a cleanable type that fails to parse.
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend_from_slice(&[0xff; 100]);
    let (r, _) = run(png.clone(), false, 1 << 20);
    assert!(
        matches!(r, Err(UploadError::CannotClean { .. })),
        "{r:?}",
        r = r.as_ref().err()
    );
    // Keeping the original stores it as sent, recorded as such.
    let (r, id) = run(png.clone(), true, 1 << 20);
    let s = r.unwrap();
    assert_eq!(s.manifest.result, CleanResult::KeptOriginal);
    assert_eq!(&decrypt(&s, &id)[..png.len()], &png[..]);
}

#[test]
fn files_of_any_length_kept_as_sent_round_trip_with_their_hash() {
    // Not a multiple of the pipeline's pieces, of age's 64 KiB chunks or of
    // the 1000-byte chunks `run` sends; longer than the sniffed prefix.
    for len in [1usize, 4095, 4097, 2 * pipeline::PIECE + 4097] {
        let data: Vec<u8> = (0..len as u32).map(|i| (i * 7 % 253) as u8).collect();
        let (r, id) = run(data.clone(), true, 1 << 30);
        let s = r.unwrap();
        assert_eq!(s.manifest.size, len as u64);
        assert_eq!(
            s.manifest.sha256,
            data_encoding::HEXLOWER.encode(&Sha256::digest(&data))
        );
        let plain = decrypt(&s, &id);
        assert_eq!(plain.len(), envelope::padded_len(len), "{len}");
        assert_eq!(&plain[..len], &data[..]);
        assert!(plain[len..].iter().all(|&b| b == 0));
    }
}

#[test]
fn a_file_kept_as_sent_past_its_limit_leaves_nothing() {
    let data = vec![3u8; 3 * pipeline::PIECE];
    let dir = tempfile::tempdir().unwrap();
    let (r, _) = run_in(dir.path(), data, true, 2 * pipeline::PIECE as u64 + 1);
    assert!(matches!(r, Err(UploadError::FileTooLarge { .. })));
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "the staged file went with the refusal"
    );
}

#[test]
fn a_cleaned_file_longer_than_a_piece_is_stored_as_the_cleaner_wrote_it() {
    // A PGM whose comment names its author, and a raster longer than two
    // of the pipeline's pieces: the cleaner's writes go through `Write`.
    let (w, h) = (700usize, 900usize);
    let mut pgm = format!("P5\n# by Jane Roe\n{w} {h}\n255\n").into_bytes();
    pgm.extend((0..w * h).map(|i| (i % 241) as u8));
    let mut expected = Vec::new();
    sanitize::strip(
        Kind::Netpbm,
        &mut &pgm[..],
        &mut expected,
        &sanitize::Limits::default(),
    )
    .unwrap();
    assert!(expected.len() > 2 * pipeline::PIECE);
    let (r, id) = run(pgm, false, 1 << 30);
    let s = r.unwrap();
    assert_eq!(s.manifest.result, CleanResult::Cleaned);
    assert_eq!(s.manifest.size, expected.len() as u64);
    assert_eq!(
        s.manifest.sha256,
        data_encoding::HEXLOWER.encode(&Sha256::digest(&expected))
    );
    let plain = decrypt(&s, &id);
    assert_eq!(&plain[..expected.len()], &expected[..]);
    assert!(!plain.windows(8).any(|w| w == b"Jane Roe"));
}
