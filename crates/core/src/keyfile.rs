//! The reviewer's age identity: generation (`amanat keygen`) and loading.
//!
//! Identity files are the standard age format, so files made by
//! `age-keygen` or `rage-keygen` work, plain or passphrase-protected (age's
//! scrypt, armored or binary). Files readable by group or others are
//! refused. Secrets stay in zeroizing buffers.
//!
//! Plugin (hardware) identity files, as age-plugin-yubikey, age-plugin-se or
//! age-plugin-tpm write them (comment lines, then `AGE-PLUGIN-<NAME>-1…`),
//! are read too: the identity line is kept as text for the CLI, which opens
//! envelopes through the plugin (age's `plugin` feature is the CLI's alone,
//! never the server's), and the recipient is the `age1tag1…` or
//! `age1tagpq1…` key the plugin wrote in a comment.

use age::secrecy::SecretString;
use age::x25519;
use std::io::{Read, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;
use zeroize::Zeroizing;

/// Why an identity file could not be made or read. The messages name the
/// file and say what to do; they never contain key material.
#[derive(Debug, thiserror::Error)]
pub enum KeyfileError {
    #[error("{} already exists; refusing to overwrite an identity (choose another path)", .0.display())]
    Exists(std::path::PathBuf),
    #[error("cannot create {}: {source}", .path.display())]
    Create {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write {}: {source}", .path.display())]
    Write {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("{0}")]
    Encrypt(String),
    #[error("cannot read identity file {}: {source}", .path.display())]
    Read {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error(
        "identity file {} can be read by other users; protect it with `chmod 600 {}` and try again",
        .0.display(),
        .0.display()
    )]
    Readable(std::path::PathBuf),
    #[error("{} is not an age identity file", .0.display())]
    NotIdentityFile(std::path::PathBuf),
    #[error("{} is not a valid encrypted identity: {detail}", .path.display())]
    BadEncryption {
        path: std::path::PathBuf,
        detail: String,
    },
    #[error("{} is encrypted to a key, not a passphrase; it is not an identity file", .0.display())]
    EncryptedToKey(std::path::PathBuf),
    #[error("wrong passphrase (or the file is damaged)")]
    WrongPassphrase,
    #[error("{} does not contain an identity", .0.display())]
    NoIdentityInside(std::path::PathBuf),
    #[error(
        "{} holds a plugin (hardware) identity but no age1tag1… or age1tagpq1… recipient in \
         its comments; add the line `# recipient: age1tag1…` with the recipient your plugin \
         printed (docs/reviewers.md)",
        .0.display()
    )]
    PluginWithoutRecipient(std::path::PathBuf),
    #[error("{} contains a line that is not an age identity", .0.display())]
    BadLine(std::path::PathBuf),
    #[error("{} contains no age identity", .0.display())]
    NoIdentity(std::path::PathBuf),
    #[error("cannot read a passphrase from the terminal ({0}); set {PASSPHRASE_VAR}")]
    Terminal(std::io::Error),
    #[error("the passphrase is empty")]
    EmptyPassphrase,
    #[error("the passphrases do not match")]
    Mismatch,
}

/// Environment variable with the identity passphrase (for scripts and tests).
pub const PASSPHRASE_VAR: &str = "AMANAT_PASSPHRASE";

/// A loaded identity and its public recipient.
pub struct LoadedIdentity {
    pub key: IdentityKey,
    /// `age1…`, or for a plugin identity the `age1tag1…`/`age1tagpq1…` key
    /// from the file's comments.
    pub recipient: String,
}

/// The secret half of a reviewer's key.
pub enum IdentityKey {
    /// A software X25519 key (`AGE-SECRET-KEY-1…`).
    X25519(x25519::Identity),
    /// A key held by a plugin (hardware): only a handle to it is in the file.
    Plugin(PluginIdentity),
}

/// An `AGE-PLUGIN-<NAME>-1…` line, kept as text (zeroized on drop) for the
/// CLI to hand to the plugin through age.
pub struct PluginIdentity {
    name: String,
    text: Zeroizing<String>,
}

impl PluginIdentity {
    /// Reads an `AGE-PLUGIN-<NAME>-1…` line; `None` if it is not one. The
    /// Bech32 checksum is checked by age when the CLI parses it.
    pub fn parse(line: &str) -> Option<PluginIdentity> {
        let rest = line.strip_prefix("AGE-PLUGIN-")?;
        // The Bech32 separator is the last `1`; the name ends with `-`.
        let (hrp_rest, data) = rest.rsplit_once('1')?;
        let name = hrp_rest.strip_suffix('-')?.to_ascii_lowercase();
        let valid = |c: char| c.is_ascii_alphanumeric() || "+-._".contains(c);
        if name.is_empty() || !name.chars().all(valid) || data.is_empty() {
            return None;
        }
        if line.chars().any(|c| c.is_ascii_lowercase()) {
            return None;
        }
        Some(PluginIdentity {
            name,
            text: Zeroizing::new(line.to_string()),
        })
    }

    /// The plugin's name (`yubikey`, `se`, `tpm`, …).
    pub fn plugin_name(&self) -> &str {
        &self.name
    }

    /// The program age runs for it: `age-plugin-<name>`.
    pub fn binary_name(&self) -> String {
        format!("age-plugin-{}", self.name)
    }

    /// The identity line, to hand to age.
    pub fn expose(&self) -> &str {
        &self.text
    }
}

/// Writes a new identity file (mode 0600, never overwriting) and returns the
/// recipient. With `passphrase`, the file is encrypted with age's scrypt.
pub fn keygen(path: &Path, passphrase: Option<Zeroizing<String>>) -> Result<String, KeyfileError> {
    let (secret, recipient) = crate::crypto::keys::generate();
    let text = Zeroizing::new(format!(
        "# created: {} by amanat keygen\n# public key: {recipient}\n{}\n",
        crate::timeutil::Day::today(),
        secret.as_str()
    ));
    let content: Zeroizing<Vec<u8>> = match passphrase {
        None => Zeroizing::new(text.as_bytes().to_vec()),
        Some(p) => {
            let enc = age::Encryptor::with_user_passphrase(SecretString::from(p.to_string()));
            let mut out = Vec::new();
            let fail = |e: std::io::Error| KeyfileError::Encrypt(e.to_string());
            let armor =
                age::armor::ArmoredWriter::wrap_output(&mut out, age::armor::Format::AsciiArmor)
                    .map_err(fail)?;
            let mut w = enc.wrap_output(armor).map_err(fail)?;
            w.write_all(text.as_bytes()).map_err(fail)?;
            w.finish().and_then(|a| a.finish()).map_err(fail)?;
            Zeroizing::new(out)
        }
    };
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => KeyfileError::Exists(path.to_path_buf()),
            _ => KeyfileError::Create {
                path: path.to_path_buf(),
                source: e,
            },
        })?;
    f.write_all(&content)
        .and_then(|_| f.sync_all())
        .map_err(|e| KeyfileError::Write {
            path: path.to_path_buf(),
            source: e,
        })?;
    Ok(recipient)
}

/// Loads an identity file, asking for the passphrase if it is encrypted.
pub fn load(path: &Path) -> Result<LoadedIdentity, KeyfileError> {
    let read = |e| KeyfileError::Read {
        path: path.to_path_buf(),
        source: e,
    };
    let meta = std::fs::metadata(path).map_err(read)?;
    if meta.permissions().mode() & 0o077 != 0 {
        return Err(KeyfileError::Readable(path.to_path_buf()));
    }
    let mut raw = Zeroizing::new(Vec::new());
    std::fs::File::open(path)
        .and_then(|f| f.take(1 << 20).read_to_end(&mut raw))
        .map_err(read)?;
    let text = if looks_encrypted(&raw) {
        decrypt_identity_file(&raw, path)?
    } else {
        Zeroizing::new(
            String::from_utf8(raw.to_vec())
                .map_err(|_| KeyfileError::NotIdentityFile(path.to_path_buf()))?,
        )
    };
    parse_identity_text(&text, path)
}

fn looks_encrypted(raw: &[u8]) -> bool {
    raw.starts_with(b"age-encryption.org/v1")
        || raw.starts_with(b"-----BEGIN AGE ENCRYPTED FILE-----")
}

fn decrypt_identity_file(raw: &[u8], path: &Path) -> Result<Zeroizing<String>, KeyfileError> {
    let dec = age::Decryptor::new_buffered(age::armor::ArmoredReader::new(raw)).map_err(|e| {
        KeyfileError::BadEncryption {
            path: path.to_path_buf(),
            detail: format!("{e:?}"),
        }
    })?;
    if !dec.is_scrypt() {
        return Err(KeyfileError::EncryptedToKey(path.to_path_buf()));
    }
    let pass = passphrase(&format!("Passphrase for {}", path.display()), false)?;
    let id = age::scrypt::Identity::new(SecretString::from(pass.to_string()));
    let mut r = dec
        .decrypt(std::iter::once(&id as &dyn age::Identity))
        .map_err(|_| KeyfileError::WrongPassphrase)?;
    let mut out = Zeroizing::new(Vec::new());
    r.read_to_end(&mut out)
        .map_err(|_| KeyfileError::WrongPassphrase)?;
    String::from_utf8(out.to_vec())
        .map(Zeroizing::new)
        .map_err(|_| KeyfileError::NoIdentityInside(path.to_path_buf()))
}

fn parse_identity_text(text: &str, path: &Path) -> Result<LoadedIdentity, KeyfileError> {
    let mut found = None;
    let mut commented = None;
    for line in text.lines().map(str::trim) {
        if line.is_empty() {
            continue;
        }
        if let Some(comment) = line.strip_prefix('#') {
            if commented.is_none() {
                commented = recipient_in_comment(comment);
            }
            continue;
        }
        let key = if line.starts_with("AGE-PLUGIN-") {
            IdentityKey::Plugin(
                PluginIdentity::parse(line).ok_or_else(|| KeyfileError::BadLine(path.into()))?,
            )
        } else {
            IdentityKey::X25519(
                line.parse()
                    .map_err(|_| KeyfileError::BadLine(path.to_path_buf()))?,
            )
        };
        if found.is_none() {
            found = Some(key);
        }
    }
    let key = found.ok_or_else(|| KeyfileError::NoIdentity(path.to_path_buf()))?;
    let recipient = match &key {
        IdentityKey::X25519(id) => id.to_public().to_string(),
        IdentityKey::Plugin(_) => {
            commented.ok_or_else(|| KeyfileError::PluginWithoutRecipient(path.to_path_buf()))?
        }
    };
    Ok(LoadedIdentity { key, recipient })
}

/// A hardware recipient (`age1tag1…`, `age1tagpq1…`) named in a comment
/// such as `# public key: …` or `#    Recipient: …`.
fn recipient_in_comment(comment: &str) -> Option<String> {
    comment
        .split(|c: char| c.is_whitespace() || c == ':')
        .filter(|w| w.starts_with("age1tag"))
        .find_map(|w| w.parse::<crate::crypto::recipient::Recipient>().ok())
        .map(|r| r.to_string())
}

/// Asks the terminal for a secret without echo (a plugin's PIN); never
/// read from the environment.
pub fn ask_secret(prompt: &str) -> Result<Zeroizing<String>, KeyfileError> {
    rpassword::prompt_password(format!("{prompt}: "))
        .map(Zeroizing::new)
        .map_err(KeyfileError::Terminal)
}

/// Reads a passphrase from `AMANAT_PASSPHRASE` or the terminal.
pub fn passphrase(prompt: &str, confirm: bool) -> Result<Zeroizing<String>, KeyfileError> {
    if let Ok(p) = std::env::var(PASSPHRASE_VAR) {
        return Ok(Zeroizing::new(p));
    }
    let p = Zeroizing::new(
        rpassword::prompt_password(format!("{prompt}: ")).map_err(KeyfileError::Terminal)?,
    );
    if p.is_empty() {
        return Err(KeyfileError::EmptyPassphrase);
    }
    if confirm {
        let again = Zeroizing::new(
            rpassword::prompt_password("Repeat the passphrase: ")
                .map_err(KeyfileError::Terminal)?,
        );
        if !crate::crypto::ct_eq(p.as_bytes(), again.as_bytes()) {
            return Err(KeyfileError::Mismatch);
        }
    }
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keygen_then_load_plain_and_refuse_overwrite_and_open_modes() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("k.txt");
        let rec = keygen(&p, None).unwrap();
        assert_eq!(
            std::fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert_eq!(load(&p).unwrap().recipient, rec);
        assert!(
            keygen(&p, None)
                .unwrap_err()
                .to_string()
                .contains("already exists")
        );
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert!(load(&p).err().unwrap().to_string().contains("chmod 600"));
    }

    const TAG: &str = crate::crypto::recipient::tests::TAG;

    #[test]
    fn plugin_files_are_read_as_plugins_write_them() {
        let p = Path::new("k.txt");
        let text = format!(
            "#       Serial: 1, Slot: 1\n#    Recipient: {TAG}\n#   Touch policy: Always\n\
             AGE-PLUGIN-YUBIKEY-1QQPQZYQVQYQQ2\n"
        );
        let id = parse_identity_text(&text, p).unwrap();
        assert_eq!(id.recipient, TAG);
        let IdentityKey::Plugin(plugin) = id.key else {
            panic!("not a plugin identity")
        };
        assert_eq!(plugin.plugin_name(), "yubikey");
        assert_eq!(plugin.binary_name(), "age-plugin-yubikey");
        assert_eq!(plugin.expose(), "AGE-PLUGIN-YUBIKEY-1QQPQZYQVQYQQ2");
        let id = parse_identity_text(
            &format!("# public key: {TAG}\nAGE-PLUGIN-AMANAT.TEST-1QQQ\n"),
            p,
        )
        .unwrap();
        assert!(matches!(id.key, IdentityKey::Plugin(ref x) if x.plugin_name() == "amanat.test"));
    }

    #[test]
    fn plugin_and_garbage_files_are_refused_clearly() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("k.txt");
        let e = parse_identity_text("AGE-PLUGIN-YUBIKEY-1XYZ\n", &p)
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("plugin") && e.contains("# recipient:"), "{e}");
        for bad in [
            "AGE-PLUGIN-1XYZ",
            "AGE-PLUGIN-YUBIKEY-1",
            "AGE-PLUGIN-yubikey-1XYZ",
        ] {
            let text = format!("# recipient: {TAG}\n{bad}\n");
            let e = parse_identity_text(&text, &p).err().unwrap().to_string();
            assert!(e.contains("not an age identity"), "{bad}: {e}");
        }
        let e = parse_identity_text("# nothing\n", &p)
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("no age identity"), "{e}");
        let e = parse_identity_text("hello\n", &p)
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("not an age identity"), "{e}");
    }
}
