//! Unit tests of fragmented movies: `moof` offsets and metadata after `sidx`.

use super::*;

#[test]
fn chunked_fragmented() {
    let input = fragmented();
    let want = vec![b"FRAG-ONE".to_vec(), b"FRAG-TWO".to_vec()];
    assert_eq!(fragment_samples(&input), want);
    let (res, out) = run_trickle(&input, &Limits::default());
    assert!(matches!(res.unwrap(), Outcome::Cleaned { .. }));
    assert_clean(&out, "fragmented");
    assert_eq!(fragment_samples(&out), want);
    // The udta before the first moof is dropped, so tfhd moved.
    assert!(out.len() < input.len());
    let (res2, out2) = run_trickle(&out, &Limits::default());
    assert_eq!(res2.unwrap(), Outcome::KeptOriginal);
    assert_eq!(out2, out);
}

#[test]
fn metadata_after_sidx_is_blanked() {
    let (mut input, samples) = movie(
        &[P::Ftyp, P::Moov, P::Mdat(SAMPLES, MdatHead::Small)],
        false,
    );
    let sidx = full(b"sidx", 0, 0, &[0; 24]);
    let tail = [sidx, top_udta()].concat();
    input.extend_from_slice(&tail);
    let (res, out) = run_trickle(&input, &Limits::default());
    assert!(res.is_ok());
    assert_clean(&out, "sidx");
    assert_offsets(&out, &samples, "sidx");
    // Same size, renamed and zeroed.
    let n = top_udta().len();
    let mut blank = (n as u32).to_be_bytes().to_vec();
    blank.extend_from_slice(b"free");
    blank.resize(n, 0);
    assert!(out.ends_with(&blank));
}
