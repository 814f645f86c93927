//! `amanat download`: a report's attachments (with those the source sent
//! later with follow-up messages), each decrypted as it streams in, checked
//! against the size and SHA-256 of its encrypted manifest
//! (`amanat_core::crypto::blob`), and saved 0600 under a safe name, never
//! overwriting. Nothing is left behind when a check fails.

use super::Ctx;
use crate::exit::{CliError, Exit};
use crate::render::{print_json, safe};
use amanat_core::crypto::blob::{BlobError, open_blob};
use amanat_core::records::AttachmentManifest;
use serde_json::Value as Json;
use std::io::{IsTerminal, Read, Write};
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

/// Downloads every attachment of report `id` into `out`.
pub fn run(ctx: &Ctx, id: &str, out: &Path, json: bool) -> Result<(), CliError> {
    let o = ctx.open_report(id)?;
    let files = o.report.all_attachments();
    if files.is_empty() {
        if json {
            return print_json(&Vec::<Json>::new());
        }
        println!("Report {id} has no attachments.");
        return Ok(());
    }
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(out)
        .map_err(|e| CliError::general(format!("cannot create {}: {e}", out.display())))?;
    // The identity that opened the report: loaded (and its passphrase
    // asked for) once.
    let identity = o.key.age()?;
    let show_progress = !json && std::io::stderr().is_terminal();
    let mut written = Vec::new();
    for m in &files {
        if !amanat_core::crypto::random::is_id(&m.blob) {
            return Err(CliError::general(
                "the manifest names a malformed attachment id",
            ));
        }
        let resp = o
            .conn
            .api
            .get_stream(&format!("/api/v1/reports/{id}/blobs/{}", m.blob))?;
        let bar = if show_progress {
            let b = indicatif::ProgressBar::new(m.size);
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec}",
            ) {
                b.set_style(style);
            }
            b.set_message(safe(&amanat_core::filename::clean_filename(&m.name)));
            b
        } else {
            indicatif::ProgressBar::hidden()
        };
        let path = save_attachment(resp, identity, m, out, &bar)?;
        bar.finish_and_clear();
        written.push((m, path));
    }
    // On stderr in both modes: it is for the person, not for scripts.
    eprintln!("{}", open_offline_note(written.iter().map(|(m, _)| *m)));
    if json {
        let list: Vec<Json> = written
            .iter()
            .map(|(m, p)| {
                serde_json::json!({
                    "name": m.name, "path": p, "size": m.size, "sha256": m.sha256,
                    "media_type": m.media_type, "result": m.result, "removed": m.removed,
                })
            })
            .collect();
        return print_json(&list);
    }
    for (m, p) in &written {
        println!(
            "{}  ({}, verified)",
            p.display(),
            amanat_core::human_bytes(m.size)
        );
    }
    Ok(())
}

/// What a reviewer is told after every download: files from sources are
/// hostile until shown otherwise. The server removes the links, actions and
/// scripts it knows of (docs/reviewers.md), but a reader or viewer that
/// fetches anything from the network reveals the reviewer's address and the
/// time the file was opened to whoever planted it. Files the source sent as
/// they are were not cleaned at all, and are named.
fn open_offline_note<'a>(files: impl Iterator<Item = &'a AttachmentManifest>) -> String {
    let mut note = String::from(
        "Open these files on a machine without a network connection, or in a disposable \
         virtual machine with its network off. A hostile source can make a document, PDF or \
         media file contact an address of their choosing when it is opened, revealing your \
         address and when you opened it. Amanat removes the links and actions it knows of, not \
         every way a file can do this (docs/reviewers.md).",
    );
    for m in files.filter(|m| m.result.is_as_sent()) {
        note.push_str(&format!(
            "\nNOT cleaned: {} was stored as the source sent it; treat it with extra care.",
            safe(&m.name)
        ));
    }
    note
}

/// Decrypts one attachment stream into a 0600 file, verifying size, padding
/// and hash; returns the final path. Nothing is left behind on failure.
fn save_attachment(
    resp: Box<dyn Read + Send>,
    identity: &dyn age::Identity,
    m: &AttachmentManifest,
    out: &Path,
    bar: &indicatif::ProgressBar,
) -> Result<PathBuf, CliError> {
    let mut reader = open_blob(resp, identity, m.size, &m.sha256).map_err(|e| blob_error(m, e))?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".amanat-download-")
        .tempfile_in(out)
        .map_err(|e| CliError::general(format!("cannot write in {}: {e}", out.display())))?;
    let mut buf = Zeroizing::new(vec![0u8; 256 * 1024]);
    loop {
        // The last read checks the padding and the hash before it ends.
        let n = reader
            .read(&mut buf)
            .map_err(|e| blob_error(m, BlobError::from_io(e)))?;
        if n == 0 {
            break;
        }
        tmp.write_all(&buf[..n])
            .map_err(|e| CliError::general(format!("cannot write: {e}")))?;
        bar.inc(n as u64);
    }
    tmp.as_file()
        .sync_all()
        .map_err(|e| CliError::general(format!("cannot write: {e}")))?;
    for n in 1..1000 {
        let candidate = out.join(saved_name(&m.name, n));
        match tmp.persist_noclobber(&candidate) {
            Ok(_) => return Ok(candidate),
            Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => tmp = e.file,
            Err(e) => {
                return Err(CliError::general(format!(
                    "cannot save {}: {}",
                    candidate.display(),
                    e.error
                )));
            }
        }
    }
    Err(CliError::general(
        "too many files with the same name in the output directory",
    ))
}

/// What the reviewer is told when attachment `m` fails a check.
fn blob_error(m: &AttachmentManifest, e: BlobError) -> CliError {
    let blob = &m.blob;
    let message = match e {
        BlobError::NotAge => format!("attachment {blob} is not valid age ciphertext"),
        BlobError::NotRecipient => format!("attachment {blob} was not encrypted to this identity"),
        BlobError::Damaged => format!("attachment {blob} is damaged (decryption failed)"),
        BlobError::Truncated => format!("attachment {blob} is shorter than its manifest says"),
        BlobError::BadPadding => {
            format!("attachment {blob} is damaged (its padding is not zeros); it was not saved")
        }
        BlobError::HashMismatch => {
            format!("attachment {blob} does not match its SHA-256; it was not saved")
        }
    };
    CliError::new(Exit::Decrypt, message)
}

/// The name under which an attachment is saved: the manifest's name made
/// safe, then `name (2).ext`, `name (3).ext`… when `n` > 1. Always a single
/// plain path component, whatever the manifest says.
pub fn saved_name(manifest_name: &str, n: u32) -> String {
    let name = amanat_core::filename::clean_filename(manifest_name);
    if n <= 1 {
        return name;
    }
    let (stem, ext) = match name.rfind('.') {
        Some(i) if i > 0 => (&name[..i], &name[i..]),
        _ => (name.as_str(), ""),
    };
    format!("{stem} ({n}){ext}")
}

#[cfg(test)]
mod tests;
