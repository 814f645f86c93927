//! Unit tests of the RIFF and AIFF strippers: the file builders and
//! fixtures, and the robustness properties over all three layouts.

use std::io::{self, Read, Write};

use crate::{Kind, Outcome, Removed, SanitizeError};

use super::*;
use crate::tests_util::*;
use crate::{Limits, strip};

const CANARY: &[u8] = b"Jane Canary";

fn chunk(order: Order, id: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut c = id.to_vec();
    c.extend_from_slice(&order.put(data.len() as u32));
    c.extend_from_slice(data);
    if data.len() % 2 == 1 {
        c.push(0);
    }
    c
}

fn form(order: Order, outer: &[u8; 4], ty: &[u8; 4], chunks: &[Vec<u8>]) -> Vec<u8> {
    let body: Vec<u8> = chunks.concat();
    let mut f = outer.to_vec();
    f.extend_from_slice(&order.put(body.len() as u32 + 4));
    f.extend_from_slice(ty);
    f.extend_from_slice(&body);
    f
}

fn le(id: &[u8; 4], data: &[u8]) -> Vec<u8> {
    chunk(Order::Little, id, data)
}

fn list(ty: &[u8; 4], items: &[Vec<u8>]) -> Vec<u8> {
    let mut d = ty.to_vec();
    d.extend_from_slice(&items.concat());
    le(b"LIST", &d)
}

/// 16-bit mono PCM at 8 kHz.
pub(crate) fn fmt_pcm() -> Vec<u8> {
    let mut f = Vec::new();
    f.extend_from_slice(&1u16.to_le_bytes());
    f.extend_from_slice(&1u16.to_le_bytes());
    f.extend_from_slice(&8000u32.to_le_bytes());
    f.extend_from_slice(&16000u32.to_le_bytes());
    f.extend_from_slice(&2u16.to_le_bytes());
    f.extend_from_slice(&16u16.to_le_bytes());
    le(b"fmt ", &f)
}

fn info() -> Vec<u8> {
    list(
        b"INFO",
        &[
            le(b"IART", CANARY),
            le(b"ISFT", b"Recorder 1.2\0"),
            le(b"ICRD", b"2026-12-06\0"),
        ],
    )
}

fn bext() -> Vec<u8> {
    let mut b = vec![0u8; 602];
    b[256..256 + CANARY.len()].copy_from_slice(CANARY);
    b[320..338].copy_from_slice(b"2026-12-0617:23:00");
    b.extend_from_slice(b"A=PCM,F=48000,T=Recorder 1.2\r\n");
    le(b"bext", &b)
}

fn samples() -> Vec<u8> {
    (0..200u8).collect()
}

/// A WAV with metadata before and after its sound data, and an ID3 tag
/// appended after the RIFF.
pub(crate) fn fixture() -> Vec<u8> {
    let mut f = form(
        Order::Little,
        b"RIFF",
        b"WAVE",
        &[
            info(),
            fmt_pcm(),
            bext(),
            le(b"fact", &100u32.to_le_bytes()),
            le(b"data", &samples()),
            le(b"id3 ", CANARY),
            le(b"iXML", b"<BWFXML><NOTE>x</NOTE></BWFXML>"),
        ],
    );
    f.extend_from_slice(b"ID3\x03\0\0\0\0\0\x10TPE1");
    f.extend_from_slice(CANARY);
    f
}

fn run_wav(data: &[u8]) -> (Result<Outcome, SanitizeError>, Vec<u8>) {
    run(Kind::Wav, data)
}

fn be(id: &[u8; 4], data: &[u8]) -> Vec<u8> {
    chunk(Order::Big, id, data)
}

pub(crate) fn aiff_fixture() -> Vec<u8> {
    let comm = [
        0u8, 1, 0, 0, 0, 100, 0, 16, 0x40, 0x0B, 0xFA, 0, 0, 0, 0, 0, 0, 0,
    ];
    let mut ssnd = vec![0u8; 8];
    ssnd.extend_from_slice(&samples());
    form(
        Order::Big,
        b"FORM",
        b"AIFF",
        &[
            be(b"NAME", b"Interview"),
            be(b"AUTH", CANARY),
            be(b"COMM", &comm),
            be(b"COMT", b"\0\x01\xdf\0\0\0\0\0\0\x05hello"),
            be(b"SSND", &ssnd),
            be(b"ANNO", CANARY),
        ],
    )
}

fn avi_parts() -> (Vec<u8>, Vec<u8>) {
    let strl = list(
        b"strl",
        &[
            le(
                b"strh",
                &[0x76, 0x69, 0x64, 0x73, 0x46, 0x4d, 0x50, 0x34, 0, 0, 0, 0],
            ),
            le(b"strf", &[40, 0, 0, 0, 64, 0, 0, 0]),
            le(b"strd", CANARY),
            le(b"strn", b"Camera 7\0"),
            le(b"indx", &[4, 0, 0, 0, 0, 0, 0, 0]),
        ],
    );
    let hdrl = list(
        b"hdrl",
        &[
            le(b"avih", &[0u8; 56]),
            strl,
            le(b"IDIT", b"SUN DEC 06 17:23:00 2026\n\0"),
            list(b"odml", &[le(b"dmlh", &[0u8; 248])]),
        ],
    );
    let movi = list(
        b"movi",
        &[le(b"00dc", b"frame-one"), le(b"00dc", b"frame-two")],
    );
    let body = [
        hdrl,
        info(),
        list(b"ncdt", &[le(b"nctg", CANARY)]),
        le(b"JUNK", b"PENTAX Optio 01234"),
        movi,
        le(b"idx1", &[0u8; 32]),
    ];
    let first = form(Order::Little, b"RIFF", b"AVI ", &body);
    let ext = form(
        Order::Little,
        b"RIFF",
        b"AVIX",
        &[
            list(b"movi", &[le(b"00dc", b"frame-three")]),
            le(b"_PMX", b"<x:xmpmeta>Jane</x:xmpmeta>"),
        ],
    );
    (first, ext)
}

pub(crate) fn avi_fixture() -> Vec<u8> {
    let (a, b) = avi_parts();
    [a, b].concat()
}

mod robustness {
    use super::*;
    use proptest::prelude::*;

    fn small() -> Limits {
        Limits {
            mp4_max_box: 1 << 12,
            ..Limits::default()
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

        #[test]
        fn mutated_files_never_panic_and_ok_means_clean(
            which in 0usize..3,
            edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..6),
            cut in proptest::option::of(any::<usize>()),
        ) {
            let (kind, mut data) = [
                (Kind::Wav, fixture()),
                (Kind::Aiff, aiff_fixture()),
                (Kind::Avi, avi_fixture()),
            ][which].clone();
            for (pos, byte) in edits {
                let i = pos % data.len();
                data[i] = byte;
            }
            if let Some(c) = cut {
                data.truncate(c % (data.len() + 1));
            }
            let mut out = Vec::new();
            if let Ok(o) = strip(kind, &mut &data[..], &mut out, &small()) {
                prop_assert!(!matches!(o, Outcome::NotCleanable));
                // Output is a well-formed file the stripper accepts again.
                let mut again = Vec::new();
                let second = strip(kind, &mut &out[..], &mut again, &small());
                prop_assert!(second.is_ok(), "{:?}", second);
            }
        }

        #[test]
        fn random_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..600)) {
            for kind in [Kind::Wav, Kind::Aiff, Kind::Avi] {
                for prefix in [&b"RIFF\xff\xff\xff\xffWAVE"[..], b"FORM\0\0\x02\0AIFC", b"RIFF\0\0\x02\0AVI ", b""] {
                    let input = [prefix, &data[..]].concat();
                    let _ = strip(kind, &mut &input[..], &mut Vec::new(), &small());
                }
            }
        }
    }
}

mod wav;

mod aiff;

mod avi;

mod streaming;
