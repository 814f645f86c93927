//! `amanat generate-docs` (hidden): the man pages and shell completions,
//! generated from the command-line definitions, for packaging.

use crate::args::Args;
use crate::exit::CliError;
use clap::CommandFactory;
use std::path::Path;

/// Writes the docs under `out` and prints each file's path.
pub fn run(out: &Path) -> Result<(), CliError> {
    for p in amanat_core::docgen::generate(Args::command(), out)
        .map_err(|e| CliError::general(format!("{}: {e}", out.display())))?
    {
        println!("{}", p.display());
    }
    Ok(())
}
