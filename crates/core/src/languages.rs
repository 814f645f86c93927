//! The languages the form is offered in: codes, names in themselves, and
//! direction. The server's translations (its `i18n` module) and the CLI (which
//! names the language a source wrote in) share this one list.

/// A supported language.
#[derive(Debug, PartialEq, Eq)]
pub struct Lang {
    /// BCP 47 code used in `?lang=` and `<html lang>`.
    pub code: &'static str,
    /// The language's name in itself.
    pub native: &'static str,
    /// Written right to left.
    pub rtl: bool,
}

/// The languages offered to sources, in the order of the language menu.
pub const LANGS: &[Lang] = &[
    Lang {
        code: "en",
        native: "English",
        rtl: false,
    },
    Lang {
        code: "ar",
        native: "العربية",
        rtl: true,
    },
    Lang {
        code: "es",
        native: "Español",
        rtl: false,
    },
    Lang {
        code: "fa",
        native: "فارسی",
        rtl: true,
    },
    Lang {
        code: "fr",
        native: "Français",
        rtl: false,
    },
    Lang {
        code: "ru",
        native: "Русский",
        rtl: false,
    },
    Lang {
        code: "tg",
        native: "Тоҷикӣ",
        rtl: false,
    },
    Lang {
        code: "ur",
        native: "اردو",
        rtl: true,
    },
    Lang {
        code: "vi",
        native: "Tiếng Việt",
        rtl: false,
    },
    Lang {
        code: "zh",
        native: "中文（简体）",
        rtl: false,
    },
];

/// English, the fallback.
pub fn english() -> &'static Lang {
    &LANGS[0]
}

/// Looks a language up by code (exact, case-insensitive).
pub fn by_code(code: &str) -> Option<&'static Lang> {
    LANGS.iter().find(|l| l.code.eq_ignore_ascii_case(code))
}
