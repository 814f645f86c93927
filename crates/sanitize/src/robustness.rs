//! Robustness: nothing panics on random bytes or mutated fixtures.

use super::*;
use proptest::prelude::*;

const ALL: [Kind; 24] = [
    Kind::Wav,
    Kind::Aiff,
    Kind::Avi,
    Kind::Heif,
    Kind::Avif,
    Kind::Jpeg,
    Kind::Png,
    Kind::Webp,
    Kind::Gif,
    Kind::Tiff,
    Kind::Pdf,
    Kind::Ooxml,
    Kind::Odf,
    Kind::Mp3,
    Kind::Mp4,
    Kind::Webm,
    Kind::Matroska,
    Kind::Ogg,
    Kind::Flac,
    Kind::Zip,
    Kind::Svg,
    Kind::Netpbm,
    Kind::Epub,
    Kind::Other,
];

fn fixtures() -> Vec<(Kind, Vec<u8>)> {
    vec![
        (Kind::Jpeg, jpeg::tests::fixture(jpeg::tests::TINY, 6)),
        (Kind::Png, png::tests::fixture()),
        (Kind::Gif, gif::tests::fixture()),
        (Kind::Webp, webp::tests::fixture()),
        (Kind::Tiff, tiff::tests::fixture(true)),
        (Kind::Pdf, pdf::tests::fixture()),
        (Kind::Ooxml, zipdoc::tests::docx_fixture()),
        (Kind::Odf, zipdoc::tests::odt_fixture()),
        (Kind::Mp3, mp3::tests::fixture()),
        (Kind::Mp4, mp4::tests::fixture(true, false)),
        (Kind::Matroska, mkv::tests::fixture()),
        (Kind::Svg, svg::tests::INKSCAPE.as_bytes().to_vec()),
        (Kind::Netpbm, netpbm::tests::fixture()),
        (Kind::Epub, zipdoc::tests::epub_fixture()),
        (Kind::Ogg, ogg::tests::fixture()),
        (Kind::Flac, flac::tests::fixture()),
        (Kind::Heif, heif::tests::fixture()),
    ]
}

fn small_limits() -> Limits {
    Limits {
        max_in_memory: 1 << 20,
        mp4_max_box: 1 << 16,
        zip_max_entries: 100,
        zip_max_uncompressed: 4 << 20,
        zip_max_ratio: 100,
        zip_max_in_memory: 1 << 20,
        pdf_max_decoded: 4 << 20,
        pdf_max_values: 10_000,
    }
}

#[test]
fn fixtures_detect_as_their_kind() {
    for (kind, data) in fixtures() {
        let prefix = &data[..data.len().min(4096)];
        assert_eq!(detect(prefix), kind);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = detect(&data);
        for kind in ALL {
            let mut out = Vec::new();
            let _ = strip(kind, &mut &data[..], &mut out, &small_limits());
        }
    }

    #[test]
    fn mutated_fixtures_never_panic(
        which in 0usize..17,
        edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..8),
        cut in proptest::option::of(any::<usize>()),
    ) {
        let (kind, mut data) = fixtures().swap_remove(which);
        for (pos, byte) in edits {
            let i = pos % data.len();
            data[i] = byte;
        }
        if let Some(c) = cut {
            data.truncate(c % (data.len() + 1));
        }
        let detected = detect(&data[..data.len().min(4096)]);
        for k in [kind, detected] {
            let mut out = Vec::new();
            let _ = strip(k, &mut &data[..], &mut out, &small_limits());
        }
    }
}
