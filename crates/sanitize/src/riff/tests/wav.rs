//! Unit tests of WAV and RF64 cleaning.

use super::*;

#[test]
fn wav_keeps_only_format_and_sound() {
    let (res, out) = run_wav(&fixture());
    let expected = form(
        Order::Little,
        b"RIFF",
        b"WAVE",
        &[
            fmt_pcm(),
            le(b"fact", &100u32.to_le_bytes()),
            le(b"data", &samples()),
        ],
    );
    assert_eq!(out, expected);
    assert!(!contains(&out, CANARY));
    assert_eq!(
        res.unwrap(),
        Outcome::Cleaned {
            removed: vec![
                Removed::Author,
                Removed::Software,
                Removed::Dates,
                Removed::Other
            ]
        }
    );
}

#[test]
fn bare_wav_is_kept_byte_for_byte() {
    let data = form(
        Order::Little,
        b"RIFF",
        b"WAVE",
        &[fmt_pcm(), le(b"data", &samples())],
    );
    let (res, out) = run_wav(&data);
    assert_eq!(res.unwrap(), Outcome::KeptOriginal);
    assert_eq!(out, data);
}

#[test]
fn odd_sizes_are_padded_and_the_missing_last_pad_tolerated() {
    let odd: Vec<u8> = (0..7).collect();
    let mut data = form(
        Order::Little,
        b"RIFF",
        b"WAVE",
        &[fmt_pcm(), le(b"JUNK", &[1, 2, 3]), le(b"data", &odd)],
    );
    // Drop the final pad byte and leave it out of the RIFF size.
    data.pop();
    let size = data.len() as u32 - 8;
    data[4..8].copy_from_slice(&size.to_le_bytes());
    let (res, out) = run_wav(&data);
    assert_eq!(
        out,
        form(
            Order::Little,
            b"RIFF",
            b"WAVE",
            &[fmt_pcm(), le(b"data", &odd)]
        )
    );
    assert!(matches!(res.unwrap(), Outcome::Cleaned { .. }));
}

#[test]
fn unknown_riff_size_reads_to_the_end() {
    let mut data = fixture();
    data[4..8].copy_from_slice(&u32::MAX.to_le_bytes());
    // The appended ID3 tag is now read as a chunk, and it is not one.
    let (res, _) = run_wav(&data);
    assert!(
        matches!(res, Err(SanitizeError::Malformed { .. })),
        "{res:?}"
    );
    let mut data = form(
        Order::Little,
        b"RIFF",
        b"WAVE",
        &[fmt_pcm(), le(b"data", &samples()), info()],
    );
    data[4..8].copy_from_slice(&u32::MAX.to_le_bytes());
    let (res, out) = run_wav(&data);
    assert!(matches!(res.unwrap(), Outcome::Cleaned { .. }));
    assert!(!contains(&out, CANARY));
    assert_eq!(
        u32::from_le_bytes(out[4..8].try_into().unwrap()) as usize,
        out.len() - 8
    );
}

#[test]
fn damaged_wavs_are_malformed() {
    let good = fixture();
    let data_at = good.windows(4).position(|w| w == b"data").unwrap();
    let mut cases: Vec<Vec<u8>> = vec![
        good[..11].to_vec(),
        good[..data_at + 20].to_vec(),
        good[..data_at - 3].to_vec(),
        form(
            Order::Little,
            b"RIFF",
            b"WAVE",
            &[le(b"data", &samples()), fmt_pcm()],
        ),
        form(Order::Little, b"RIFF", b"WAVE", &[fmt_pcm(), info()]),
        form(
            Order::Little,
            b"RIFF",
            b"WAVE",
            &[fmt_pcm(), fmt_pcm(), le(b"data", b"")],
        ),
        b"RIFF\x02\0\0\0WAVE".to_vec(),
        b"RIFX\x04\0\0\0WAVE".to_vec(),
    ];
    // A sound chunk whose size says 0 before its samples (a recorder
    // that stopped before it wrote the size): the samples are not a
    // chunk, and are not silently dropped.
    let mut zero = form(
        Order::Little,
        b"RIFF",
        b"WAVE",
        &[fmt_pcm(), le(b"data", &[])],
    );
    zero.extend_from_slice(&[0x81, 0xFE, 0x03, 0x90, 0x11, 0x22, 0x33, 0x44, 0, 0]);
    zero[4..8].copy_from_slice(&u32::MAX.to_le_bytes());
    cases.push(zero);
    // A chunk longer than the RIFF says.
    let mut long = form(
        Order::Little,
        b"RIFF",
        b"WAVE",
        &[fmt_pcm(), le(b"data", &samples())],
    );
    long[4..8].copy_from_slice(&40u32.to_le_bytes());
    cases.push(long);
    for (i, c) in cases.iter().enumerate() {
        let (res, _) = run_wav(c);
        assert!(
            matches!(
                res,
                Err(SanitizeError::Malformed {
                    kind: Kind::Wav,
                    ..
                })
            ),
            "case {i}: {res:?}"
        );
    }
}

/// An RF64 file: `ds64` (whose RIFF size is set here), then `chunks`.
fn rf64_file(ds64: &[u8], chunks: &[Vec<u8>]) -> Vec<u8> {
    let mut ds = ds64.to_vec();
    let body = chunks.concat();
    let riff = 4 + 8 + ds.len() as u64 + body.len() as u64;
    ds[..8].copy_from_slice(&riff.to_le_bytes());
    let mut f = b"RF64\xff\xff\xff\xffWAVE".to_vec();
    f.extend_from_slice(&le(b"ds64", &ds));
    f.extend_from_slice(&body);
    f
}

fn ds64(data: u64) -> Vec<u8> {
    let mut d = vec![0u8; 28];
    d[8..16].copy_from_slice(&data.to_le_bytes());
    d[16..24].copy_from_slice(&100u64.to_le_bytes());
    d
}

#[test]
fn rf64_is_cleaned_with_its_64_bit_sizes() {
    let mut data_chunk = b"data\xff\xff\xff\xff".to_vec();
    data_chunk.extend_from_slice(&samples());
    let dirty = rf64_file(
        &ds64(200),
        &[info(), fmt_pcm(), bext(), data_chunk.clone(), info()],
    );
    let (res, out) = run_wav(&dirty);
    assert!(matches!(res.unwrap(), Outcome::Cleaned { .. }));
    let expected = rf64_file(&ds64(200), &[fmt_pcm(), data_chunk.clone()]);
    assert_eq!(out, expected);
    assert!(!contains(&out, CANARY));
    let (res, again) = run_wav(&out);
    assert_eq!(res.unwrap(), Outcome::KeptOriginal);
    assert_eq!(again, out);
    // A data size in ds64 past the end is damage.
    let long = rf64_file(&ds64(5000), &[fmt_pcm(), data_chunk]);
    assert!(matches!(
        run_wav(&long).0,
        Err(SanitizeError::Malformed { .. })
    ));
    // RF64 without ds64, or without the size marker.
    for bad in [
        form(
            Order::Little,
            b"RF64",
            b"WAVE",
            &[fmt_pcm(), le(b"data", &samples())],
        ),
        b"RF64\xff\xff\xff\xffWAVEds64\x1c\0\0\0".to_vec(),
    ] {
        assert!(matches!(
            run_wav(&bad).0,
            Err(SanitizeError::Malformed { .. })
        ));
    }
}

#[test]
fn fact_keeps_only_its_sample_count() {
    let mut fact = 100u32.to_le_bytes().to_vec();
    fact.extend_from_slice(CANARY);
    let data = form(
        Order::Little,
        b"RIFF",
        b"WAVE",
        &[fmt_pcm(), le(b"fact", &fact), le(b"data", &samples())],
    );
    let (res, out) = run_wav(&data);
    let expected = form(
        Order::Little,
        b"RIFF",
        b"WAVE",
        &[fmt_pcm(), le(b"fact", &fact[..4]), le(b"data", &samples())],
    );
    assert_eq!(out, expected);
    assert_eq!(
        res.unwrap(),
        Outcome::Cleaned {
            removed: vec![Removed::Other]
        }
    );
}

#[test]
fn unsupported_layouts_are_refused() {
    let ssnd_first = form(
        Order::Big,
        b"FORM",
        b"AIFF",
        &[be(b"SSND", &[0u8; 8]), be(b"COMM", &[0u8; 18])],
    );
    let (res, _) = run(Kind::Aiff, &ssnd_first);
    assert!(
        matches!(
            res,
            Err(SanitizeError::Unsupported {
                kind: Kind::Aiff,
                ..
            })
        ),
        "{res:?}"
    );
    let mut ds = vec![0u8; 28];
    ds[24] = 1; // a table of chunk sizes
    ds.extend_from_slice(&[0u8; 12]);
    let rf64 = rf64_file(&ds, &[fmt_pcm(), le(b"data", &samples())]);
    let late = form(
        Order::Little,
        b"RIFF",
        b"WAVE",
        &[fmt_pcm(), le(b"data", &samples()), fmt_pcm()],
    );
    for c in [rf64, late] {
        let (res, _) = run_wav(&c);
        assert!(
            matches!(
                res,
                Err(SanitizeError::Unsupported {
                    kind: Kind::Wav,
                    ..
                })
            ),
            "{res:?}"
        );
    }
}

#[test]
fn kept_chunks_are_bounded() {
    let big = form(
        Order::Little,
        b"RIFF",
        b"WAVE",
        &[
            fmt_pcm(),
            le(b"fact", &vec![0u8; 5000]),
            le(b"data", &samples()),
        ],
    );
    let limits = Limits {
        mp4_max_box: 4096,
        ..Limits::default()
    };
    let res = strip(Kind::Wav, &mut &big[..], &mut Vec::new(), &limits);
    assert!(
        matches!(res, Err(SanitizeError::TooLarge { limit: 4096 })),
        "{res:?}"
    );
    // Many small kept chunks count together.
    let mut many = vec![fmt_pcm()];
    many.extend((0..400).map(|_| le(b"fact", &[0u8; 4])));
    many.push(le(b"data", &samples()));
    let many = form(Order::Little, b"RIFF", b"WAVE", &many);
    let res = strip(Kind::Wav, &mut &many[..], &mut Vec::new(), &limits);
    assert!(
        matches!(res, Err(SanitizeError::TooLarge { limit: 4096 })),
        "{res:?}"
    );
    // A dropped chunk of any size is skipped, never held.
    let huge = form(
        Order::Little,
        b"RIFF",
        b"WAVE",
        &[
            le(b"JUNK", &vec![7u8; 100_000]),
            fmt_pcm(),
            le(b"data", &samples()),
        ],
    );
    let res = strip(Kind::Wav, &mut &huge[..], &mut Vec::new(), &limits);
    assert!(matches!(res, Ok(Outcome::Cleaned { .. })), "{res:?}");
}
