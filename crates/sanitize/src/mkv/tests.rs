//! Unit tests of the WebM and Matroska stripper.

use super::clean::seek_target;
use super::ebml::{parse_header, void_header};
use crate::{Kind, Outcome, Removed, SanitizeError, png::crc32};

use super::*;
use crate::tests_util::{contains, run};
use crate::{Limits, strip as strip_any};

/// An element with a minimal ID and an 8-byte size field.
fn el(id: u32, body: &[u8]) -> Vec<u8> {
    let id_bytes = id.to_be_bytes();
    let skip = id_bytes.iter().take_while(|&&b| b == 0).count();
    let mut v = id_bytes[skip..].to_vec();
    v.push(0x01);
    v.extend_from_slice(&(body.len() as u64).to_be_bytes()[1..]);
    v.extend_from_slice(body);
    v
}

/// An element of unknown size (its children follow).
fn open(id: u32) -> Vec<u8> {
    let id_bytes = id.to_be_bytes();
    let skip = id_bytes.iter().take_while(|&&b| b == 0).count();
    let mut v = id_bytes[skip..].to_vec();
    v.push(0xFF);
    v
}

fn cat(parts: &[Vec<u8>]) -> Vec<u8> {
    parts.concat()
}

fn ebml_header(doc: &[u8]) -> Vec<u8> {
    el(id::EBML, &cat(&[el(0x4286, &[1]), el(id::DOC_TYPE, doc)]))
}

fn info() -> Vec<u8> {
    let children = cat(&[
        el(id::TIMESTAMP_SCALE, &[0x0F, 0x42, 0x40]),
        el(id::MUXING_APP, b"CANARY-Lavf60.3.100"),
        el(id::WRITING_APP, b"CANARY-Lavf60"),
        el(id::TITLE, b"CANARY-title"),
        el(id::DATE_UTC, &[9, 8, 7, 6, 5, 4, 3, 2]),
        el(id::SEGMENT_UID, b"CANARY-uid-16byt"),
        el(id::DURATION, &[0x40, 0x8F, 0x40, 0, 0, 0, 0, 0]),
    ]);
    let crc = crc32(0, &children);
    el(
        id::INFO,
        &cat(&[el(id::CRC32, &crc.to_le_bytes()), children]),
    )
}

fn tracks() -> Vec<u8> {
    el(
        id::TRACKS,
        &el(
            id::TRACK_ENTRY,
            &cat(&[
                el(0xD7, &[1]),
                el(0x73C5, &[0x12, 0x34]),
                el(0x83, &[2]),
                el(0x86, b"A_PCM/INT/LIT"),
                el(id::NAME, b"CANARY-Pixel-7"),
                el(0xE1, &cat(&[el(0xB5, &[0x46, 0xFA, 0, 0]), el(0x9F, &[1])])),
            ]),
        ),
    )
}

pub(crate) const MEDIA: &[u8] = b"\x81\x00\x00\x80media-bytes-kept";

fn cluster_body() -> Vec<u8> {
    cat(&[el(0xE7, &[0]), el(0xA3, MEDIA)])
}

fn tags() -> Vec<u8> {
    el(
        id::TAGS,
        &el(
            id::TAG,
            &cat(&[
                el(0x63C0, &[]),
                el(
                    id::SIMPLE_TAG,
                    &cat(&[el(id::TAG_NAME, b"ARTIST"), el(0x4487, b"CANARY-Jane")]),
                ),
                el(
                    id::SIMPLE_TAG,
                    &cat(&[
                        el(id::TAG_NAME, b"CREATION_TIME"),
                        el(0x4487, b"CANARY-2026"),
                    ]),
                ),
            ]),
        ),
    )
}

fn seek(target: u32) -> Vec<u8> {
    el(
        id::SEEK,
        &cat(&[el(id::SEEK_ID, &target.to_be_bytes()), el(0x53AC, &[0x10])]),
    )
}

/// A Matroska file with metadata of every kind removed, a CRC-32 in
/// Info, a SeekHead pointing at Info and Tags, a Cluster and Cues.
pub(crate) fn fixture() -> Vec<u8> {
    let segment = cat(&[
        el(id::SEEK_HEAD, &cat(&[seek(id::INFO), seek(id::TAGS)])),
        info(),
        tracks(),
        el(id::CLUSTER, &cluster_body()),
        el(id::CUES, &el(0xBB, &el(0xB3, &[0]))),
        tags(),
        el(0x1941_A469, b"CANARY-attachment"),
        el(id::CHAPTERS, b"CANARY-chapter"),
        el(id::VOID, b"CANARY-stale"),
    ]);
    cat(&[ebml_header(b"matroska"), el(id::SEGMENT, &segment)])
}

fn strip_ok(data: &[u8]) -> (Outcome, Vec<u8>) {
    let (res, out) = run(Kind::Matroska, data);
    (res.unwrap(), out)
}

/// Walks a held body and returns its (id, body) children.
fn children(buf: &[u8]) -> Vec<(u32, Vec<u8>)> {
    let mut v = Vec::new();
    let mut at = 0;
    while at < buf.len() {
        let h = parse_header(buf, at).unwrap();
        let end = h.data_start + h.size.unwrap() as usize;
        v.push((h.id, buf[h.data_start..end].to_vec()));
        at = end;
    }
    v
}

#[test]
fn removes_metadata_in_place() {
    let data = fixture();
    let (outcome, out) = strip_ok(&data);
    assert_eq!(out.len(), data.len(), "every offset must stay valid");
    assert!(
        !contains(&out, b"CANARY"),
        "{}",
        String::from_utf8_lossy(&out)
    );
    assert_eq!(
        outcome,
        Outcome::Cleaned {
            removed: vec![
                Removed::Author,
                Removed::Software,
                Removed::Dates,
                Removed::Comments,
                Removed::DocumentIds,
                Removed::Other,
            ]
        }
    );
    // The cluster and the kept values are byte-for-byte where they were.
    let at = crate::find(&data, &cluster_body()).unwrap();
    assert_eq!(&out[at..at + cluster_body().len()], &cluster_body()[..]);
    assert!(contains(&out, b"A_PCM/INT/LIT"));
    // The file parses as Matroska again and nothing more is found.
    let (again, out2) = strip_ok(&out);
    assert_eq!(again, Outcome::KeptOriginal);
    assert_eq!(out2, out);
}

#[test]
fn info_crc_is_recomputed_and_apps_are_empty_strings() {
    let (_, out) = strip_ok(&fixture());
    let info_at = crate::find(&out, &[0x15, 0x49, 0xA9, 0x66, 0x01]).unwrap();
    let h = parse_header(&out, info_at).unwrap();
    let body = &out[h.data_start..h.data_start + h.size.unwrap() as usize];
    let kids = children(body);
    assert_eq!(kids[0].0, id::CRC32);
    let rest_at = parse_header(body, 0).unwrap().data_start + 4;
    assert_eq!(kids[0].1, crc32(0, &body[rest_at..]).to_le_bytes());
    let ids: Vec<u32> = kids.iter().map(|k| k.0).collect();
    assert_eq!(
        ids,
        [
            id::CRC32,
            id::TIMESTAMP_SCALE,
            id::MUXING_APP,
            id::WRITING_APP,
            id::VOID,
            id::VOID,
            id::VOID,
            id::DURATION
        ]
    );
    for (i, b) in &kids {
        if matches!(*i, id::MUXING_APP | id::WRITING_APP | id::VOID) {
            assert!(b.iter().all(|&x| x == 0));
        }
    }
}

#[test]
fn seek_entries_to_removed_elements_are_removed() {
    let (_, out) = strip_ok(&fixture());
    let at = crate::find(&out, &[0x11, 0x4D, 0x9B, 0x74]).unwrap();
    let h = parse_header(&out, at).unwrap();
    let body = &out[h.data_start..h.data_start + h.size.unwrap() as usize];
    let kids = children(body);
    assert_eq!(kids.len(), 2);
    assert_eq!(kids[0].0, id::SEEK);
    assert_eq!(seek_target(&kids[0].1), Some(id::INFO));
    assert_eq!(kids[1].0, id::VOID);
}

#[test]
fn void_fills_every_total_size_exactly() {
    let mut totals: Vec<u64> = (2..20_000).collect();
    for bits in [14u32, 21, 28, 35, 42, 49] {
        let b = 1u64 << bits;
        totals.extend([b - 2, b - 1, b, b + 1, b + 2, b + 3]);
    }
    for total in totals {
        let (h, len) = void_header(total).unwrap();
        let p = parse_header(&h[..len], 0).unwrap();
        assert_eq!(p.id, id::VOID);
        assert_eq!(p.len as u64 + p.size.unwrap(), total, "total {total}");
    }
    assert!(void_header(1).is_none());
    assert!(void_header(0).is_none());
}

#[test]
fn one_byte_elements_and_empty_strings_are_handled() {
    // A two-byte element (ID and a zero size) becomes a two-byte Void;
    // an empty MuxingApp stays as it is.
    let info = el(
        id::INFO,
        &cat(&[
            vec![0x7B, 0xA9, 0x80],
            vec![0x4D, 0x80, 0x80],
            vec![0xB0, 0x80],
        ]),
    );
    let data = cat(&[ebml_header(b"webm"), el(id::SEGMENT, &info)]);
    let (outcome, out) = strip_ok(&data);
    assert_eq!(out.len(), data.len());
    assert!(contains(
        &out,
        &[0xEC, 0x81, 0x00, 0x4D, 0x80, 0x80, 0xEC, 0x80]
    ));
    assert!(matches!(outcome, Outcome::Cleaned { .. }));
}

#[test]
fn nothing_to_remove_keeps_the_original() {
    let segment = cat(&[
        el(id::INFO, &el(id::TIMESTAMP_SCALE, &[0x0F, 0x42, 0x40])),
        el(id::CLUSTER, &cluster_body()),
    ]);
    let data = cat(&[ebml_header(b"webm"), el(id::SEGMENT, &segment)]);
    let (outcome, out) = strip_ok(&data);
    assert_eq!(outcome, Outcome::KeptOriginal);
    assert_eq!(out, data);
}

#[test]
fn unknown_size_segment_and_clusters_stream() {
    let data = cat(&[
        ebml_header(b"webm"),
        open(id::SEGMENT),
        info(),
        tracks(),
        open(id::CLUSTER),
        cluster_body(),
        open(id::CLUSTER),
        cluster_body(),
        tags(),
        open(id::CLUSTER),
        cluster_body(),
    ]);
    let (outcome, out) = strip_ok(&data);
    assert!(matches!(outcome, Outcome::Cleaned { .. }));
    assert_eq!(out.len(), data.len());
    assert!(!contains(&out, b"CANARY"));
    let body = cluster_body();
    assert_eq!(
        out.windows(body.len()).filter(|w| *w == &body[..]).count(),
        3
    );
    // A second stream after an open Segment is refused, not passed.
    let twice = cat(&[data.clone(), ebml_header(b"webm")]);
    assert!(matches!(
        run(Kind::Webm, &twice).0,
        Err(SanitizeError::Malformed { .. })
    ));
}

#[test]
fn every_truncation_is_malformed() {
    let data = fixture();
    for cut in 0..data.len() {
        let (res, _) = run(Kind::Matroska, &data[..cut]);
        assert!(
            matches!(res, Err(SanitizeError::Malformed { .. })),
            "cut at {cut}: {res:?}"
        );
    }
}

#[test]
fn lengths_past_the_parent_are_malformed() {
    // A Title claiming more bytes than Info holds.
    let mut bad_info = el(id::INFO, &el(id::TITLE, b"CANARY"));
    let n = bad_info.len();
    bad_info[n - 7] = 0x7F; // the Title's size byte: 0x01 .. 0x06 -> huge
    let data = cat(&[ebml_header(b"matroska"), el(id::SEGMENT, &bad_info)]);
    assert!(matches!(
        run(Kind::Matroska, &data).0,
        Err(SanitizeError::Malformed { .. })
    ));
    // A Cluster claiming more bytes than its Segment holds.
    let mut seg = el(id::SEGMENT, &el(id::CLUSTER, &cluster_body()));
    seg.extend_from_slice(&el(id::CLUSTER, &cluster_body()));
    let data = cat(&[ebml_header(b"matroska"), seg]);
    let seg_size_at = ebml_header(b"matroska").len() + 4 + 7;
    let mut data2 = data.clone();
    data2[seg_size_at] = data2[seg_size_at].wrapping_sub(1);
    assert!(matches!(
        run(Kind::Matroska, &data2).0,
        Err(SanitizeError::Malformed { .. })
    ));
    // Trailing bytes that are no element are refused.
    let mut data3 = fixture();
    data3.extend_from_slice(b"\0\0CANARY");
    assert!(matches!(
        run(Kind::Matroska, &data3).0,
        Err(SanitizeError::Malformed { .. })
    ));
}

#[test]
fn metadata_of_unknown_size_is_malformed() {
    let data = cat(&[
        ebml_header(b"webm"),
        open(id::SEGMENT),
        open(id::TAGS),
        b"CANARY".to_vec(),
    ]);
    assert!(matches!(
        run(Kind::Webm, &data).0,
        Err(SanitizeError::Malformed { .. })
    ));
}

#[test]
fn held_elements_are_bounded() {
    let big = el(id::INFO, &el(id::TITLE, &vec![b'x'; 5000]));
    let data = cat(&[ebml_header(b"webm"), el(id::SEGMENT, &big)]);
    let limits = Limits {
        mp4_max_box: 4096,
        ..Limits::default()
    };
    let mut out = Vec::new();
    let res = strip_any(Kind::Webm, &mut &data[..], &mut out, &limits);
    assert!(matches!(res, Err(SanitizeError::TooLarge { limit: 4096 })));
    // Tags too large to hold are still removed, streamed.
    let tags = el(id::TAGS, &vec![b'C'; 5000]);
    let data = cat(&[ebml_header(b"webm"), el(id::SEGMENT, &tags)]);
    let mut out = Vec::new();
    let res = strip_any(Kind::Webm, &mut &data[..], &mut out, &limits).unwrap();
    assert_eq!(
        res,
        Outcome::Cleaned {
            removed: vec![Removed::Other]
        }
    );
    assert_eq!(out.len(), data.len());
    assert!(!contains(&out, b"CCCC"));
}

#[test]
fn deeply_nested_tags_do_not_overflow_the_stack() {
    // 100 000 SimpleTags, each the only child of the one before.
    let name = el(id::TAG_NAME, b"ARTIST");
    let levels = 100_000u64;
    let mut inner = Vec::new();
    for j in 0..levels {
        let size = name.len() as u64 + 10 * (levels - 1 - j);
        inner.extend_from_slice(&[0x67, 0xC8, 0x01]);
        inner.extend_from_slice(&size.to_be_bytes()[1..]);
    }
    inner.extend_from_slice(&name);
    let data = cat(&[ebml_header(b"webm"), el(id::SEGMENT, &el(id::TAGS, &inner))]);
    let (outcome, out) = strip_ok(&data);
    assert_eq!(
        outcome,
        Outcome::Cleaned {
            removed: vec![Removed::Other]
        }
    );
    assert_eq!(out.len(), data.len());
}

#[test]
fn other_doc_types_and_bad_headers() {
    let data = cat(&[ebml_header(b"xyzw"), el(id::SEGMENT, &[])]);
    assert_eq!(detect(&data), None);
    assert!(matches!(
        run(Kind::Matroska, &data).0,
        Err(SanitizeError::Unsupported { .. })
    ));
    assert_eq!(detect(&cat(&[ebml_header(b"webm\0\0")])), Some(Kind::Webm));
    assert_eq!(detect(&fixture()), Some(Kind::Matroska));
    // The magic with a damaged header is Matroska, so it is refused.
    assert_eq!(
        detect(&[0x1A, 0x45, 0xDF, 0xA3, 0x00]),
        Some(Kind::Matroska)
    );
    assert!(matches!(
        run(Kind::Matroska, &[0x1A, 0x45, 0xDF, 0xA3, 0x00]).0,
        Err(SanitizeError::Malformed { .. })
    ));
    assert!(matches!(
        run(Kind::Webm, b"").0,
        Err(SanitizeError::Malformed { .. })
    ));
    // A header alone, with no Segment, is not a file.
    assert!(matches!(
        run(Kind::Webm, &ebml_header(b"webm")).0,
        Err(SanitizeError::Malformed { .. })
    ));
}

#[test]
fn unknown_track_entry_children_are_removed_and_known_kept() {
    let entry = el(
        id::TRACK_ENTRY,
        &cat(&[
            el(0xD7, &[1]),
            el(0x7FFF, b"CANARY-x"),
            el(id::CODEC_NAME, b"CANARY-y"),
            el(0x63A2, b"codecdata"),
        ]),
    );
    let data = cat(&[
        ebml_header(b"webm"),
        el(id::SEGMENT, &el(id::TRACKS, &entry)),
    ]);
    let (outcome, out) = strip_ok(&data);
    assert!(!contains(&out, b"CANARY"));
    assert!(contains(&out, b"codecdata"));
    assert_eq!(
        outcome,
        Outcome::Cleaned {
            removed: vec![Removed::Software, Removed::Other]
        }
    );
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 300, ..Default::default() })]

    /// Whatever is damaged, a file that cleans keeps its length and
    /// cleans again to itself.
    #[test]
    fn cleaned_files_keep_their_length_and_are_stable(
        edits in proptest::collection::vec((0usize..4096, proptest::prelude::any::<u8>()), 1..6),
    ) {
        let mut data = fixture();
        for (pos, byte) in edits {
            let i = pos % data.len();
            data[i] = byte;
        }
        let limits = Limits::default();
        let mut out = Vec::new();
        if strip_any(Kind::Matroska, &mut &data[..], &mut out, &limits).is_ok() {
            proptest::prop_assert_eq!(out.len(), data.len());
            let mut again = Vec::new();
            let outcome = strip_any(Kind::Matroska, &mut &out[..], &mut again, &limits);
            proptest::prop_assert!(matches!(outcome, Ok(Outcome::KeptOriginal)), "{:?}", outcome);
            proptest::prop_assert_eq!(again, out);
        }
    }
}
