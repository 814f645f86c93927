//! Unit tests of timed-metadata tracks: a GoPro-like `gpmd` track beside a
//! video track, its `trak` removed and its samples blanked whether the
//! movie's index comes before or after the media, and the refusals.

use super::*;

const VIDEO: &[&[u8]] = &[b"VIDEO-FRAME-1", b"VIDEO-FRAME-2"];
const GPS: &[&[u8]] = &[b"GPS5+48.8577+002.2950", b"GPS5+48.8578+002.2951"];

/// A track of one chunk per sample at `offs`, with handler `handler` and
/// one sample description of type `entry`.
fn trak(handler: &[u8; 4], entry: &[u8; 4], offs: &[u32], sizes: &[u32]) -> Vec<u8> {
    let stsd = full(
        b"stsd",
        0,
        0,
        &[&1u32.to_be_bytes()[..], &bx(entry, b"CANARY-NAME")].concat(),
    );
    let mut stsz = vec![0; 4];
    stsz.extend((sizes.len() as u32).to_be_bytes());
    sizes.iter().for_each(|s| stsz.extend(s.to_be_bytes()));
    let stsc = [1u32, 1, 1, 1]
        .iter()
        .flat_map(|v| v.to_be_bytes())
        .collect::<Vec<_>>();
    let mut stco = (offs.len() as u32).to_be_bytes().to_vec();
    offs.iter().for_each(|o| stco.extend(o.to_be_bytes()));
    let stbl = bx(
        b"stbl",
        &[
            stsd,
            full(b"stsz", 0, 0, &stsz),
            full(b"stsc", 0, 0, &stsc),
            full(b"stco", 0, 0, &stco),
        ]
        .concat(),
    );
    let mdia = bx(b"mdia", &[hdlr(handler), bx(b"minf", &stbl)].concat());
    bx(b"trak", &[full(b"tkhd", 0, 0, &[0; 80]), mdia].concat())
}

/// The media box: video and GPS samples interleaved, then `pad` bytes no
/// track names. Returns it and the offsets of each kind's samples in it.
fn media(pad: usize) -> (Vec<u8>, Vec<u32>, Vec<u32>) {
    let mut m = b"\0\0\0\0mdat".to_vec();
    let (mut v, mut g) = (Vec::new(), Vec::new());
    for (a, b) in VIDEO.iter().zip(GPS) {
        v.push(m.len() as u32);
        m.extend_from_slice(a);
        g.push(m.len() as u32);
        m.extend_from_slice(b);
    }
    m.resize(m.len() + pad, 0xEE);
    let len = (m.len() as u32).to_be_bytes();
    m[..4].copy_from_slice(&len);
    (m, v, g)
}

fn sizes(s: &[&[u8]]) -> Vec<u32> {
    s.iter().map(|x| x.len() as u32).collect()
}

/// A movie with a video track and a `meta` track of `entry` samples;
/// `extra` goes in the moov after the tracks.
fn movie_with(moov_first: bool, entry: &[u8; 4], extra: &[u8]) -> Vec<u8> {
    movie_of(moov_first, b"meta", entry, extra, 0)
}

fn movie_of(
    moov_first: bool,
    handler: &[u8; 4],
    entry: &[u8; 4],
    extra: &[u8],
    pad: usize,
) -> Vec<u8> {
    let ftyp = ftyp();
    let (m, v, g) = media(pad);
    let moov = |base: u32| {
        let v: Vec<u32> = v.iter().map(|o| o + base).collect();
        let g: Vec<u32> = g.iter().map(|o| o + base).collect();
        let tracks = [
            full(b"mvhd", 0, 0, &[0; 96]),
            trak(b"vide", b"avc1", &v, &sizes(VIDEO)),
            trak(handler, entry, &g, &sizes(GPS)),
            extra.to_vec(),
        ];
        bx(b"moov", &tracks.concat())
    };
    if moov_first {
        let base = (ftyp.len() + moov(0).len()) as u32;
        [ftyp, moov(base), m].concat()
    } else {
        let base = ftyp.len() as u32;
        [ftyp, m, moov(base)].concat()
    }
}

/// The video samples are where the kept track says; no GPS byte, track
/// name or sample description of the metadata track is left.
fn assert_scrubbed(out: &[u8]) {
    assert_offsets(out, VIDEO, "video samples");
    for s in GPS {
        assert!(find(out, s).is_none());
    }
    assert!(find(out, b"GPS5").is_none());
    assert!(find(out, b"gpmd").is_none());
    assert!(
        find(out, b"CANARY-NAME").is_some(),
        "the video's own description is kept"
    );
    let tree = parse_all(out).unwrap();
    let moov = tree.iter().find(|b| &b.typ == b"moov").unwrap();
    let traks = moov
        .children
        .as_ref()
        .unwrap()
        .iter()
        .filter(|b| &b.typ == b"trak")
        .count();
    assert_eq!(traks, 1);
}

#[test]
fn gps_track_is_removed_and_its_samples_blanked_with_the_index_first() {
    let input = movie_with(true, b"gpmd", &[]);
    let (res, out) = run_trickle(&input, &Limits::default());
    let Outcome::Cleaned { removed } = res.unwrap() else {
        panic!()
    };
    assert!(removed.contains(&Removed::Location), "{removed:?}");
    assert_scrubbed(&out);
    assert!(out.len() < input.len(), "the trak is gone, not blanked");
}

#[test]
fn gps_track_is_removed_and_its_samples_blanked_with_the_index_last() {
    for entry in [b"gpmd", b"camm", b"mebx", b"djmd"] {
        let input = movie_with(false, entry, &[]);
        let (res, out) = run_trickle(&input, &Limits::default());
        assert!(matches!(res, Ok(Outcome::Cleaned { .. })), "{res:?}");
        // The media box keeps its place and size; only the GPS bytes change.
        let (mut m, _, g) = media(0);
        for (o, gps) in g.iter().zip(GPS) {
            m[*o as usize..*o as usize + gps.len()].fill(0);
        }
        let at = ftyp().len();
        assert_eq!(&out[at..at + m.len()], &m[..]);
        assert_scrubbed(&out);
        let (again, twice) = run_trickle(&out, &Limits::default());
        assert!(again.is_ok(), "{again:?}");
        assert_eq!(twice, out, "a cleaned movie is clean for good");
    }
}

#[test]
fn text_and_timecode_tracks_go_too() {
    for handler in [b"text", b"sbtl", b"tmcd", b"hint"] {
        let (m, v, g) = media(0);
        let base = ftyp().len() as u32;
        let v: Vec<u32> = v.iter().map(|o| o + base).collect();
        let g: Vec<u32> = g.iter().map(|o| o + base).collect();
        let moov = bx(
            b"moov",
            &[
                trak(b"vide", b"avc1", &v, &sizes(VIDEO)),
                trak(handler, b"tx3g", &g, &sizes(GPS)),
            ]
            .concat(),
        );
        let (res, out) = run_trickle(&[ftyp(), m, moov].concat(), &Limits::default());
        assert!(res.is_ok(), "{res:?}");
        assert_scrubbed(&out);
    }
}

/// Media before the index that does not fit the budget has gone out
/// before the index says where its GPS samples are: refused, not passed.
#[test]
fn media_too_large_to_hold_before_the_index_is_refused() {
    let limits = Limits {
        mp4_max_box: 50_000,
        ..Limits::default()
    };
    let input = movie_of(false, b"meta", b"gpmd", &[], 100_000);
    let (res, _) = run_trickle(&input, &limits);
    assert!(
        matches!(res, Err(SanitizeError::TooLarge { limit: 50_000 })),
        "{res:?}"
    );
    // The same media held whole on a larger budget is cleaned.
    let (res, out) = run_trickle(
        &input,
        &Limits {
            mp4_max_box: 200_000,
            ..limits.clone()
        },
    );
    assert!(res.is_ok(), "{res:?}");
    assert_scrubbed(&out);
    // Without a metadata track the same layout streams as before.
    let plain = movie_of(false, b"soun", b"mp4a", &[], 100_000);
    let (res, _) = run_trickle(&plain, &limits);
    assert!(res.is_ok(), "{res:?}");
}

/// Media that fits the budget alone but leaves no room for the moov after
/// it is written out to make room: a movie without metadata tracks is
/// cleaned as before holding media was tried; one with them is refused.
#[test]
fn held_media_makes_room_for_the_moov() {
    let limits = Limits {
        mp4_max_box: 50_000,
        ..Limits::default()
    };
    let plain = movie_of(false, b"soun", b"mp4a", &[], 49_500);
    let moov_at = find(&plain, b"moov").unwrap() - 4;
    let mdat_len = moov_at - ftyp().len();
    assert!(mdat_len < 50_000 && mdat_len + (plain.len() - moov_at) > 50_000);
    let (res, out) = run_trickle(&plain, &limits);
    assert!(res.is_ok(), "{res:?}");
    assert_eq!(&out[..moov_at], &plain[..moov_at], "the media as it was");
    let gps = movie_of(false, b"meta", b"gpmd", &[], 49_500);
    let (res, _) = run_trickle(&gps, &limits);
    assert!(
        matches!(res, Err(SanitizeError::TooLarge { limit: 50_000 })),
        "{res:?}"
    );
}

#[test]
fn fragmented_movie_with_a_metadata_track_is_unsupported() {
    let mvex = bx(b"mvex", &full(b"trex", 0, 0, &[0; 20]));
    let (res, _) = run_trickle(&movie_with(true, b"gpmd", &mvex), &Limits::default());
    assert!(
        matches!(res, Err(SanitizeError::Unsupported { .. })),
        "{res:?}"
    );
}

#[test]
fn bad_metadata_tracks_are_malformed() {
    // A track without a handler.
    let no_hdlr = bx(b"trak", &full(b"tkhd", 0, 0, &[0; 80]));
    let (res, _) = run_trickle(&movie_with(true, b"gpmd", &no_hdlr), &Limits::default());
    assert!(
        matches!(res, Err(SanitizeError::Malformed { .. })),
        "{res:?}"
    );
    // GPS samples said to lie past the end of the file.
    let mut input = movie_with(true, b"gpmd", &[]);
    let last_stco = input.windows(4).rposition(|w| w == b"stco").unwrap();
    input[last_stco + 12..last_stco + 16].copy_from_slice(&0x00FF_FFFFu32.to_be_bytes());
    let (res, _) = run_trickle(&input, &Limits::default());
    assert!(
        matches!(res, Err(SanitizeError::Malformed { .. })),
        "{res:?}"
    );
    // A sample-to-chunk table naming chunk 0.
    let mut input = movie_with(false, b"gpmd", &[]);
    let last_stsc = input.windows(4).rposition(|w| w == b"stsc").unwrap();
    input[last_stsc + 12..last_stsc + 16].copy_from_slice(&0u32.to_be_bytes());
    let (res, _) = run_trickle(&input, &Limits::default());
    assert!(
        matches!(res, Err(SanitizeError::Malformed { .. })),
        "{res:?}"
    );
}

/// The other forms of a sample table: compact sizes (`stz2`, 4, 8 and
/// 16 bits), one size for every sample, 64-bit chunk offsets (`co64`), and
/// several samples to a chunk (`stsc` runs). Every GPS byte is found.
#[test]
fn every_form_of_sample_table_is_read() {
    const SAMPLE: &[u8] = b"GPS5-CANARY!"; // 12 bytes: fits 4-bit sizes
    let ftyp = ftyp();
    // One chunk of two GPS samples, then one chunk of one, after the video.
    let mut m = b"\0\0\0\0mdat".to_vec();
    let video_at = ftyp.len() + m.len();
    m.extend_from_slice(VIDEO[0]);
    let chunk1 = ftyp.len() + m.len();
    m.extend_from_slice(&[SAMPLE, SAMPLE].concat());
    let chunk2 = ftyp.len() + m.len();
    m.extend_from_slice(SAMPLE);
    let len = (m.len() as u32).to_be_bytes();
    m[..4].copy_from_slice(&len);

    let n = SAMPLE.len() as u8;
    let stz2 = |bits: u8| -> Vec<u8> {
        let table: Vec<u8> = match bits {
            4 => vec![n << 4 | n, n << 4],
            8 => vec![n; 3],
            _ => [0, n].repeat(3),
        };
        let mut b = vec![0, 0, 0, bits, 0, 0, 0, 3];
        b.extend(table);
        full(b"stz2", 0, 0, &b)
    };
    let fixed = full(
        b"stsz",
        0,
        0,
        &[(n as u32).to_be_bytes(), 3u32.to_be_bytes()].concat(),
    );
    // Chunk 1 holds two samples, chunk 2 and after one.
    let stsc = full(
        b"stsc",
        0,
        0,
        &[2u32, 1, 2, 1, 2, 1, 1, 1]
            .iter()
            .flat_map(|v| v.to_be_bytes())
            .collect::<Vec<_>>(),
    );
    let mut co64 = 2u32.to_be_bytes().to_vec();
    co64.extend((chunk1 as u64).to_be_bytes());
    co64.extend((chunk2 as u64).to_be_bytes());
    let co64 = full(b"co64", 0, 0, &co64);
    for sizes_box in [stz2(4), stz2(8), stz2(16), fixed] {
        let stbl = bx(b"stbl", &[sizes_box, stsc.clone(), co64.clone()].concat());
        let mdia = bx(b"mdia", &[hdlr(b"meta"), bx(b"minf", &stbl)].concat());
        let gps = bx(b"trak", &[full(b"tkhd", 0, 0, &[0; 80]), mdia].concat());
        let video = trak(
            b"vide",
            b"avc1",
            &[video_at as u32],
            &[VIDEO[0].len() as u32],
        );
        let input = [ftyp.clone(), m.clone(), bx(b"moov", &[video, gps].concat())].concat();
        let (res, out) = run_trickle(&input, &Limits::default());
        assert!(res.is_ok(), "{res:?}");
        assert!(find(&out, b"GPS5").is_none(), "a sample was left");
        assert!(find(&out, VIDEO[0]).is_some());
    }
}
