//! The reviewer's age identity: generation (`amanat keygen`) and loading.
//!
//! Identity files are the standard age format, so files made by
//! `age-keygen` or `rage-keygen` work, plain or passphrase-protected (age's
//! scrypt, armored or binary). Files readable by group or others are
//! refused. Secrets stay in zeroizing buffers. Plugin (hardware) identities
//! are not supported: the server encrypts to X25519 recipients only.

use age::secrecy::SecretString;
use age::x25519;
use std::io::{Read, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;
use zeroize::Zeroizing;

/// Environment variable with the identity passphrase (for scripts and tests).
pub const PASSPHRASE_VAR: &str = "AMANAT_PASSPHRASE";

/// A loaded identity and its public recipient.
pub struct LoadedIdentity {
    pub identity: x25519::Identity,
    pub recipient: String,
}

/// Writes a new identity file (mode 0600, never overwriting) and returns the
/// recipient. With `passphrase`, the file is encrypted with age's scrypt.
pub fn keygen(path: &Path, passphrase: Option<Zeroizing<String>>) -> Result<String, String> {
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
            let armor =
                age::armor::ArmoredWriter::wrap_output(&mut out, age::armor::Format::AsciiArmor)
                    .map_err(|e| e.to_string())?;
            let mut w = enc.wrap_output(armor).map_err(|e| e.to_string())?;
            w.write_all(text.as_bytes()).map_err(|e| e.to_string())?;
            w.finish()
                .and_then(|a| a.finish())
                .map_err(|e| e.to_string())?;
            Zeroizing::new(out)
        }
    };
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => format!(
                "{} already exists; refusing to overwrite an identity (choose another path)",
                path.display()
            ),
            _ => format!("cannot create {}: {e}", path.display()),
        })?;
    f.write_all(&content)
        .and_then(|_| f.sync_all())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(recipient)
}

/// Loads an identity file, asking for the passphrase if it is encrypted.
pub fn load(path: &Path) -> Result<LoadedIdentity, String> {
    let meta = std::fs::metadata(path)
        .map_err(|e| format!("cannot read identity file {}: {e}", path.display()))?;
    if meta.permissions().mode() & 0o077 != 0 {
        return Err(format!(
            "identity file {} can be read by other users; protect it with `chmod 600 {}` and try again",
            path.display(),
            path.display()
        ));
    }
    let mut raw = Zeroizing::new(Vec::new());
    std::fs::File::open(path)
        .and_then(|f| f.take(1 << 20).read_to_end(&mut raw))
        .map_err(|e| format!("cannot read identity file {}: {e}", path.display()))?;
    let text = if looks_encrypted(&raw) {
        decrypt_identity_file(&raw, path)?
    } else {
        Zeroizing::new(
            String::from_utf8(raw.to_vec())
                .map_err(|_| format!("{} is not an age identity file", path.display()))?,
        )
    };
    parse_identity_text(&text, path)
}

fn looks_encrypted(raw: &[u8]) -> bool {
    raw.starts_with(b"age-encryption.org/v1")
        || raw.starts_with(b"-----BEGIN AGE ENCRYPTED FILE-----")
}

fn decrypt_identity_file(raw: &[u8], path: &Path) -> Result<Zeroizing<String>, String> {
    let dec = age::Decryptor::new_buffered(age::armor::ArmoredReader::new(raw)).map_err(|e| {
        format!(
            "{} is not a valid encrypted identity: {e:?}",
            path.display()
        )
    })?;
    if !dec.is_scrypt() {
        return Err(format!(
            "{} is encrypted to a key, not a passphrase; it is not an identity file",
            path.display()
        ));
    }
    let pass = passphrase(&format!("Passphrase for {}", path.display()), false)?;
    let id = age::scrypt::Identity::new(SecretString::from(pass.to_string()));
    let mut r = dec
        .decrypt(std::iter::once(&id as &dyn age::Identity))
        .map_err(|_| "wrong passphrase (or the file is damaged)".to_string())?;
    let mut out = Zeroizing::new(Vec::new());
    r.read_to_end(&mut out)
        .map_err(|_| "wrong passphrase (or the file is damaged)".to_string())?;
    String::from_utf8(out.to_vec())
        .map(Zeroizing::new)
        .map_err(|_| format!("{} does not contain an identity", path.display()))
}

fn parse_identity_text(text: &str, path: &Path) -> Result<LoadedIdentity, String> {
    let mut found = None;
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if line.starts_with("AGE-PLUGIN-") {
            return Err(format!(
                "{} holds a plugin (hardware) identity; Amanat supports X25519 identities only \
                 (make one with `amanat keygen`)",
                path.display()
            ));
        }
        let id: x25519::Identity = line.parse().map_err(|_| {
            format!(
                "{} contains a line that is not an age identity",
                path.display()
            )
        })?;
        if found.is_none() {
            found = Some(id);
        }
    }
    let identity = found.ok_or_else(|| format!("{} contains no age identity", path.display()))?;
    Ok(LoadedIdentity {
        recipient: identity.to_public().to_string(),
        identity,
    })
}

/// Reads a passphrase from `AMANAT_PASSPHRASE` or the terminal.
pub fn passphrase(prompt: &str, confirm: bool) -> Result<Zeroizing<String>, String> {
    if let Ok(p) = std::env::var(PASSPHRASE_VAR) {
        return Ok(Zeroizing::new(p));
    }
    let p = Zeroizing::new(
        rpassword::prompt_password(format!("{prompt}: ")).map_err(|e| {
            format!("cannot read a passphrase from the terminal ({e}); set {PASSPHRASE_VAR}")
        })?,
    );
    if p.is_empty() {
        return Err("the passphrase is empty".into());
    }
    if confirm {
        let again = Zeroizing::new(
            rpassword::prompt_password("Repeat the passphrase: ").map_err(|e| e.to_string())?,
        );
        if !crate::crypto::ct_eq(p.as_bytes(), again.as_bytes()) {
            return Err("the passphrases do not match".into());
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
        assert!(keygen(&p, None).unwrap_err().contains("already exists"));
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert!(load(&p).err().unwrap().contains("chmod 600"));
    }

    #[test]
    fn plugin_and_garbage_files_are_refused_clearly() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("k.txt");
        let e = parse_identity_text("AGE-PLUGIN-YUBIKEY-1XYZ\n", &p)
            .err()
            .unwrap();
        assert!(e.contains("plugin"), "{e}");
        let e = parse_identity_text("# nothing\n", &p).err().unwrap();
        assert!(e.contains("no age identity"), "{e}");
        let e = parse_identity_text("hello\n", &p).err().unwrap();
        assert!(e.contains("not an age identity"), "{e}");
    }
}
