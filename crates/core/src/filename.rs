//! Safe display/storage names for uploaded files.
//!
//! The client-supplied name is shown to reviewers and may be used when they
//! save the file. It must never carry a path (traversal), invisible or
//! direction-changing characters (spoofing "exe" as "jpg"), or a name Windows
//! treats as a device. It must never return an empty string.

/// Largest name we return, in bytes of UTF-8.
const MAX_NAME_BYTES: usize = 120;

/// Make an uploaded file name safe to show and to write on a reviewer's disk.
///
/// Keeps only the final path component, removes control, bidi-control and
/// zero-width characters, trims dots and spaces at both ends, prefixes Windows
/// device names with `_`, caps the length at 120 bytes keeping the extension,
/// and returns `"file"` when nothing is left.
pub fn clean_filename(name: &str) -> String {
    // Final component only; both separators, whatever the client's OS.
    let last = name.rsplit(['/', '\\']).next().unwrap_or("");
    let filtered: String = last.chars().filter(|c| !is_forbidden(*c)).collect();
    let trimmed = trim_ends(&filtered);
    if trimmed.is_empty() {
        return "file".to_string();
    }
    // Capping can expose a trailing dot/space of the stem; trim again.
    let mut out = trim_ends(&cap_len(trimmed, MAX_NAME_BYTES)).to_string();
    if out.is_empty() {
        return "file".to_string();
    }
    // Only now: capping and trimming can turn a long name into a device
    // name ("CONIN$" followed by 120 spaces and a dash).
    if is_windows_reserved(&out) {
        out.insert(0, '_');
        // The stem now starts with `_`, so capping cannot make it reserved.
        out = trim_ends(&cap_len(&out, MAX_NAME_BYTES)).to_string();
    }
    out
}

/// Characters that must never appear in a shown or stored name.
fn is_forbidden(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{202A}'..='\u{202E}'
                | '\u{2066}'..='\u{2069}'
                | '\u{200E}'
                | '\u{200F}'
                | '\u{061C}'
                | '\u{200B}'..='\u{200D}'
                | '\u{2060}'
                | '\u{FEFF}'
                | '\u{180E}'
        )
        // Characters Windows refuses in file names.
        || matches!(c, '<' | '>' | ':' | '"' | '|' | '?' | '*')
}

fn trim_ends(s: &str) -> &str {
    s.trim_matches(|c: char| c == '.' || c == ' ' || c.is_whitespace())
}

/// CON, PRN, AUX, NUL, COM1-9, LPT1-9 (also CONIN$, CONOUT$ and the
/// superscript-digit forms Windows treats the same), with or without an
/// extension. Windows ignores trailing spaces of the stem.
fn is_windows_reserved(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or("").trim_end();
    let upper = stem.to_ascii_uppercase();
    match upper.as_str() {
        "CON" | "PRN" | "AUX" | "NUL" | "CONIN$" | "CONOUT$" => true,
        _ => match (upper.get(..3), upper.get(3..)) {
            (Some("COM" | "LPT"), Some(d)) => {
                matches!(
                    d,
                    "1" | "2"
                        | "3"
                        | "4"
                        | "5"
                        | "6"
                        | "7"
                        | "8"
                        | "9"
                        | "\u{b9}"
                        | "\u{b2}"
                        | "\u{b3}"
                )
            }
            _ => false,
        },
    }
}

/// Shorten to at most `max` bytes on a char boundary, keeping the extension
/// when it is short enough to be a real one.
fn cap_len(name: &str, max: usize) -> String {
    if name.len() <= max {
        return name.to_string();
    }
    let (stem, ext) = match name.rfind('.') {
        Some(i) if i > 0 && name.len() - i <= 16 => name.split_at(i),
        _ => (name, ""),
    };
    let room = max.saturating_sub(ext.len());
    let mut cut = room.min(stem.len());
    while cut > 0 && !stem.is_char_boundary(cut) {
        cut -= 1;
    }
    let mut out = stem.get(..cut).unwrap_or("").to_string();
    out.push_str(ext);
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn strips_paths() {
        assert_eq!(clean_filename("../../etc/passwd"), "passwd");
        assert_eq!(clean_filename("C:\\Users\\jane\\photo.jpg"), "photo.jpg");
        assert_eq!(clean_filename("a/b\\c.txt"), "c.txt");
        assert_eq!(clean_filename("dir/"), "file");
        assert_eq!(clean_filename(".."), "file");
    }

    #[test]
    fn strips_bidi_and_invisible() {
        let out = clean_filename("a\u{202E}gpj.exe");
        assert_eq!(out, "agpj.exe");
        assert_eq!(clean_filename("x\u{200B}y\u{2067}z\u{061C}.pdf"), "xyz.pdf");
        assert_eq!(clean_filename("nul\0byte.txt"), "nulbyte.txt");
        assert_eq!(clean_filename("tab\there\n.txt"), "tabhere.txt");
    }

    #[test]
    fn reserved_names() {
        assert_eq!(clean_filename("CON.txt"), "_CON.txt");
        assert_eq!(clean_filename("con"), "_con");
        assert_eq!(clean_filename("lpt9.tar.gz"), "_lpt9.tar.gz");
        assert_eq!(clean_filename("COM1"), "_COM1");
        assert_eq!(clean_filename("COM10.txt"), "COM10.txt");
        assert_eq!(clean_filename("console.txt"), "console.txt");
        assert_eq!(clean_filename("CON .txt"), "_CON .txt");
        assert_eq!(clean_filename("com\u{b9}.log"), "_com\u{b9}.log");
        assert_eq!(clean_filename("conout$"), "_conout$");
    }

    /// Found by fuzzing (tests/fuzz-crashes/clean_filename/): the device
    /// name check ran before the length cap, so a name that the cap cut down
    /// to `CONIN$` kept it, and cleaning the result again changed it.
    #[test]
    fn device_name_exposed_by_the_length_cap_is_prefixed() {
        let name = format!("CONIN$\u{3000}{}-", " ".repeat(130));
        let out = clean_filename(&name);
        assert_eq!(out, "_CONIN$");
        assert_eq!(clean_filename(&out), out);
        let long_ext = format!("CON.{}", "x".repeat(200));
        let out = clean_filename(&long_ext);
        assert!(out.starts_with("_CON.") && out.len() <= 120, "{out}");
        assert_eq!(clean_filename(&out), out);
    }

    #[test]
    fn trims_and_empty() {
        assert_eq!(clean_filename("  .hidden. "), "hidden");
        assert_eq!(clean_filename(""), "file");
        assert_eq!(clean_filename("\u{202E}"), "file");
    }

    #[test]
    fn long_names_are_capped_keeping_extension() {
        let long = format!("{}.pdf", "a".repeat(500));
        let out = clean_filename(&long);
        assert!(out.len() <= 120);
        assert!(out.ends_with(".pdf"));
        // Multi-byte characters: cut on a char boundary.
        let long = format!("{}.jpg", "é".repeat(200));
        let out = clean_filename(&long);
        assert!(out.len() <= 120);
        assert!(out.ends_with(".jpg"));
        assert!(out.starts_with('é'));
    }

    #[test]
    fn output_is_always_safe() {
        for s in [
            "a/../b",
            "\\\\server\\share\\x",
            "....",
            "a\u{FEFF}b",
            "x:y?z",
        ] {
            let out = clean_filename(s);
            assert!(!out.is_empty());
            assert!(!out.contains('/') && !out.contains('\\'));
            assert!(out.len() <= 120);
        }
    }
}
