//! Fuzz target: `clean_filename` never panics and its output keeps its promises.
#![no_main]

use amanat::sanitize::clean_filename;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|name: &str| {
    let out = clean_filename(name);
    assert!(!out.is_empty());
    assert!(out.len() <= 120);
    assert!(!out.contains('/') && !out.contains('\\') && !out.contains('\0'));
    assert!(!out.chars().any(|c| c.is_control()
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')));
    assert_eq!(clean_filename(&out), out, "not idempotent");
});
