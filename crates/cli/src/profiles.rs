//! Named profiles: one desk reading several servers.
//!
//! A desk may run several independent instances (onion services in
//! different jurisdictions, so that the seizure or block of one does not
//! stop intake). Each server the CLI logs in to is a *profile* with its own
//! session, pins and audit anchors in a directory of its own:
//!
//! - the `default` profile is the config dir itself, exactly as before
//!   profiles existed, so an existing config dir keeps working unchanged;
//! - a named profile `geneva` lives in `<config dir>/profiles/geneva/`.
//!
//! A report id may be qualified with its profile, `geneva:ab12…`, wherever
//! a command takes an id; `list --all-profiles` prints ids in that form.
//! The same identity file may be enrolled on, and used with, any number of
//! profiles: nothing here stores a secret, only each profile's session.

use crate::commands::Ctx;
use crate::exit::{CliError, Exit};
use crate::session;
use std::fmt;
use std::path::{Path, PathBuf};

/// The name of the profile that is the config dir itself.
pub const DEFAULT: &str = "default";

/// The subdirectory of the config dir holding the named profiles.
pub const PROFILES_DIR: &str = "profiles";

/// Longest profile name accepted.
pub const MAX_NAME: usize = 32;

/// A valid profile name: a lowercase letter, then up to 31 lowercase
/// letters, digits, `-` or `_` (so it is a safe directory name and never
/// contains the `:` that qualifies an id).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Profile(String);

impl Profile {
    /// The `default` profile.
    pub fn default_profile() -> Profile {
        Profile(DEFAULT.to_string())
    }

    /// Parses a profile name, with a message that says what is allowed.
    pub fn parse(name: &str) -> Result<Profile, String> {
        let mut chars = name.chars();
        let first_ok = chars.next().is_some_and(|c| c.is_ascii_lowercase());
        let rest_ok =
            chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
        if first_ok && rest_ok && name.len() <= MAX_NAME {
            Ok(Profile(name.to_string()))
        } else {
            Err(format!(
                "{name:?} is not a profile name: use a lowercase letter, then up to {} lowercase \
                 letters, digits, '-' or '_' (e.g. geneva)",
                MAX_NAME - 1
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_default(&self) -> bool {
        self.0 == DEFAULT
    }

    /// The directory holding this profile's session and state.
    pub fn dir(&self, root: &Path) -> PathBuf {
        if self.is_default() {
            root.to_path_buf()
        } else {
            root.join(PROFILES_DIR).join(&self.0)
        }
    }

    /// `geneva:ID` (the default profile qualifies ids too, as `default:ID`).
    pub fn qualify(&self, id: &str) -> String {
        format!("{}:{id}", self.0)
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for Profile {
    type Err = String;
    fn from_str(s: &str) -> Result<Profile, String> {
        Profile::parse(s)
    }
}

/// An id as a command line gives it: `ID` or `PROFILE:ID`.
pub fn split_id(arg: &str) -> Result<(Option<Profile>, &str), CliError> {
    match arg.split_once(':') {
        None => Ok((None, arg)),
        Some((p, id)) => {
            let p = Profile::parse(p).map_err(|e| {
                CliError::new(Exit::NotFound, format!("{arg:?} is not a report id: {e}"))
            })?;
            Ok((Some(p), id))
        }
    }
}

/// The profiles with a saved session, default first, then by name.
pub fn logged_in(root: &Path) -> Result<Vec<Profile>, CliError> {
    let mut found = Vec::new();
    if root.join(session::SESSION_FILE).exists() {
        found.push(Profile::default_profile());
    }
    let dir = root.join(PROFILES_DIR);
    let entries = match std::fs::read_dir(&dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(found),
        Err(e) => {
            return Err(CliError::general(format!(
                "cannot read {}: {e}",
                dir.display()
            )));
        }
    };
    let mut named = Vec::new();
    for entry in entries.flatten() {
        // A directory whose name is not a profile name was not made here.
        let Some(p) = entry
            .file_name()
            .to_str()
            .and_then(|n| Profile::parse(n).ok())
        else {
            continue;
        };
        if !p.is_default() && entry.path().join(session::SESSION_FILE).exists() {
            named.push(p);
        }
    }
    named.sort();
    found.extend(named);
    Ok(found)
}

impl Ctx {
    /// This context for another profile.
    pub fn with_profile(&self, profile: Profile) -> Ctx {
        Ctx {
            dir: profile.dir(&self.root),
            root: self.root.clone(),
            profile,
            profile_given: true,
            proxy: self.proxy.clone(),
            mirror: self.mirror.clone(),
            identity: self.identity.clone(),
            load_identity: self.load_identity,
        }
    }

    /// This context with the profile a command names itself (`login
    /// --profile`), which must agree with one named before the command.
    pub fn choose(&self, profile: Option<Profile>) -> Result<Ctx, CliError> {
        match profile {
            None => Ok(self.clone()),
            Some(p) if self.profile_given && p != self.profile => Err(CliError::usage(format!(
                "two profiles were named, {} and {p}: name one",
                self.profile
            ))),
            Some(p) => Ok(self.with_profile(p)),
        }
    }

    /// The context and bare id for an id argument, `ID` or `PROFILE:ID`.
    /// A qualified id selects its profile; naming a different one with
    /// `--profile` is a usage error rather than a guess.
    pub fn for_id(&self, arg: &str) -> Result<(Ctx, String), CliError> {
        let (profile, id) = split_id(arg)?;
        match profile {
            None => Ok((self.clone(), id.to_string())),
            Some(p) if self.profile_given && p != self.profile => Err(CliError::usage(format!(
                "the id {arg:?} belongs to profile {p}, but profile {} was chosen (by --profile \
                 or an earlier id): name the ids of one profile at a time",
                self.profile
            ))),
            Some(p) => Ok((self.with_profile(p), id.to_string())),
        }
    }

    /// The context and bare ids for several id arguments, which must all
    /// belong to one profile.
    pub fn for_ids(&self, args: &[String]) -> Result<(Ctx, Vec<String>), CliError> {
        let mut ctx = self.clone();
        let mut ids = Vec::with_capacity(args.len());
        for arg in args {
            let (c, id) = ctx.for_id(arg)?;
            ctx = Ctx {
                profile_given: true,
                ..c
            };
            ids.push(id);
        }
        Ok((ctx, ids))
    }
}

#[cfg(test)]
mod tests;
