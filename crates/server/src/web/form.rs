//! Strict `application/x-www-form-urlencoded` decoding.
//!
//! Unlike lossy decoders, invalid UTF-8 is refused (so nothing is silently
//! altered), repeated names are kept in order (multiselects), and the number
//! of pairs is bounded before anything is allocated per pair.
//!
//! Form bodies carry secrets (a typed codename, identity fields, the
//! narrative): every intermediate copy made while decoding is wiped before it
//! is freed, so only the returned pairs remain, and the callers wipe those.

use percent_encoding::percent_decode;
use zeroize::{Zeroize, Zeroizing};

/// Why a form body was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum FormError {
    /// A name or value is not valid UTF-8 after decoding.
    Encoding,
    /// More pairs than allowed.
    TooManyFields(usize),
}

/// Decodes a form body into ordered `(name, value)` pairs.
pub fn parse_urlencoded(body: &[u8], max_pairs: usize) -> Result<Vec<(String, String)>, FormError> {
    let pieces = body.split(|&b| b == b'&').filter(|p| !p.is_empty());
    let mut out = Vec::new();
    for piece in pieces {
        if out.len() == max_pairs {
            return Err(FormError::TooManyFields(max_pairs));
        }
        let (name, value) = match piece.iter().position(|&b| b == b'=') {
            Some(i) => (&piece[..i], &piece[i + 1..]),
            None => (piece, &b""[..]),
        };
        out.push((decode(name)?, decode(value)?));
    }
    Ok(out)
}

fn decode(raw: &[u8]) -> Result<String, FormError> {
    let plus = plus_to_space(raw);
    // Decoded output is never longer than its input: one allocation, no
    // reallocation that would leave an unwiped copy behind.
    let mut bytes = Vec::with_capacity(plus.len());
    bytes.extend(percent_decode(&plus));
    String::from_utf8(bytes).map_err(|e| {
        e.into_bytes().zeroize();
        FormError::Encoding
    })
}

/// `raw` with `+` turned into spaces, in a buffer wiped when dropped.
fn plus_to_space(raw: &[u8]) -> Zeroizing<Vec<u8>> {
    Zeroizing::new(
        raw.iter()
            .map(|&b| if b == b'+' { b' ' } else { b })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_repeats_and_unicode() {
        let p = parse_urlencoded(b"a=1&b=x+y&a=2&c=%D9%85&d&&e=", 10).unwrap();
        let s: Vec<(&str, &str)> = p.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        assert_eq!(
            s,
            vec![
                ("a", "1"),
                ("b", "x y"),
                ("a", "2"),
                ("c", "م"),
                ("d", ""),
                ("e", "")
            ]
        );
    }

    #[test]
    fn refuses_invalid_utf8_and_too_many_pairs() {
        assert_eq!(parse_urlencoded(b"a=%FF", 10), Err(FormError::Encoding));
        assert_eq!(parse_urlencoded(b"%C3=1", 10), Err(FormError::Encoding));
        assert_eq!(
            parse_urlencoded(b"a=1&b=2&c=3", 2),
            Err(FormError::TooManyFields(2))
        );
    }

    #[test]
    fn the_intermediate_copy_is_a_wiped_buffer() {
        // A codename typed with spaces arrives with `+`: the copy that turns
        // them into spaces is wiped on drop (its type says so; a change to a
        // plain `Vec` no longer compiles here).
        let copy: Zeroizing<Vec<u8>> = plus_to_space(b"tiger+apple+moon");
        assert_eq!(&copy[..], b"tiger apple moon");
        let mut copy = copy;
        copy.zeroize();
        assert!(copy.is_empty());
        assert_eq!(
            parse_urlencoded(b"codename=tiger+apple+moon", 2).unwrap(),
            vec![("codename".to_string(), "tiger apple moon".to_string())]
        );
    }

    proptest::proptest! {
        #[test]
        fn never_panics(body in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..200)) {
            let _ = parse_urlencoded(&body, 50);
        }
    }
}
