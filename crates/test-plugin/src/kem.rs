//! The ML-KEM-768 + P-256 hybrid KEM of age's `mlkem768p256tag` stanzas, as
//! an HPKE KEM: a copy of age 0.12's private `native/tagpq/kem.rs` (MIT OR
//! Apache-2.0, by the age authors), reduced to what a plugin needs: the
//! private key from its 32-byte seed, and decapsulation. Encapsulation is
//! age's own (the server seals with `age::tagpq::Recipient`); the tests
//! prove the two agree by opening what age sealed.

use cipher::{
    Unsigned,
    consts::{U32, U65},
    typenum,
};
use hpke::{Deserializable, HpkeError, Serializable, kem::SharedSecret};
use ml_kem::{Ciphertext, EncodedSizeUser, KemCore, MlKem768, kem::Decapsulate};
use p256::elliptic_curve::sec1::{FromEncodedPoint, ToEncodedPoint};
use sha3::{
    Sha3_256, Shake256,
    digest::{ExtendableOutput, FixedOutput, OutputSizeUser, Update, XofReader},
};
use zeroize::Zeroize;

const LABEL: &[u8] = b"MLKEM768-P256";
type KemNct = <MlKem768 as KemCore>::CiphertextSize;
type KemNek = <<MlKem768 as KemCore>::EncapsulationKey as EncodedSizeUser>::EncodedSize;
type GroupNelem = U65;

/// The private key: its seed, expanded.
#[derive(Clone)]
pub struct PrivateKey {
    seed: [u8; 32],
    dk_pq: <MlKem768 as KemCore>::DecapsulationKey,
    dk_t: p256::SecretKey,
}

impl Drop for PrivateKey {
    fn drop(&mut self) {
        self.seed.zeroize();
    }
}

impl PartialEq for PrivateKey {
    fn eq(&self, other: &Self) -> bool {
        self.seed == other.seed
    }
}
impl Eq for PrivateKey {}

impl Deserializable for PrivateKey {
    fn from_bytes(encoded: &[u8]) -> Result<Self, HpkeError> {
        let seed: [u8; 32] = encoded.try_into().map_err(|_| {
            HpkeError::IncorrectInputLength(Self::OutputSize::to_usize(), encoded.len())
        })?;
        let (_, _, dk_pq, dk_t) = expand_key(&seed).ok_or(HpkeError::ValidationError)?;
        Ok(Self { seed, dk_pq, dk_t })
    }
}

impl Serializable for PrivateKey {
    type OutputSize = U32;
    fn write_exact(&self, buf: &mut [u8]) {
        buf.copy_from_slice(&self.seed);
    }
}

/// The public key: the ML-KEM-768 encapsulation key, then the P-256 point
/// uncompressed (the bytes of an `age1tagpq1…` recipient).
#[derive(Clone, Debug, PartialEq)]
pub struct PublicKey {
    pub ek_pq: <MlKem768 as KemCore>::EncapsulationKey,
    pub ek_t: p256::PublicKey,
}

impl Eq for PublicKey {}

impl Deserializable for PublicKey {
    fn from_bytes(_: &[u8]) -> Result<Self, HpkeError> {
        // A plugin derives its public key from the private one; it never
        // parses one.
        Err(HpkeError::ValidationError)
    }
}

impl Serializable for PublicKey {
    type OutputSize = typenum::Sum<KemNek, GroupNelem>;
    fn write_exact(&self, buf: &mut [u8]) {
        let n = KemNek::to_usize();
        buf[..n].copy_from_slice(&self.ek_pq.as_bytes());
        buf[n..].copy_from_slice(self.ek_t.to_encoded_point(false).as_bytes());
    }
}

/// The encapsulated key: the ML-KEM ciphertext, then the P-256 ephemeral
/// point uncompressed.
#[derive(Clone)]
pub struct EncappedKey {
    ct_pq: Ciphertext<MlKem768>,
    ct_t: p256::EncodedPoint,
}

impl Deserializable for EncappedKey {
    fn from_bytes(encoded: &[u8]) -> Result<Self, HpkeError> {
        if encoded.len() != Self::OutputSize::to_usize() {
            return Err(HpkeError::IncorrectInputLength(
                Self::OutputSize::to_usize(),
                encoded.len(),
            ));
        }
        let (encoded_pq, encoded_t) = encoded.split_at(KemNct::to_usize());
        let ct_pq = <[u8; KemNct::USIZE]>::try_from(encoded_pq)
            .map_err(|_| HpkeError::ValidationError)?
            .into();
        let ct_t =
            p256::EncodedPoint::from_bytes(encoded_t).map_err(|_| HpkeError::ValidationError)?;
        if ct_t.is_compressed() {
            return Err(HpkeError::ValidationError);
        }
        Ok(Self { ct_pq, ct_t })
    }
}

impl Serializable for EncappedKey {
    type OutputSize = typenum::Sum<KemNct, GroupNelem>;
    fn write_exact(&self, buf: &mut [u8]) {
        let n = KemNct::to_usize();
        buf[..n].copy_from_slice(&self.ct_pq.0);
        buf[n..].copy_from_slice(self.ct_t.as_bytes());
    }
}

/// The hybrid KEM (HPKE KEM id 0x0050).
pub struct MlKem768P256;

impl hpke::Kem for MlKem768P256 {
    type PublicKey = PublicKey;
    type PrivateKey = PrivateKey;
    type EncappedKey = EncappedKey;
    type NSecret = <Sha3_256 as OutputSizeUser>::OutputSize;
    const KEM_ID: u16 = 0x0050;

    fn sk_to_pk(sk: &PrivateKey) -> PublicKey {
        PublicKey {
            ek_pq: sk.dk_pq.encapsulation_key().clone(),
            ek_t: sk.dk_t.public_key(),
        }
    }

    fn derive_keypair(_: &[u8]) -> (PrivateKey, PublicKey) {
        // HPKE's DeriveKeyPair is never used by age's tag stanzas; keys
        // come from a seed (`PrivateKey::from_bytes`). Unreachable here.
        unimplemented!("not used by age's mlkem768p256tag stanzas")
    }

    fn decap(
        sk: &PrivateKey,
        pk_sender_id: Option<&PublicKey>,
        encapped: &EncappedKey,
    ) -> Result<SharedSecret<Self>, HpkeError> {
        if pk_sender_id.is_some() {
            return Err(HpkeError::DecapError);
        }
        let ct_t = p256::PublicKey::from_encoded_point(&encapped.ct_t)
            .into_option()
            .ok_or(HpkeError::DecapError)?;
        let ss_pq = sk
            .dk_pq
            .decapsulate(&encapped.ct_pq)
            .map_err(|()| HpkeError::DecapError)?;
        let ss_t = p256::ecdh::diffie_hellman(sk.dk_t.to_nonzero_scalar(), ct_t.as_affine());
        let mut h = Sha3_256::default();
        h.update(&ss_pq);
        h.update(ss_t.raw_secret_bytes());
        h.update(encapped.ct_t.as_bytes());
        h.update(sk.dk_t.public_key().to_encoded_point(false).as_bytes());
        h.update(LABEL);
        Ok(SharedSecret(h.finalize_fixed()))
    }

    fn encap<R: rand_core_06::CryptoRng + rand_core_06::RngCore>(
        _: &PublicKey,
        _: Option<(&PrivateKey, &PublicKey)>,
        _: &mut R,
    ) -> Result<(SharedSecret<Self>, EncappedKey), HpkeError> {
        // A plugin only unwraps; age seals.
        Err(HpkeError::EncapError)
    }
}

/// The seed's keys, as age expands them: SHAKE-256 of the seed gives 64
/// bytes for ML-KEM-768 (d, z) and 128 for P-256 (rejection sampling).
#[allow(clippy::type_complexity)]
fn expand_key(
    seed: &[u8; 32],
) -> Option<(
    <MlKem768 as KemCore>::EncapsulationKey,
    p256::PublicKey,
    <MlKem768 as KemCore>::DecapsulationKey,
    p256::SecretKey,
)> {
    let mut seed_pq = [0u8; 64];
    let mut seed_t = [0u8; 128];
    let mut xof = Shake256::default().chain(seed).finalize_xof();
    xof.read(&mut seed_pq);
    xof.read(&mut seed_t);
    let mut d = [0u8; 32];
    let mut z = [0u8; 32];
    d.copy_from_slice(&seed_pq[..32]);
    z.copy_from_slice(&seed_pq[32..]);
    let (dk_pq, ek_pq) = MlKem768::generate_deterministic(&d.into(), &z.into());
    let dk_t = seed_t
        .chunks_exact(32)
        .find_map(|c| p256::SecretKey::from_slice(c).ok());
    for s in [&mut d[..], &mut z[..], &mut seed_pq[..], &mut seed_t[..]] {
        s.zeroize();
    }
    let dk_t = dk_t?;
    Some((ek_pq, dk_t.public_key(), dk_pq, dk_t))
}
