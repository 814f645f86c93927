//! `age-plugin-amanattest`: a software stand-in for a hardware key, for
//! Amanat's tests only (never packaged, never installed).
//!
//! It speaks the real age plugin protocol (through the `age-plugin` crate)
//! and unwraps the stanzas age seals natively to hardware-backed keys,
//! exactly as age-plugin-yubikey, age-plugin-se and age-plugin-tpm do:
//!
//! - `p256tag` for an `age1tag1…` recipient (P-256, HPKE base mode);
//! - `mlkem768p256tag` for an `age1tagpq1…` recipient (ML-KEM-768 + P-256).
//!
//! The secret is not in hardware but in the identity string itself
//! (`AGE-PLUGIN-AMANATTEST-1…` holds a kind byte and a 32-byte secret), so
//! it protects nothing: it exists so that tests drive the protocol end to
//! end. Like a real key it tells the user to touch it, through age's
//! message callback, before it unwraps.
//!
//! `age-plugin-amanattest --generate [--pq]` prints a new identity file: a
//! comment with the recipient, then the identity line.
#![forbid(unsafe_code)]

mod kem;

use age_core::format::{FileKey, Stanza};
use age_core::primitives::{bech32_encode, hpke_open};
use age_plugin::identity::{self, IdentityPluginV1};
use age_plugin::{Callbacks, PluginHandler, run_state_machine};
use base64::Engine;
use base64::prelude::BASE64_STANDARD_NO_PAD;
use hkdf::Hkdf;
use hpke::{Deserializable, Kem as _, Serializable};
use p256::elliptic_curve::sec1::ToEncodedPoint;
use rand_core_06::{OsRng, RngCore};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::convert::Infallible;
use std::io;
use std::process::ExitCode;
use zeroize::Zeroizing;

const PLUGIN_NAME: &str = "amanattest";
/// The message a user of a hardware key sees before touching it.
pub const TOUCH_MESSAGE: &str = "age-plugin-amanattest: touch your (software test) key";

const KIND_TAG: u8 = 1;
const KIND_TAGPQ: u8 = 2;

const P256TAG: &str = "p256tag";
const P256TAG_SALT: &str = "age-encryption.org/p256tag";
const MLKEM768P256TAG: &str = "mlkem768p256tag";
const MLKEM768P256TAG_SALT: &str = "age-encryption.org/mlkem768p256tag";

type P256Kem = hpke::kem::DhP256HkdfSha256;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let machine = args
        .iter()
        .find_map(|a| a.strip_prefix("--age-plugin=").map(str::to_owned))
        .or_else(|| {
            let i = args.iter().position(|a| a == "--age-plugin")?;
            args.get(i + 1).cloned()
        });
    if let Some(machine) = machine {
        return match run_state_machine(&machine, Handler) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("age-plugin-amanattest: {e}");
                ExitCode::FAILURE
            }
        };
    }
    if args.iter().any(|a| a == "--generate") {
        let pq = args.iter().any(|a| a == "--pq");
        return match generate(if pq { KIND_TAGPQ } else { KIND_TAG }) {
            Some(text) => {
                print!("{}", text.as_str());
                ExitCode::SUCCESS
            }
            None => ExitCode::FAILURE,
        };
    }
    eprintln!(
        "usage: age-plugin-amanattest --generate [--pq]\n\
         A software test key for Amanat's tests; it protects nothing."
    );
    ExitCode::from(2)
}

/// A new identity file's text: the recipient in a comment, then the
/// identity line (`None` in the negligible case of an unusable seed).
fn generate(kind: u8) -> Option<Zeroizing<String>> {
    let mut secret = Zeroizing::new([0u8; 32]);
    OsRng.fill_bytes(&mut secret[..]);
    let key = Key::from_parts(kind, &secret[..])?;
    let mut bytes = Zeroizing::new(vec![kind]);
    bytes.extend_from_slice(&secret[..]);
    let hrp = bech32::Hrp::parse(&format!("age-plugin-{PLUGIN_NAME}-")).ok()?;
    let identity = Zeroizing::new(bech32_encode(hrp, &bytes).to_uppercase());
    Some(Zeroizing::new(format!(
        "# age-plugin-amanattest (software test key, protects nothing)\n\
         # recipient: {}\n{}\n",
        key.recipient(),
        identity.as_str()
    )))
}

/// One identity's key.
enum Key {
    Tag(p256::SecretKey),
    TagPq(Box<kem::PrivateKey>),
}

impl Key {
    fn from_parts(kind: u8, secret: &[u8]) -> Option<Key> {
        match kind {
            KIND_TAG => p256::SecretKey::from_slice(secret).ok().map(Key::Tag),
            KIND_TAGPQ => kem::PrivateKey::from_bytes(secret)
                .ok()
                .map(|k| Key::TagPq(Box::new(k))),
            _ => None,
        }
    }

    /// The key's `age1tag1…` or `age1tagpq1…` recipient.
    fn recipient(&self) -> String {
        match self {
            Key::Tag(sk) => bech32_encode(
                bech32::Hrp::parse_unchecked("age1tag"),
                sk.public_key().to_encoded_point(true).as_bytes(),
            ),
            Key::TagPq(sk) => bech32_encode(
                bech32::Hrp::parse_unchecked("age1tagpq"),
                &kem::MlKem768P256::sk_to_pk(sk).to_bytes(),
            ),
        }
    }

    /// Unwraps one stanza addressed to this key: `None` if it is not for
    /// this key (another type, or a tag that does not match).
    fn unwrap(&self, stanza: &Stanza) -> Option<Result<FileKey, String>> {
        let (ty, salt, static_tag_of) = match self {
            Key::Tag(sk) => (
                P256TAG,
                P256TAG_SALT,
                sk.public_key().to_encoded_point(true).as_bytes().to_vec(),
            ),
            Key::TagPq(sk) => (
                MLKEM768P256TAG,
                MLKEM768P256TAG_SALT,
                kem::MlKem768P256::sk_to_pk(sk)
                    .ek_t
                    .to_encoded_point(false)
                    .as_bytes()
                    .to_vec(),
            ),
        };
        if stanza.tag != ty {
            return None;
        }
        let [tag, enc] = stanza.args.as_slice() else {
            return Some(Err("malformed stanza".into()));
        };
        let tag = BASE64_STANDARD_NO_PAD.decode(tag).ok()?;
        let enc = BASE64_STANDARD_NO_PAD.decode(enc).ok()?;
        // The stanza tag says which key it is for: HKDF-Extract(salt,
        // enc || SHA-256(recipient point)[..4])[..4], as age computes it.
        let ikm: Vec<u8> = enc
            .iter()
            .copied()
            .chain(Sha256::digest(&static_tag_of)[..4].iter().copied())
            .collect();
        let (prk, _) = Hkdf::<Sha256>::extract(Some(salt.as_bytes()), &ikm);
        if prk[..4] != tag[..] {
            return None;
        }
        let opened = match self {
            Key::Tag(sk) => {
                let sk = <P256Kem as hpke::Kem>::PrivateKey::from_bytes(&sk.to_bytes()).ok()?;
                let enc = <P256Kem as hpke::Kem>::EncappedKey::from_bytes(&enc).ok()?;
                hpke_open::<P256Kem>(&enc, &sk, salt.as_bytes(), &stanza.body)
            }
            Key::TagPq(sk) => {
                let enc = kem::EncappedKey::from_bytes(&enc).ok()?;
                hpke_open::<kem::MlKem768P256>(&enc, sk, salt.as_bytes(), &stanza.body)
            }
        };
        let plain = Zeroizing::new(match opened {
            Ok(p) => p,
            Err(_) => return Some(Err("the stanza does not open with this key".into())),
        });
        Some(FileKey::try_init_with_mut(|k| {
            if plain.len() == k.len() {
                k.copy_from_slice(&plain);
                Ok(())
            } else {
                Err("the file key has the wrong length".to_string())
            }
        }))
    }
}

struct Handler;

impl PluginHandler for Handler {
    type RecipientV1 = Infallible;
    type IdentityV1 = Identities;

    fn identity_v1(self) -> io::Result<Identities> {
        Ok(Identities(Vec::new()))
    }
}

/// The identities age handed over for one session.
struct Identities(Vec<Key>);

impl IdentityPluginV1 for Identities {
    fn add_identity(
        &mut self,
        index: usize,
        plugin_name: &str,
        bytes: &[u8],
    ) -> Result<(), identity::Error> {
        let key = (plugin_name == PLUGIN_NAME)
            .then(|| bytes.split_first())
            .flatten()
            .and_then(|(kind, secret)| Key::from_parts(*kind, secret));
        match key {
            Some(k) => {
                self.0.push(k);
                Ok(())
            }
            None => Err(identity::Error::Identity {
                index,
                message: "not an amanattest identity".into(),
            }),
        }
    }

    fn unwrap_file_keys(
        &mut self,
        files: Vec<Vec<Stanza>>,
        mut callbacks: impl Callbacks<identity::Error>,
    ) -> io::Result<HashMap<usize, Result<FileKey, Vec<identity::Error>>>> {
        let mut out = HashMap::new();
        for (file_index, stanzas) in files.iter().enumerate() {
            'stanzas: for (stanza_index, stanza) in stanzas.iter().enumerate() {
                for key in &self.0 {
                    let Some(result) = key.unwrap(stanza) else {
                        continue;
                    };
                    // As a hardware key asks for a touch before it unwraps.
                    let _ = callbacks.message(TOUCH_MESSAGE)?;
                    let result = result.map_err(|message| {
                        vec![identity::Error::Stanza {
                            file_index,
                            stanza_index,
                            message,
                        }]
                    });
                    out.insert(file_index, result);
                    break 'stanzas;
                }
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests;
