//! Strict `application/x-www-form-urlencoded` decoding.
//!
//! Unlike lossy decoders, invalid UTF-8 is refused (so nothing is silently
//! altered), repeated names are kept in order (multiselects), and the number
//! of pairs is bounded before anything is allocated per pair.

use percent_encoding::percent_decode;

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
    let plus: Vec<u8> = raw
        .iter()
        .map(|&b| if b == b'+' { b' ' } else { b })
        .collect();
    let bytes: Vec<u8> = percent_decode(&plus).collect();
    String::from_utf8(bytes).map_err(|_| FormError::Encoding)
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

    proptest::proptest! {
        #[test]
        fn never_panics(body in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..200)) {
            let _ = parse_urlencoded(&body, 50);
        }
    }
}
