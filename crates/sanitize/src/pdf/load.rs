//! Loading under the budgets: the plain-object pre-scan that counts the values
//! written in the file's own text, and the check that lopdf found a page tree.

use lopdf::{DecompressError, Document, LoadOptions, Object};

use super::K;
use super::budget::{BudgetGuard, budget_exceeded, load_filter, starts_token};
use crate::{Limits, SanitizeError, find, malformed};

/// Load `data` with every decompression charged to one budget of
/// `limits.pdf_max_decoded` bytes and every parsed value to one of
/// `limits.pdf_max_values`, both for the whole file, once the raw text has
/// been found to hold no more values than that.
pub(super) fn load(data: &[u8], limits: &Limits) -> Result<Document, SanitizeError> {
    let budget = limits.pdf_max_decoded;
    let too_large = || SanitizeError::TooLarge { limit: budget };
    // Before lopdf parses anything: what the objects written plainly in the
    // file may build, and whether it may be encrypted (lopdf parses every
    // object of a file that opens with the empty password without the load
    // filter, and decodes its object streams outside the budget).
    let plain = scan_plain(data, limits.pdf_max_values);
    if plain.values > limits.pdf_max_values {
        return Err(too_large());
    }
    if plain.encrypt_name {
        return Err(malformed(K, "encrypted PDF is not supported"));
    }
    let _guard = BudgetGuard::start(budget, limits.pdf_max_values);
    let options = |force_reconstruct| LoadOptions {
        filter: Some(load_filter),
        // Bounds each stream lopdf decodes on its own (cross-reference
        // streams, before the filter sees anything).
        max_decompressed_size: Some(usize::try_from(budget).unwrap_or(usize::MAX)),
        force_reconstruct,
        ..LoadOptions::default()
    };
    let loaded = Document::load_mem_with_options(data, options(false)).map(|doc| {
        // lopdf rebuilds a damaged cross-reference table by itself only
        // without a filter: do it here, on the same budget.
        if page_tree_loaded(&doc) || budget_exceeded() {
            return doc;
        }
        match Document::load_mem_with_options(data, options(true)) {
            Ok(rebuilt) if page_tree_loaded(&rebuilt) => rebuilt,
            _ => doc,
        }
    });
    if budget_exceeded() {
        return Err(too_large());
    }
    match loaded {
        Ok(doc) => Ok(doc),
        Err(lopdf::Error::Decompress(DecompressError::MemoryLimitExceeded { .. })) => {
            Err(too_large())
        }
        Err(e) if find(data, b"/Encrypt").is_some() => {
            Err(malformed(K, format!("encrypted PDF ({e})")))
        }
        Err(e) => Err(malformed(K, e.to_string())),
    }
}

/// What [`scan_plain`] found in the raw bytes of a file.
#[derive(Debug, PartialEq)]
pub(super) struct PlainScan {
    /// Upper bound of the values any one parse of the file's text can
    /// create; counting stops once past the limit it was given.
    pub(super) values: u64,
    /// A name that reads `/Encrypt` (after `#xx` escapes) appears in the
    /// counted text (looked for until the count passes its limit).
    pub(super) encrypt_name: bool,
}

/// Count, in one pass over the raw file and in constant memory, the tokens
/// lopdf could turn into values ([`starts_token`]: every `(` and `[`, runs of
/// `<`, empty names and runs of regular characters, that is numbers,
/// keywords, name and string words), before it parses anything and wherever
/// they are (in strings and comments too). Any
/// one parse of any stretch of the text creates at most as many values as
/// the stretch holds tokens (a string is one value, a reference three
/// tokens, a dictionary key a name). Stream data is skipped, under the rule
/// argued below; everything else is counted, so this is an upper bound of
/// what lopdf builds from the objects written plainly in the file, whether
/// it finds them through the cross-reference data or by scanning the file to
/// rebuild it (it parses each object at most once per entry, and the load
/// filter charges every object it keeps again).
///
/// # Why skipping stream data cannot under-count
/// The data after a `stream` keyword, up to the next `endstream`, is skipped
/// only when (1) `stream` is a whole run of regular characters not preceded
/// by `/` (so not a name) met outside any literal string, (2) no `%` came
/// before it on its line, and (3) the skipped bytes hold no `obj` that may
/// end an object header and no `trailer` that may start a trailer (see
/// [`may_end_header`] and [`may_start_trailer`]). lopdf reads values only
/// from parses that start right after such an `obj` (indirect objects, found
/// by cross-reference data or by its rebuilding scan) or `trailer`, and it reads each parse
/// continuously, except that it takes stream data raw, by `/Length` or up to
/// `endstream`, after which the object is complete and no value follows. By
/// (3) no parse starts inside the skipped bytes, so a parse reading values
/// there must have read its way through the `stream` token before them, in
/// one of these states:
/// * between tokens: `stream` is then a keyword, accepted only after a
///   stream dictionary (the data is then taken raw) and a parse error
///   anywhere else (lopdf starts no value with `s`);
/// * in a name: excluded by (1), a name being `/` and regular characters;
/// * in a hexadecimal string: a parse error, `s` is no hex digit;
/// * in a comment: a comment runs from `%` to the end of its line, excluded
///   by (2);
/// * in a literal string: excluded by (1), since whenever lopdf is inside a
///   literal string, so is this scan. This scan opens a string at every `(`
///   it meets outside one (lopdf opens strings only there, or inside a
///   string of this scan), and both then read the same bytes with the same
///   rules (`\` takes the next byte, parentheses nest), so from lopdf's `(`
///   on the scan's depth stays at least lopdf's and it cannot leave its
///   string first. Data skipped by the scan is, by this very argument, read
///   by no parse, so the scan resumes at `endstream` in step.
///
/// Where the rule does not hold the data is counted like any other text, an
/// over-count on the safe side. Each search ahead (`endstream`, `obj`,
/// `trailer`) is remembered, so the scan stays linear however the keywords
/// are laid out.
///
/// [`starts_token`]: super::budget::starts_token
pub(super) fn scan_plain(data: &[u8], max_values: u64) -> PlainScan {
    let mut out = PlainScan {
        values: 0,
        encrypt_name: false,
    };
    // Next occurrence at or after some position, remembered: (from, at).
    let mut next_end: Option<(usize, Option<usize>)> = None;
    let mut next_obj: Option<(usize, Option<usize>)> = None;
    let mut next_trailer: Option<(usize, Option<usize>)> = None;
    let mut depth = 0usize; // literal string nesting, 0 outside
    let mut escaped = false;
    let mut percent_on_line = false;
    let mut i = 0;
    while i < data.len() {
        let c = data[i];
        if out.values > max_values {
            return out;
        }
        // Tokens, counted whatever the state.
        if starts_token(data, i) {
            out.values += 1;
        }
        if c == b'/' && name_is(&data[i + 1..], b"Encrypt") {
            out.encrypt_name = true;
        }
        match c {
            b'\r' | b'\n' => percent_on_line = false,
            b'%' => percent_on_line = true,
            _ => {}
        }
        // Literal strings, as lopdf reads them.
        if depth > 0 {
            if escaped {
                escaped = false;
            } else if c == b'\\' {
                escaped = true;
            } else if c == b'(' {
                depth += 1;
            } else if c == b')' {
                depth -= 1;
            }
            i += 1;
            continue;
        }
        if c == b'(' {
            depth = 1;
            i += 1;
            continue;
        }
        // A `stream` keyword whose data may be skipped.
        if c == b's'
            && data[i..].starts_with(b"stream")
            && !percent_on_line
            && (i == 0 || (!is_regular(data[i - 1]) && data[i - 1] != b'/'))
            && data.get(i + 6).is_none_or(|&n| !is_regular(n))
        {
            let start = i + 6;
            let end = next_from(data, start, b"endstream", |_| true, &mut next_end);
            if let Some(end) = end {
                // Neither keyword can straddle `endstream` or `stream`.
                let obj = next_from(
                    data,
                    start,
                    b"obj",
                    |at| may_end_header(data, at),
                    &mut next_obj,
                );
                let trailer = next_from(
                    data,
                    start,
                    b"trailer",
                    |at| may_start_trailer(data, at),
                    &mut next_trailer,
                );
                if obj.is_none_or(|at| at >= end) && trailer.is_none_or(|at| at >= end) {
                    // Counted as one token above; `endstream` is read next.
                    i = end;
                    continue;
                }
            }
        }
        i += 1;
    }
    out
}

/// The position of the first `needle` at or after `from` that `accept`s,
/// remembering the last answer in `memo`: that answer stands for any later
/// start up to it, so searches from increasing positions cost one pass in
/// all.
fn next_from(
    data: &[u8],
    from: usize,
    needle: &[u8],
    accept: impl Fn(usize) -> bool,
    memo: &mut Option<(usize, Option<usize>)>,
) -> Option<usize> {
    if let Some((searched_from, found)) = *memo
        && searched_from <= from
        && found.is_none_or(|at| at >= from)
    {
        return found;
    }
    let mut at = from;
    let found = loop {
        match data.get(at..).and_then(|rest| find(rest, needle)) {
            Some(k) if accept(at + k) => break Some(at + k),
            Some(k) => at += k + 1,
            None => break None,
        }
    };
    *memo = Some((from, found));
    found
}

/// Whether the `obj` at `at` may end an object header `N G obj`. lopdf
/// reads a header as two integers, each followed by optional white space
/// and comments, then `obj`: so before it, past any white space, comes a
/// digit, or that white space holds an end of line (a comment may end
/// there). An `obj` inside a word (`endobj`) or after one (`an object`)
/// starts no parse. Each white space run precedes one `obj` at most, so
/// looking back stays linear.
fn may_end_header(data: &[u8], at: usize) -> bool {
    let mut j = at;
    let mut eol = false;
    while j > 0 && is_white(data[j - 1]) {
        eol |= matches!(data[j - 1], b'\r' | b'\n');
        j -= 1;
    }
    eol || j == 0 || data[j - 1].is_ascii_digit()
}

/// Whether the `trailer` at `at` may start a trailer: lopdf reads one as
/// `trailer`, white space (and comments, after a cross-reference table),
/// then a dictionary. A `trailer` followed by anything else (`the trailer,
/// …`) starts no parse.
fn may_start_trailer(data: &[u8], at: usize) -> bool {
    let after = (at + b"trailer".len()).min(data.len());
    let next = data[after..].iter().find(|&&c| !is_white(c));
    matches!(next, None | Some(b'<' | b'%'))
}

/// Whether the name whose text (after its `/`) starts `rest` reads `want`
/// once its `#xx` escapes are decoded, as lopdf decodes them.
fn name_is(rest: &[u8], want: &[u8]) -> bool {
    let mut got = 0;
    let mut i = 0;
    loop {
        match rest.get(i) {
            Some(b'#') => {
                let hex = |k: usize| rest.get(k).and_then(|&c| (c as char).to_digit(16));
                match (hex(i + 1), hex(i + 2)) {
                    (Some(h), Some(l)) => {
                        if want.get(got) != Some(&((h * 16 + l) as u8)) {
                            return false;
                        }
                        got += 1;
                        i += 3;
                    }
                    _ => return got == want.len(),
                }
            }
            Some(&c) if is_regular(c) => {
                if want.get(got) != Some(&c) {
                    return false;
                }
                got += 1;
                i += 1;
            }
            _ => return got == want.len(),
        }
    }
}

/// White space, as lopdf's parser classes bytes (NUL included).
fn is_white(c: u8) -> bool {
    b" \t\n\r\0\x0C".contains(&c)
}

/// Neither white space nor a delimiter, as lopdf's parser classes bytes.
pub(super) fn is_regular(c: u8) -> bool {
    !is_white(c) && !b"()<>[]{}/%".contains(&c)
}

fn page_tree_loaded(doc: &Document) -> bool {
    doc.catalog()
        .and_then(|c| c.get(b"Pages"))
        .and_then(Object::as_reference)
        .and_then(|id| doc.get_dictionary(id))
        .is_ok_and(|pages| pages.has(b"Kids"))
}
