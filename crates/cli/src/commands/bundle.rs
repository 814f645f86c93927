//! `amanat bundle export` and `amanat bundle import`: a mirror carried as
//! one file (see `crate::bundle`).

use super::Ctx;
use crate::bundle;
use crate::exit::CliError;
use crate::mirror::{MANIFEST, Manifest};
use crate::render::print_json;
use std::path::{Path, PathBuf};

/// The mirror a bundle command works on: its own `--mirror`, else the one
/// named before the command, else the profile's.
pub fn dir(ctx: &Ctx, mirror: Option<PathBuf>) -> PathBuf {
    mirror
        .or_else(|| ctx.mirror.clone())
        .unwrap_or_else(|| ctx.dir.join("mirror"))
}

/// `amanat bundle export FILE [--since MANIFEST]`.
pub fn export(
    ctx: &Ctx,
    file: &Path,
    mirror: Option<PathBuf>,
    since: Option<PathBuf>,
    json: bool,
) -> Result<(), CliError> {
    let since: Option<Manifest> = match since {
        None => None,
        Some(p) => {
            let p = if p.is_dir() { p.join(MANIFEST) } else { p };
            let text = std::fs::read_to_string(&p)
                .map_err(|e| CliError::general(format!("cannot read {}: {e}", p.display())))?;
            Some(serde_json::from_str(&text).map_err(|e| {
                CliError::usage(format!("{} is not a mirror's manifest ({e})", p.display()))
            })?)
        }
    };
    let dir = dir(ctx, mirror);
    let (files, bytes) = bundle::export(&dir, file, since.as_ref())?;
    if json {
        return print_json(&serde_json::json!({ "bundle": file, "files": files, "bytes": bytes }));
    }
    println!(
        "Wrote {} with {files} file(s) ({bytes} bytes) of {}.",
        file.display(),
        dir.display()
    );
    Ok(())
}

/// `amanat bundle import FILE`.
pub fn import(ctx: &Ctx, file: &Path, mirror: Option<PathBuf>, json: bool) -> Result<(), CliError> {
    let dir = dir(ctx, mirror);
    let files = bundle::import(file, &dir)?;
    if json {
        return print_json(&serde_json::json!({ "mirror": dir, "files": files }));
    }
    println!("Imported {files} file(s) into {}.", dir.display());
    Ok(())
}
