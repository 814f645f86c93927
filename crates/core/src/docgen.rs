//! Man pages and shell completions from a binary's clap definition, for the
//! Debian package (`amanatd generate-docs`, `amanat generate-docs`).

use clap_complete::Shell;
use std::path::{Path, PathBuf};

/// Writes `cmd`'s man pages under `out/man` and its bash, zsh and fish
/// completions under `out/completions`; returns every file written, sorted.
pub fn generate(mut cmd: clap::Command, out: &Path) -> std::io::Result<Vec<PathBuf>> {
    let man = out.join("man");
    let comp = out.join("completions");
    for d in [&man, &comp] {
        std::fs::create_dir_all(d)?;
    }
    let before: Vec<PathBuf> = list(&man)?;
    clap_mangen::generate_to(cmd.clone(), &man)?;
    let name = cmd.get_name().to_string();
    let mut written = Vec::new();
    for shell in [Shell::Bash, Shell::Zsh, Shell::Fish] {
        written.push(clap_complete::generate_to(shell, &mut cmd, &name, &comp)?);
    }
    written.extend(list(&man)?.into_iter().filter(|p| !before.contains(p)));
    written.sort();
    Ok(written)
}

fn list(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut v = Vec::new();
    for e in std::fs::read_dir(dir)? {
        v.push(e?.path());
    }
    Ok(v)
}
