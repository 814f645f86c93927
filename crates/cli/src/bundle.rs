//! Bundles: a mirror (or what changed of it) as one file, to carry on a
//! USB stick between the online and the offline machine (`amanat bundle
//! export`, `amanat bundle import`; docs/reviewers.md).
//!
//! Format, `amanat.bundle/1`: the line `AMANAT-BUNDLE-1`, one line of JSON
//! (the header: the source mirror's whole manifest, and the list of files
//! the bundle carries with their sizes and SHA-256), then the files' bytes
//! one after another, in the header's order. A bundle carries ciphertext
//! and the same metadata as the mirror, nothing more.
//!
//! Import is all or nothing: every file is streamed into a staging
//! directory and checked against its hash and size, every file of the
//! manifest that the bundle does not carry must already be in the target
//! mirror with the same hash, and only then are the files moved into
//! place and the manifest saved. A damaged, cut or foreign bundle is
//! refused with the reason, and the mirror is left as it was.

use crate::exit::{CliError, Exit};
use crate::mirror::{Manifest, Mirror};
use serde::{Deserialize, Serialize};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;

/// The first line of a bundle.
pub const MAGIC: &str = "AMANAT-BUNDLE-1";
/// Format tag of a bundle's header.
pub const FORMAT: &str = "amanat.bundle/1";
/// The largest header read (a manifest of about 300,000 files).
pub const MAX_HEADER: u64 = 64 << 20;

/// The header line.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Header {
    pub format: String,
    pub manifest: Manifest,
    /// The files carried, in order: paths of `manifest.files`.
    pub files: Vec<String>,
}

/// Writes the mirror at `dir` as bundle `out` (0600, never overwriting);
/// with `since`, only the files whose hash differs from that manifest.
/// Returns the number of files carried and of bytes.
pub fn export(dir: &Path, out: &Path, since: Option<&Manifest>) -> Result<(usize, u64), CliError> {
    let m = Mirror::open(dir)?;
    let bad = m.verify();
    if !bad.is_empty() {
        return Err(CliError::new(
            Exit::Decrypt,
            format!(
                "the mirror has damaged files ({}); sync again before bundling",
                bad.join(", ")
            ),
        ));
    }
    let files: Vec<String> = m
        .manifest
        .files
        .iter()
        .filter(|(p, e)| since.is_none_or(|s| s.files.get(*p) != Some(*e)))
        .map(|(p, _)| p.clone())
        .collect();
    let header = Header {
        format: FORMAT.into(),
        manifest: m.manifest.clone(),
        files,
    };
    let err = |e: std::io::Error| CliError::general(format!("cannot write {}: {e}", out.display()));
    let tmp = tempfile::Builder::new()
        .prefix(".amanat-bundle-")
        .tempfile_in(
            out.parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new(".")),
        )
        .map_err(err)?;
    let mut w = std::io::BufWriter::new(tmp.as_file());
    writeln!(w, "{MAGIC}").map_err(err)?;
    serde_json::to_writer(&mut w, &header).map_err(|e| CliError::general(e.to_string()))?;
    writeln!(w).map_err(err)?;
    let mut bytes = 0u64;
    for rel in &header.files {
        // Read through the hash check: a file damaged since is not carried.
        let data = m.read(rel)?;
        w.write_all(&data).map_err(err)?;
        bytes += data.len() as u64;
    }
    w.flush().map_err(err)?;
    drop(w);
    tmp.as_file().sync_all().map_err(err)?;
    tmp.persist_noclobber(out).map_err(|e| {
        CliError::general(format!(
            "cannot create {} (it must not exist yet): {}",
            out.display(),
            e.error
        ))
    })?;
    Ok((header.files.len(), bytes))
}

/// Imports bundle `file` into the mirror at `dir` (created if missing),
/// all or nothing. Returns the number of files imported.
pub fn import(file: &Path, dir: &Path) -> Result<usize, CliError> {
    let f = std::fs::File::open(file)
        .map_err(|e| CliError::general(format!("cannot read {}: {e}", file.display())))?;
    let mut r = BufReader::new(f);
    let refused = |why: String| {
        CliError::general(format!(
            "{} is refused, nothing was imported: {why}",
            file.display()
        ))
    };
    let mut magic = String::new();
    (&mut r)
        .take(64)
        .read_line(&mut magic)
        .map_err(|e| refused(e.to_string()))?;
    if magic.trim_end() != MAGIC {
        return Err(refused("it is not an Amanat bundle".into()));
    }
    let mut line = Vec::new();
    (&mut r)
        .take(MAX_HEADER)
        .read_until(b'\n', &mut line)
        .map_err(|e| refused(e.to_string()))?;
    let header: Header = serde_json::from_slice(&line)
        .map_err(|e| refused(format!("its header is damaged ({e})")))?;
    if header.format != FORMAT || header.manifest.format != crate::mirror::FORMAT {
        return Err(refused(format!("it is of format {:?}", header.format)));
    }
    let manifest = &header.manifest;
    let mut target = Mirror::open_for(dir, &manifest.server, &manifest.reviewer_id)?;
    // Files the bundle does not carry must be in the target already.
    for (rel, entry) in &manifest.files {
        if !header.files.contains(rel) && target.manifest.files.get(rel) != Some(entry) {
            return Err(refused(format!(
                "it carries only what changed since another copy, and this mirror lacks {rel}; \
                 export a whole bundle"
            )));
        }
    }
    let staging_dir = tempfile::Builder::new()
        .prefix(".import-")
        .tempdir_in(dir)
        .map_err(|e| refused(e.to_string()))?;
    let mut staging =
        Mirror::open_for(staging_dir.path(), &manifest.server, &manifest.reviewer_id)?;
    for rel in &header.files {
        let entry = manifest.files.get(rel).ok_or_else(|| {
            refused(format!(
                "it carries {rel}, which its manifest does not list"
            ))
        })?;
        staging
            .write_from(rel, &mut (&mut r).take(entry.size), |_| {})
            .map_err(|e| refused(e.message))?;
        if staging.manifest.files.get(rel) != Some(entry) {
            return Err(refused(format!("{rel} is damaged or cut short")));
        }
    }
    let mut rest = [0u8; 1];
    if r.read(&mut rest).map_err(|e| refused(e.to_string()))? != 0 {
        return Err(refused("it has bytes after its last file".into()));
    }
    // Everything checked: move the files in, then the manifest counts.
    for rel in &header.files {
        let to = dir.join(rel);
        if let Some(p) = to.parent() {
            std::fs::create_dir_all(p).map_err(|e| CliError::general(e.to_string()))?;
        }
        std::fs::rename(staging_dir.path().join(rel), &to)
            .map_err(|e| CliError::general(format!("cannot move {rel} into the mirror: {e}")))?;
    }
    target.manifest = manifest.clone();
    target.save()?;
    Ok(header.files.len())
}

#[cfg(test)]
mod tests;
