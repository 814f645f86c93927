//! Unit tests of the Ogg (Vorbis and Opus) stripper.

use super::crc::{crc_page, crc_update};
use crate::{Kind, Outcome, Removed, SanitizeError};

use super::*;
use crate::tests_util::*;

/// One page: flags, granule, serial, sequence, lacing and body.
pub(crate) fn page(flags: u8, granule: u64, serial: u32, seq: u32, packets: &[&[u8]]) -> Vec<u8> {
    let mut lacing = Vec::new();
    let mut body = Vec::new();
    for p in packets {
        let mut n = p.len();
        while n >= 255 {
            lacing.push(255);
            n -= 255;
        }
        lacing.push(n as u8);
        body.extend_from_slice(p);
    }
    let mut v = b"OggS\0".to_vec();
    v.push(flags);
    v.extend_from_slice(&granule.to_le_bytes());
    v.extend_from_slice(&serial.to_le_bytes());
    v.extend_from_slice(&seq.to_le_bytes());
    v.extend_from_slice(&[0; 4]);
    v.push(lacing.len() as u8);
    v.extend_from_slice(&lacing);
    v.extend_from_slice(&body);
    let crc = crc_page(&v);
    v[22..26].copy_from_slice(&crc.to_le_bytes());
    v
}

fn comment(magic: &[u8], vendor: &str, comments: &[&str], framing: bool) -> Vec<u8> {
    let mut v = magic.to_vec();
    v.extend_from_slice(&(vendor.len() as u32).to_le_bytes());
    v.extend_from_slice(vendor.as_bytes());
    v.extend_from_slice(&(comments.len() as u32).to_le_bytes());
    for c in comments {
        v.extend_from_slice(&(c.len() as u32).to_le_bytes());
        v.extend_from_slice(c.as_bytes());
    }
    if framing {
        v.push(1);
    }
    v
}

const OPUS_HEAD: &[u8] = b"OpusHead\x01\x01\x38\x01\x80\xBB\0\0\0\0\0";

fn opus_link(serial: u32, tags: &[u8]) -> Vec<u8> {
    let mut f = page(FLAG_BOS, 0, serial, 0, &[OPUS_HEAD]);
    f.extend(page(0, 0, serial, 1, &[tags]));
    f.extend(page(
        0,
        960,
        serial,
        2,
        &[b"\xF8audio-one", b"\xF8audio-two"],
    ));
    f.extend(page(FLAG_EOS, 1920, serial, 3, &[b"\xF8audio-three"]));
    f
}

/// An Ogg Opus stream whose tags name an artist and a date.
pub(crate) fn fixture() -> Vec<u8> {
    let tags = comment(
        b"OpusTags",
        "libopus 1.3.1",
        &["ARTIST=Jane Canary", "DATE=2026-12-06T17:23:00"],
        false,
    );
    opus_link(0x1234, &tags)
}

/// Parse every page of `data`: (flags, granule, serial, seq, body).
fn pages(data: &[u8]) -> Vec<(u8, u64, u32, u32, Vec<u8>)> {
    let mut r = data;
    let mut buf = Vec::new();
    let mut v = Vec::new();
    while let Some(p) = read_page(&mut r, &mut buf).unwrap() {
        let granule = u64::from_le_bytes(p.raw[6..14].try_into().unwrap());
        v.push((p.flags, granule, p.serial, p.seq, p.body.to_vec()));
    }
    v
}

#[test]
fn crc_is_ogg_crc32() {
    // CRC-32/POSIX before its final inversion (check value 0x765E7680).
    assert_eq!(crc_update(0, b"123456789"), !0x765E_7680);
}

#[test]
fn opus_tags_are_emptied_and_pages_kept() {
    let input = fixture();
    let (res, out) = run(Kind::Ogg, &input);
    assert_eq!(
        res.unwrap(),
        Outcome::Cleaned {
            removed: vec![Removed::Author, Removed::Software, Removed::Dates]
                .into_iter()
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect()
        }
    );
    assert!(!contains(&out, b"Jane Canary"));
    assert!(!contains(&out, b"libopus"));
    let (a, b) = (pages(&input), pages(&out));
    assert_eq!(a.len(), b.len());
    assert_eq!(b[1].4, EMPTY_OPUS_TAGS);
    for (i, (x, y)) in a.iter().zip(&b).enumerate() {
        assert_eq!((x.0, x.1, x.2, x.3), (y.0, y.1, y.2, y.3), "page {i}");
        if i != 1 {
            assert_eq!(x.4, y.4);
        }
    }
    // Cleaning again changes nothing.
    let (res, again) = run(Kind::Ogg, &out);
    assert_eq!(res.unwrap(), Outcome::KeptOriginal);
    assert_eq!(again, out);
}

#[test]
fn a_comment_over_several_pages_shifts_later_sequence_numbers() {
    // A 150 000-byte picture comment spans three pages.
    let pic = format!("METADATA_BLOCK_PICTURE={}", "A".repeat(150_000));
    let tags = comment(b"OpusTags", "x", &[&pic], false);
    let serial = 7;
    let mut segs: Vec<u8> = Vec::new();
    let mut f = page(FLAG_BOS, 0, serial, 0, &[OPUS_HEAD]);
    // Split the packet by hand over pages of 255 full segments.
    let mut rest = &tags[..];
    let mut seq: u32 = 1;
    let mut continued = false;
    while rest.len() >= 255 * 255 {
        let (chunk, tail) = rest.split_at(255 * 255);
        segs.clear();
        let mut v = b"OggS\0".to_vec();
        v.push(if continued { FLAG_CONTINUED } else { 0 });
        v.extend_from_slice(&u64::MAX.to_le_bytes());
        v.extend_from_slice(&serial.to_le_bytes());
        v.extend_from_slice(&seq.to_le_bytes());
        v.extend_from_slice(&[0; 4]);
        v.push(255);
        v.extend(std::iter::repeat_n(255u8, 255));
        v.extend_from_slice(chunk);
        let crc = crc_page(&v);
        v[22..26].copy_from_slice(&crc.to_le_bytes());
        f.extend(v);
        rest = tail;
        seq += 1;
        continued = true;
    }
    let mut last = page(FLAG_CONTINUED, 0, serial, seq, &[rest]);
    last[5] = FLAG_CONTINUED;
    let crc = crc_page(&last);
    last[22..26].copy_from_slice(&crc.to_le_bytes());
    f.extend(last);
    f.extend(page(0, 960, serial, seq + 1, &[b"\xF8a"]));
    f.extend(page(FLAG_EOS, 1920, serial, seq + 2, &[b"\xF8b"]));
    assert_eq!(pages(&f).len(), 6);

    let (res, out) = run(Kind::Ogg, &f);
    let removed = match res.unwrap() {
        Outcome::Cleaned { removed } => removed,
        o => panic!("{o:?}"),
    };
    assert!(removed.contains(&Removed::Thumbnail));
    let p = pages(&out);
    assert_eq!(p.len(), 4);
    let seqs: Vec<u32> = p.iter().map(|x| x.3).collect();
    assert_eq!(seqs, [0, 1, 2, 3]);
    assert_eq!(p[2].1, 960);
    assert_eq!(p[3].1, 1920);
    assert_eq!(p[3].0, FLAG_EOS);
    assert_eq!(p[3].4, b"\xF8b");
}

#[test]
fn vorbis_comment_is_emptied_with_its_framing_bit() {
    let serial = 99;
    let id = b"\x01vorbis\0\0\0\0\x01\x44\xAC\0\0\0\0\0\0\0\0\0\0\0\0\0\xB8\x01";
    let c = comment(
        b"\x03vorbis",
        "Xiph.Org libVorbis I 20200704",
        &["ARTIST=Jane Canary"],
        true,
    );
    let setup = b"\x05vorbis-setup-codebooks".to_vec();
    let mut f = page(FLAG_BOS, 0, serial, 0, &[id]);
    f.extend(page(0, 0, serial, 1, &[&c, &setup]));
    f.extend(page(FLAG_EOS, 128, serial, 2, &[b"\0audio"]));
    let (res, out) = run(Kind::Ogg, &f);
    assert!(matches!(res.unwrap(), Outcome::Cleaned { .. }));
    let p = pages(&out);
    assert_eq!(p.len(), 3);
    let mut want = EMPTY_VORBIS_COMMENT.to_vec();
    want.extend_from_slice(&setup);
    assert_eq!(p[1].4, want);
    assert!(!contains(&out, b"Jane"));
    assert!(!contains(&out, b"libVorbis"));
}

#[test]
fn chained_links_are_each_cleaned() {
    let tags = comment(b"OpusTags", "v", &["ARTIST=Jane Canary"], false);
    let mut f = opus_link(1, &tags);
    f.extend(opus_link(2, &tags));
    let (res, out) = run(Kind::Ogg, &f);
    assert!(matches!(res.unwrap(), Outcome::Cleaned { .. }));
    assert!(!contains(&out, b"Jane"));
    assert_eq!(pages(&out).len(), 8);
}

#[test]
fn hostile_streams_are_refused() {
    let good = fixture();
    // Every truncation inside a page or inside the headers.
    let bounds: Vec<usize> = {
        let mut v = vec![0];
        let mut r = &good[..];
        let mut buf = Vec::new();
        while let Some(p) = read_page(&mut r, &mut buf).unwrap() {
            v.push(v.last().unwrap() + p.raw.len());
        }
        v
    };
    for cut in 0..good.len() {
        let (res, _) = run(Kind::Ogg, &good[..cut]);
        if cut < bounds[2] || !bounds.contains(&cut) {
            assert!(res.is_err(), "cut {cut}");
        } else {
            assert!(res.is_ok(), "cut {cut}");
        }
    }
    // A flipped byte breaks the CRC.
    let mut bad = good.clone();
    let n = bad.len();
    bad[n - 2] ^= 1;
    assert!(matches!(
        run(Kind::Ogg, &bad).0,
        Err(SanitizeError::Malformed { .. })
    ));
    // Two streams interleaved.
    let mut mux = page(FLAG_BOS, 0, 1, 0, &[OPUS_HEAD]);
    mux.extend(page(FLAG_BOS, 0, 2, 0, &[OPUS_HEAD]));
    assert!(matches!(
        run(Kind::Ogg, &mux).0,
        Err(SanitizeError::Unsupported { .. })
    ));
    // A codec we do not clean (Speex).
    let speex = page(FLAG_BOS, 0, 1, 0, &[b"Speex   1.2"]);
    assert!(matches!(
        run(Kind::Ogg, &speex).0,
        Err(SanitizeError::Unsupported { .. })
    ));
    // Audio sharing the page that ends the headers.
    let tags = comment(b"OpusTags", "", &[], false);
    let mut f = page(FLAG_BOS, 0, 1, 0, &[OPUS_HEAD]);
    f.extend(page(0, 0, 1, 1, &[&tags, b"\xF8audio"]));
    assert!(matches!(
        run(Kind::Ogg, &f).0,
        Err(SanitizeError::Malformed { .. })
    ));
    // Something other than a comment where the comment belongs.
    let mut f = page(FLAG_BOS, 0, 1, 0, &[OPUS_HEAD]);
    f.extend(page(0, 0, 1, 1, &[b"NotTags"]));
    assert!(matches!(
        run(Kind::Ogg, &f).0,
        Err(SanitizeError::Malformed { .. })
    ));
    // No first page; a continuation on the first page; garbage.
    assert!(run(Kind::Ogg, &page(0, 0, 1, 0, &[OPUS_HEAD])).0.is_err());
    assert!(
        run(Kind::Ogg, &page(FLAG_BOS | 1, 0, 1, 0, &[OPUS_HEAD]))
            .0
            .is_err()
    );
    assert!(
        run(Kind::Ogg, b"OggS\x01garbage-garbage-garbage-garbage")
            .0
            .is_err()
    );
}

#[test]
fn header_packets_are_bounded() {
    let id = b"\x01vorbis\0\0\0\0\x01\x44\xAC\0\0\0\0\0\0\0\0\0\0\0\0\0\xB8\x01";
    let c = comment(b"\x03vorbis", "", &[], true);
    let mut setup = b"\x05vorbis".to_vec();
    setup.resize(5000, 0);
    let mut f = page(FLAG_BOS, 0, 1, 0, &[id]);
    f.extend(page(0, 0, 1, 1, &[&c, &setup]));
    let mut out = Vec::new();
    let res = strip(&mut &f[..], &mut out, 1000);
    assert!(matches!(res, Err(SanitizeError::TooLarge { limit: 1000 })));
}

/// Recompute the CRC of every page that still parses, so that mutations
/// reach past the checksum.
fn fix_crcs(data: &mut [u8]) {
    let mut pos = 0;
    while data.get(pos..pos + 4) == Some(b"OggS") && pos + 27 <= data.len() {
        let n = usize::from(data[pos + 26]);
        let Some(lacing) = data.get(pos + 27..pos + 27 + n) else {
            return;
        };
        let len = 27 + n + lacing.iter().map(|b| usize::from(*b)).sum::<usize>();
        let Some(page) = data.get_mut(pos..pos + len) else {
            return;
        };
        let crc = crc_page(page);
        page[22..26].copy_from_slice(&crc.to_le_bytes());
        pos += len;
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 300, ..Default::default() })]

    /// Whatever mutated stream is accepted comes out without its comments
    /// and cleans to itself.
    #[test]
    fn accepted_streams_are_clean_for_good(
        chained in proptest::prelude::any::<bool>(),
        edits in proptest::collection::vec((0usize..4096, proptest::prelude::any::<u8>()), 1..6),
    ) {
        let mut data = fixture();
        if chained {
            data.extend(fixture());
        }
        for (pos, byte) in edits {
            let i = pos % data.len();
            data[i] = byte;
        }
        fix_crcs(&mut data);
        let (res, out) = run(Kind::Ogg, &data);
        if res.is_ok() {
            proptest::prop_assert!(!contains(&out, b"Jane"));
            proptest::prop_assert!(!contains(&out, b"libopus"));
            let (again, out2) = run(Kind::Ogg, &out);
            proptest::prop_assert_eq!(again.unwrap(), Outcome::KeptOriginal);
            proptest::prop_assert_eq!(out2, out);
        }
    }
}
