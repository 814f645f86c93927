//! `amanat keygen`: a new age identity (the reviewer's "CLI key"), written
//! 0600 and never overwriting, optionally passphrase-protected; only its
//! recipient is printed.

use crate::exit::CliError;
use amanat_core::keyfile as keys;
use std::path::Path;

/// Writes the identity to `output` and prints its recipient.
pub fn run(output: &Path, passphrase: bool) -> Result<(), CliError> {
    let pass = if passphrase {
        Some(keys::passphrase("New passphrase", true)?)
    } else {
        None
    };
    let recipient = keys::keygen(output, pass)?;
    eprintln!(
        "Identity written to {} (keep it private; it opens reports).\n\
         Send only this recipient to your operator:",
        output.display()
    );
    println!("{recipient}");
    Ok(())
}
