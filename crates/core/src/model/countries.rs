//! ISO 3166-1 alpha-2 country codes, taken from the English country list in
//! `locales/en/countries.ftl` so that codes and names cannot drift apart.

use std::sync::LazyLock;

static CODES: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
    include_str!("../../../../locales/en/countries.ftl")
        .lines()
        .filter_map(|l| l.strip_prefix("country-"))
        .filter_map(|l| l.split(" = ").next())
        .map(str::trim)
        .collect()
});

/// Every known alpha-2 code, sorted.
pub fn codes() -> &'static [&'static str] {
    &CODES
}

/// True if `code` is a known alpha-2 code (upper case).
pub fn is_code(code: &str) -> bool {
    CODES.binary_search(&code).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knows_the_countries_of_the_reprisals_report() {
        assert!(codes().len() >= 249);
        for c in ["PK", "TJ", "EG", "NI", "IR", "RU", "CN", "VN"] {
            assert!(is_code(c), "{c}");
        }
        assert!(!is_code("XX"));
        assert!(!is_code("pk"));
        assert!(codes().windows(2).all(|w| w[0] < w[1]));
    }
}
