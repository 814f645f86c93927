//! The two-thread pipeline against real age and a real file: what it writes
//! is the blob format (`amanat_core::crypto::blob`) whatever the sizes of
//! the pieces, and an abandoned pipeline never leaves a readable blob.

use super::*;
use actix_web::web::Bytes;
use age::x25519;
use amanat_core::crypto::blob::{BlobError, open_blob, padded_size};
use sha2::{Digest, Sha256};
use std::io::Read;

fn sha_hex(data: &[u8]) -> String {
    data_encoding::HEXLOWER.encode(&Sha256::digest(data))
}

fn start(dir: &std::path::Path) -> (Pipeline<File>, std::path::PathBuf, x25519::Identity) {
    let id = x25519::Identity::generate();
    let path = dir.join("blob");
    let file = File::create(&path).unwrap();
    let kick = file.try_clone().unwrap();
    let p = Pipeline::start(file, &[id.to_public().into()], 16)
        .unwrap()
        .with_writeback(kick);
    (p, path, id)
}

/// Reads a blob back as `amanat download` does, checking size and hash.
fn read_blob(path: &std::path::Path, id: &x25519::Identity, sealed: &SealedBlob) -> Vec<u8> {
    let ct = std::fs::read(path).unwrap();
    let mut r = open_blob(&ct[..], id, sealed.size, &sealed.sha256).unwrap();
    let mut out = Vec::new();
    r.read_to_end(&mut out).unwrap();
    out
}

#[test]
fn pieces_and_writes_of_any_size_make_one_blob() {
    // Past two writeback steps, and a multiple of neither a piece nor one
    // of age's 64 KiB chunks.
    let len = 2 * WRITEBACK_STEP as usize + PIECE + 12_345;
    let data: Vec<u8> = (0..len as u32).map(|i| (i % 251) as u8).collect();
    let dir = tempfile::tempdir().unwrap();
    let (mut p, path, id) = start(dir.path());
    let mut at = 0;
    for (i, size) in [1, 4095, 0, 70_000, PIECE, 3 * PIECE + 7, 65_536]
        .iter()
        .cycle()
        .enumerate()
    {
        let end = (at + size).min(len);
        // Network buffers and stripper writes, interleaved.
        if i % 2 == 0 {
            p.push(Bytes::copy_from_slice(&data[at..end])).unwrap();
        } else {
            p.write_all(&data[at..end]).unwrap();
        }
        at = end;
        if at == len {
            break;
        }
    }
    let (file, sealed) = p.finish().unwrap();
    file.sync_all().unwrap();
    assert_eq!(sealed.size, len as u64);
    assert_eq!(sealed.sha256, sha_hex(&data));
    assert_eq!(&sealed.head[..], &data[..16]);
    assert_eq!(read_blob(&path, &id, &sealed), data);
    let ct_len = std::fs::metadata(&path).unwrap().len();
    assert!(ct_len > padded_size(len as u64), "padded, then sealed");
}

#[test]
fn an_empty_file_is_padded_like_any_other() {
    let dir = tempfile::tempdir().unwrap();
    let (p, path, id) = start(dir.path());
    let (_, sealed) = p.finish().unwrap();
    assert_eq!(sealed.size, 0);
    assert_eq!(sealed.sha256, sha_hex(b""));
    assert!(read_blob(&path, &id, &sealed).is_empty());
    let ct = std::fs::read(&path).unwrap();
    let d = age::Decryptor::new_buffered(&ct[..]).unwrap();
    let mut plain = Vec::new();
    d.decrypt(std::iter::once(&id as &dyn age::Identity))
        .unwrap()
        .read_to_end(&mut plain)
        .unwrap();
    assert_eq!(plain.len() as u64, padded_size(0));
    assert!(plain.iter().all(|&b| b == 0));
}

#[test]
fn a_dropped_pipeline_stops_and_leaves_no_readable_blob() {
    let data = vec![7u8; 3 * PIECE + 99];
    let dir = tempfile::tempdir().unwrap();
    let (mut p, path, id) = start(dir.path());
    p.push(Bytes::copy_from_slice(&data)).unwrap();
    p.write_all(&data[..1000]).unwrap();
    // Dropping waits for the thread: the file no longer changes after.
    drop(p);
    let written = std::fs::metadata(&path).unwrap().len();
    assert!(
        written < padded_size(data.len() as u64),
        "not padded: {written}"
    );
    std::thread::sleep(std::time::Duration::from_millis(50));
    assert_eq!(std::fs::metadata(&path).unwrap().len(), written);
    // Not finished: age refuses it (no final chunk).
    let ct = std::fs::read(&path).unwrap();
    let read = open_blob(&ct[..], &id, data.len() as u64, &sha_hex(&data))
        .and_then(|mut r| {
            let mut out = Vec::new();
            r.read_to_end(&mut out).map_err(BlobError::from_io)
        })
        .map(|_| ());
    assert!(read.is_err(), "an abandoned blob must not read as whole");
}

/// An output that takes `left` bytes, then fails as a full disk does.
struct FillsUp {
    left: usize,
}

impl Write for FillsUp {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.left == 0 {
            return Err(io::Error::from(io::ErrorKind::StorageFull));
        }
        let n = buf.len().min(self.left);
        self.left -= n;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_failing_output_is_reported_to_the_writer() {
    // The disk fills up after the header and a piece: the writer sees that
    // error (not a hang, not a lost thread), whichever call meets it.
    let id = x25519::Identity::generate();
    let out = FillsUp { left: 1000 + PIECE };
    let mut p = Pipeline::start(out, &[id.to_public().into()], 0).unwrap();
    let piece = Bytes::from(vec![1u8; PIECE]);
    let mut failed = None;
    for _ in 0..(QUEUED + 8) {
        if let Err(e) = p.push(piece.clone()) {
            failed = Some(e);
            break;
        }
    }
    let e = match failed {
        Some(e) => e,
        None => p.finish().err().unwrap(),
    };
    assert_eq!(e.kind(), io::ErrorKind::StorageFull, "{e}");
}
