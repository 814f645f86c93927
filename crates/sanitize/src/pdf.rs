//! PDF metadata stripping (in memory, with lopdf).
//!
//! Loads the document (all revisions merged by the cross-reference chain),
//! then removes: the trailer /Info dictionary and /ID, every /Metadata entry
//! and XMP metadata stream, /PieceInfo application data, /LastModified dates,
//! page thumbnails (/Thumb), markup annotation author (/T becomes "Author")
//! and annotation dates, old Info dictionaries of earlier revisions, and
//! EXIF/XMP inside embedded JPEG (DCTDecode) images.
//!
//! It also removes everything a PDF reader may run or fetch on its own, since
//! a planted link reveals the reviewer who opens the file: /OpenAction and
//! /AA (additional actions) wherever they are, every action other than a jump
//! inside the document (`/GoTo`, `/Named`), so /URI, /Launch, /GoToR, /GoToE,
//! /SubmitForm, /ImportData, /JavaScript and the rest, together with /Next
//! chains; the JavaScript and EmbeddedFiles name trees, embedded file streams
//! and file attachment, media and rich-media annotations, /AF associated
//! files, the base /URI and XFA forms. Link annotations stay on the page
//! without their action.
//! A fresh, complete file is written (never an incremental update), so bytes
//! of earlier revisions are gone.
//!
//! # Decompression budget
//! Page content, images and fonts are copied as they are, encoded: they are
//! never decoded. Metadata streams are dropped without being decoded (an XMP
//! packet stored unfiltered is scanned as it is, to report what it held). The
//! only streams decoded are those needed to read the file: object streams and
//! cross-reference streams. All of them together may decode to at most
//! [`Limits::pdf_max_decoded`] bytes (`limits.pdf_max_decoded_bytes` in the
//! server's configuration): one budget per file, shared across streams, each
//! filter layer bounded by what is left of it. A file that needs more is
//! refused with [`SanitizeError::TooLarge`], never half-processed.
//!
//! Parsed values take many times the bytes of their text (100 to 250 bytes
//! for the two bytes of a `0 ` in an array), so values are bounded by
//! [`Limits::pdf_max_values`] (`limits.pdf_max_values`), refused the same
//! way, and always counted from text before lopdf parses it. The objects
//! written plainly in the file (and its trailers) are counted by one pass
//! over the raw bytes before lopdf sees them ([`scan_plain`], which skips
//! stream data only where no parse can read values, as argued there); the
//! members of an object stream from its decoded text before lopdf parses
//! them. Every object lopdf keeps is counted again once parsed, so what it
//! holds at once stays within about twice the limit. A file whose text names
//! `/Encrypt` is refused before lopdf parses it, since lopdf reads encrypted
//! files (those that open with the empty password) without the load filter.
//!
//! lopdf's load filter is a plain `fn`, so the budget of the file being
//! loaded lives in a thread-local for the duration of the load (lopdf is
//! built without its `rayon` feature and loads on the calling thread).
//! One path runs before the filter and is bounded per stream only, by
//! lopdf's own limit set to the same budget: cross-reference streams, decoded
//! while lopdf follows the cross-reference chain (each is counted against the
//! budget afterwards). lopdf would also read an encrypted file that opens
//! with the empty password without the filter (its objects and object
//! streams), so a file whose text names `/Encrypt` never reaches lopdf.
//!
//! Encrypted PDFs are Malformed ("encrypted"): we cannot see inside them.
//! Not handled: metadata inside fonts.
//! Must never write the original bytes back or panic on hostile input.

use std::cell::{Cell, RefCell};
use std::collections::HashSet;
use std::io::Write;

use lopdf::xref::XrefType;
use lopdf::{DecompressError, Dictionary, Document, LoadOptions, Object, ObjectId, StringFormat};

use super::{Found, Kind, Limits, Outcome, Removed, SanitizeError, classify_xmp, find, malformed};

/// Rewrite a whole PDF held in memory without metadata.
pub(super) fn strip(
    data: &[u8],
    output: &mut dyn Write,
    limits: &Limits,
) -> Result<Outcome, SanitizeError> {
    let mut doc = load(data, limits)?;
    if doc.was_encrypted() || doc.is_encrypted() || doc.trailer.has(b"Encrypt") {
        return Err(malformed(K, "encrypted PDF is not supported"));
    }
    let root = match doc.trailer.get(b"Root") {
        Ok(Object::Reference(id)) => *id,
        _ => return Err(malformed(K, "no document catalog")),
    };
    let mut found = Found {
        changed: true,
        ..Found::default()
    };
    if doc.trailer.has(b"ID") {
        found.add(Removed::DocumentIds);
    }

    // Report what Info dictionaries (current and older revisions) held; they
    // become unreferenced below and are pruned.
    for obj in doc.objects.values() {
        if let Object::Dictionary(d) = obj
            && looks_like_info(d)
        {
            classify_info(d, &mut found);
        }
    }
    if let Ok(Object::Dictionary(d)) = doc.trailer.get(b"Info") {
        classify_info(d, &mut found);
    }

    // XMP streams: report and delete.
    let xmp_ids: Vec<_> = doc
        .objects
        .iter()
        .filter_map(|(id, o)| match o {
            Object::Stream(s) if is_name(s.dict.get(b"Type").ok(), b"Metadata") => Some(*id),
            _ => None,
        })
        .collect();
    for id in xmp_ids {
        if let Some(Object::Stream(s)) = doc.objects.remove(&id) {
            // Only removed, so never decoded: an encoded packet is reported
            // as "other" without looking inside.
            if s.dict.has(b"Filter") {
                found.add(Removed::Other);
            } else {
                classify_xmp(&s.content, &mut found);
            }
        }
    }

    let active = Active::survey(&doc);
    for (id, obj) in doc.objects.iter_mut() {
        if active.annot_arrays.contains(id)
            && let Object::Array(items) = obj
        {
            drop_attachments(items, &active, &mut found);
        }
        if let Object::Stream(s) = obj
            && is_name(s.dict.get(b"Type").ok(), b"EmbeddedFile")
        {
            *obj = Object::Null;
            found.add(Removed::Other);
            continue;
        }
        clean_object(obj, &active, &mut found, 0)?;
    }

    // A fresh trailer: only the catalog. No /Info, /ID, /Prev, /XRefStm.
    let mut trailer = Dictionary::new();
    trailer.set("Root", Object::Reference(root));
    doc.trailer = trailer;
    doc.reference_table.cross_reference_type = XrefType::CrossReferenceTable;
    let pruned = doc.prune_objects();
    if !pruned.is_empty() {
        found.add(Removed::Other);
    }
    // Keep /Size honest after pruning (readers warn otherwise).
    doc.max_id = doc.objects.keys().map(|(id, _)| *id).max().unwrap_or(0);
    if !doc.objects.contains_key(&root) {
        return Err(malformed(K, "catalog object missing"));
    }

    let mut buf = Vec::with_capacity(data.len());
    doc.save_to(&mut buf)?;
    output.write_all(&buf)?;
    Ok(found.outcome())
}

// ---------------------------------------------------------------------------

const K: Kind = Kind::Pdf;
/// Nesting bound for direct objects, against stack exhaustion.
const MAX_DEPTH: usize = 64;

/// Actions that only move within the document; every other action type can
/// reach outside it (network, files, scripts, forms) and is removed.
const SAFE_ACTIONS: [&[u8]; 2] = [b"GoTo", b"Named"];
/// Every action type (/S) of ISO 32000-2, 12.6.4. Other dictionaries have an
/// /S too (structure elements, transparency groups, soft masks, transitions),
/// so an action is recognised by its type, not by the key alone.
const ACTION_TYPES: [&[u8]; 20] = [
    b"GoTo",
    b"GoToR",
    b"GoToE",
    b"GoToDp",
    b"Launch",
    b"Thread",
    b"URI",
    b"Sound",
    b"Movie",
    b"Hide",
    b"Named",
    b"SubmitForm",
    b"ResetForm",
    b"ImportData",
    b"SetOCGState",
    b"Rendition",
    b"Trans",
    b"GoTo3DView",
    b"JavaScript",
    b"RichMediaExecute",
];
/// Annotation types that carry a file or media a reader may open or fetch.
const ATTACHMENT_ANNOTS: [&[u8]; 5] = [
    b"FileAttachment",
    b"RichMedia",
    b"Screen",
    b"Movie",
    b"Sound",
];

/// Load `data` with every decompression charged to one budget of
/// `limits.pdf_max_decoded` bytes and every parsed value to one of
/// `limits.pdf_max_values`, both for the whole file, once the raw text has
/// been found to hold no more values than that.
fn load(data: &[u8], limits: &Limits) -> Result<Document, SanitizeError> {
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
struct PlainScan {
    /// Upper bound of the values any one parse of the file's text can
    /// create; counting stops once past the limit it was given.
    values: u64,
    /// A name that reads `/Encrypt` (after `#xx` escapes) appears in the
    /// counted text (looked for until the count passes its limit).
    encrypt_name: bool,
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
fn scan_plain(data: &[u8], max_values: u64) -> PlainScan {
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
fn is_regular(c: u8) -> bool {
    !is_white(c) && !b"()<>[]{}/%".contains(&c)
}

fn page_tree_loaded(doc: &Document) -> bool {
    doc.catalog()
        .and_then(|c| c.get(b"Pages"))
        .and_then(Object::as_reference)
        .and_then(|id| doc.get_dictionary(id))
        .is_ok_and(|pages| pages.has(b"Kids"))
}

thread_local! {
    /// What the PDF being loaded on this thread may still decode to and how
    /// many more values it may have; `None` outside [`load`].
    static BUDGET: Cell<Option<Budget>> = const { Cell::new(None) };
    /// Object numbers of the members of the object stream just decoded,
    /// sorted: charged with it, lopdf passes them to the filter next.
    static MEMBERS: RefCell<Vec<u32>> = const { RefCell::new(Vec::new()) };
}

#[derive(Clone, Copy)]
struct Budget {
    /// Bytes left to decode.
    remaining: u64,
    /// Values left.
    values: u64,
    exceeded: bool,
}

/// Sets the thread's budget for one load and clears it on every way out,
/// panics included.
struct BudgetGuard;

impl BudgetGuard {
    fn start(bytes: u64, values: u64) -> BudgetGuard {
        BUDGET.set(Some(Budget {
            remaining: bytes,
            values,
            exceeded: false,
        }));
        MEMBERS.with_borrow_mut(Vec::clear);
        BudgetGuard
    }
}

impl Drop for BudgetGuard {
    fn drop(&mut self) {
        BUDGET.set(None);
        MEMBERS.with_borrow_mut(|m| *m = Vec::new());
    }
}

fn budget_exceeded() -> bool {
    BUDGET.get().is_some_and(|b| b.exceeded)
}

/// Change the thread's budget, if a load is under way.
fn with_budget<T>(f: impl FnOnce(&mut Budget) -> T) -> Option<T> {
    let mut b = BUDGET.get()?;
    let out = f(&mut b);
    BUDGET.set(Some(b));
    Some(out)
}

/// Charge `n` values; false (and the budget exceeded) when they do not fit.
fn charge_values(n: u64) -> bool {
    with_budget(|b| {
        if b.exceeded || n > b.values {
            b.exceeded = true;
            false
        } else {
            b.values -= n;
            true
        }
    })
    .unwrap_or(true)
}

/// Decode `s` against what is left of the budget and charge what it decoded
/// to. `None` when it does not fit (the budget is then marked exceeded) or
/// cannot be decoded.
fn decode_charged(s: &lopdf::Stream) -> Option<Vec<u8>> {
    let b = BUDGET.get()?;
    if b.exceeded {
        return None;
    }
    let limit = usize::try_from(b.remaining).unwrap_or(usize::MAX);
    match s.get_plain_content_with_limit(limit) {
        Ok(plain) => {
            with_budget(|b| b.remaining = b.remaining.saturating_sub(plain.len() as u64));
            Some(plain)
        }
        Err(lopdf::Error::Decompress(DecompressError::MemoryLimitExceeded { .. })) => {
            with_budget(|b| b.exceeded = true);
            None
        }
        Err(_) => None,
    }
}

/// What lopdf will build from an object stream's decoded `content`: its
/// members and every value inside them, counted from the text before any of
/// it is parsed. Every array, dictionary, name, string and number is one
/// value (a string's words count each, an overcount on the safe side). When
/// the member offsets do not strictly increase, members may share their
/// text, so each is charged all of it.
fn object_stream_values(dict: &Dictionary, content: &[u8]) -> u64 {
    let first = dict
        .get(b"First")
        .and_then(Object::as_i64)
        .ok()
        .and_then(|f| usize::try_from(f).ok())
        .unwrap_or(0)
        .min(content.len());
    let (head, body) = content.split_at(first);
    let numbers: Vec<u64> = head
        .split(|c| c.is_ascii_whitespace())
        .filter(|t| !t.is_empty())
        .map(|t| {
            std::str::from_utf8(t)
                .ok()
                .and_then(|t| t.parse().ok())
                .unwrap_or(u64::MAX)
        })
        .collect();
    let members = (numbers.len() / 2) as u64;
    let increasing = numbers
        .iter()
        .skip(1)
        .step_by(2)
        .try_fold(None, |prev: Option<u64>, &o| match prev {
            Some(p) if o <= p => None,
            _ => Some(Some(o)),
        })
        .is_some();
    let values = count_tokens(body);
    if increasing {
        members.saturating_add(values)
    } else {
        members.saturating_mul(values.max(1))
    }
}

/// PDF tokens that may start a value in `text`; see [`starts_token`].
fn count_tokens(text: &[u8]) -> u64 {
    (0..text.len()).filter(|&i| starts_token(text, i)).count() as u64
}

/// Whether a token that may start a value begins at `i`: a run of regular
/// characters (a number, a keyword, a name's or a string's word), a `[` or
/// `(`, the first `<` of a run (`<<` opens one dictionary, a hexadecimal
/// string holds no `<`), or a `/` that no regular character follows (an
/// empty name; any other name is counted by its run). Character classes are
/// lopdf's (NUL is white space). Dictionary keys count as values too: they
/// take memory as well.
fn starts_token(text: &[u8], i: usize) -> bool {
    let prev = i.checked_sub(1).map(|p| text[p]);
    match text[i] {
        b'[' | b'(' => true,
        b'<' => prev != Some(b'<'),
        b'/' => text.get(i + 1).is_none_or(|&n| !is_regular(n)),
        c => is_regular(c) && prev.is_none_or(|p| !is_regular(p)),
    }
}

/// Object numbers of the members in an object stream's index, sorted.
fn member_numbers(dict: &Dictionary, content: &[u8]) -> Vec<u32> {
    let first = dict
        .get(b"First")
        .and_then(Object::as_i64)
        .ok()
        .and_then(|f| usize::try_from(f).ok())
        .unwrap_or(0)
        .min(content.len());
    let mut numbers: Vec<u32> = content
        .get(..first)
        .unwrap_or_default()
        .split(|c| c.is_ascii_whitespace())
        .filter(|t| !t.is_empty())
        .step_by(2)
        .filter_map(|t| std::str::from_utf8(t).ok()?.parse().ok())
        .collect();
    numbers.sort_unstable();
    numbers.dedup();
    numbers
}

/// Values in one parsed object: itself and everything nested in it.
fn count_values(o: &Object) -> u64 {
    let mut n = 0u64;
    let mut stack = vec![o];
    while let Some(o) = stack.pop() {
        n += 1;
        match o {
            Object::Array(a) => stack.extend(a.iter()),
            Object::Dictionary(d) => stack.extend(d.iter().map(|(_, v)| v)),
            Object::Stream(s) => stack.extend(s.dict.iter().map(|(_, v)| v)),
            _ => {}
        }
    }
    n
}

/// lopdf's load filter, called on each object as it is read and before lopdf
/// parses an object stream. Every value of every object counts against the
/// value budget; an object stream's members are counted, all at once, from
/// their text before lopdf parses them. Object streams are decoded here, on the byte budget, and handed
/// back decoded so lopdf does not decode them again; one that cannot be
/// decoded is dropped, as lenient lopdf would skip it. A cross-reference
/// stream (already decoded by lopdf) is charged and dropped, since the output
/// gets a fresh table. Once a budget is exceeded, objects are dropped as they
/// come and [`load`] refuses the file. An object read directly from the file
/// is counted once parsed (it was bounded before by [`scan_plain`]), which
/// charges an object read twice twice.
///
/// lopdf 0.47 keeps the object it passed by `&mut` for indirect objects read
/// from the file (the returned value is discarded) and the returned value for
/// members of object streams (never streams themselves), hence the clone of
/// non-stream objects and the placeholder returned for streams.
fn load_filter(id: ObjectId, obj: &mut Object) -> Option<(ObjectId, Object)> {
    if !matches!(obj, Object::Stream(_)) {
        // Members of the object stream just read were charged with it. A
        // later object of the file that reuses a member's number passes
        // uncharged too, at most once per member (lopdf keeps one object per
        // number), each of which was charged at least one value.
        let member = MEMBERS.with_borrow(|m| m.binary_search(&id.0).is_ok());
        if !member && !charge_values(count_values(obj)) {
            return None;
        }
        return Some((id, obj.clone()));
    }
    // A stream is never a member: lopdf has passed all the members of the
    // object stream read before.
    MEMBERS.with_borrow_mut(Vec::clear);
    if !charge_values(count_values(obj)) {
        return None;
    }
    let Object::Stream(s) = obj else {
        return None;
    };
    let kind = s.dict.get(b"Type").ok();
    if is_name(kind, b"ObjStm") {
        // A stream that does not fit or cannot be decoded is dropped: lopdf
        // would decode it again outside the budget only to fail the same way.
        let plain = decode_charged(s)?;
        if !charge_values(object_stream_values(&s.dict, &plain)) {
            return None;
        }
        MEMBERS.set(member_numbers(&s.dict, &plain));
        if s.dict.has(b"Filter") {
            s.set_plain_content(plain);
        }
    } else if is_name(kind, b"XRef") {
        decode_charged(s);
        return None;
    }
    Some((id, Object::Null))
}

/// What the clean pass must know about other objects: which indirect objects
/// are actions that reach outside the document, which are attachment or media
/// annotations, and which arrays are annotation lists.
#[derive(Default)]
struct Active {
    bad_actions: HashSet<ObjectId>,
    attachments: HashSet<ObjectId>,
    annot_arrays: HashSet<ObjectId>,
}

impl Active {
    fn survey(doc: &Document) -> Active {
        let mut a = Active::default();
        for (id, obj) in &doc.objects {
            let d = match obj {
                Object::Dictionary(d) => d,
                Object::Stream(s) => &s.dict,
                _ => continue,
            };
            if is_action(d) && !is_safe_action(d) {
                a.bad_actions.insert(*id);
            }
            if is_attachment_annot(d) {
                a.attachments.insert(*id);
            }
            if let Ok(Object::Reference(r)) = d.get(b"Annots") {
                a.annot_arrays.insert(*r);
            }
        }
        a
    }

    /// Whether `value`, found under an action key (/A, /OpenAction), is an
    /// action to remove. Destination arrays and non-action values stay.
    fn is_bad(&self, value: &Object) -> bool {
        match value {
            Object::Dictionary(d) => is_action(d) && !is_safe_action(d),
            Object::Reference(id) => self.bad_actions.contains(id),
            _ => false,
        }
    }
}

fn is_action(d: &Dictionary) -> bool {
    is_name(d.get(b"Type").ok(), b"Action")
        || (!is_name(d.get(b"Type").ok(), b"StructElem")
            && matches!(d.get(b"S"), Ok(Object::Name(n)) if ACTION_TYPES.contains(&n.as_slice())))
}

fn is_safe_action(d: &Dictionary) -> bool {
    !d.has(b"JS")
        && matches!(d.get(b"S"), Ok(Object::Name(n)) if SAFE_ACTIONS.contains(&n.as_slice()))
}

fn is_attachment_annot(d: &Dictionary) -> bool {
    matches!(d.get(b"Subtype"), Ok(Object::Name(n)) if ATTACHMENT_ANNOTS.contains(&n.as_slice()))
        && (d.has(b"Rect") || is_name(d.get(b"Type").ok(), b"Annot"))
}

/// Remove attachment and media annotations from an /Annots array.
fn drop_attachments(items: &mut Vec<Object>, active: &Active, found: &mut Found) {
    let before = items.len();
    items.retain(|o| match o {
        Object::Reference(id) => !active.attachments.contains(id),
        Object::Dictionary(d) => !is_attachment_annot(d),
        _ => true,
    });
    if items.len() != before {
        found.add(Removed::Other);
    }
}

fn is_name(o: Option<&Object>, name: &[u8]) -> bool {
    matches!(o, Some(Object::Name(n)) if n == name)
}

/// Heuristic for a document information dictionary.
fn looks_like_info(d: &Dictionary) -> bool {
    !d.has(b"Type")
        && [
            &b"Producer"[..],
            b"Creator",
            b"Author",
            b"CreationDate",
            b"ModDate",
        ]
        .iter()
        .any(|k| d.has(k))
}

fn classify_info(d: &Dictionary, found: &mut Found) {
    for (k, _) in d.iter() {
        found.add(match k.as_slice() {
            b"Author" => Removed::Author,
            b"Creator" | b"Producer" => Removed::Software,
            b"CreationDate" | b"ModDate" => Removed::Dates,
            b"Subject" | b"Keywords" | b"Title" => Removed::Comments,
            _ => Removed::Other,
        });
    }
}

/// Remove metadata and active content in `obj` and the direct objects
/// inside it.
fn clean_object(
    obj: &mut Object,
    active: &Active,
    found: &mut Found,
    depth: usize,
) -> Result<(), SanitizeError> {
    if depth > MAX_DEPTH {
        return Err(malformed(K, "objects nested too deeply"));
    }
    match obj {
        Object::Dictionary(d) => clean_dict(d, active, found, depth),
        Object::Stream(s) => {
            clean_dict(&mut s.dict, active, found, depth)?;
            clean_jpeg_stream(s, found)
        }
        Object::Array(items) => {
            for i in items.iter_mut() {
                clean_object(i, active, found, depth + 1)?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

fn clean_dict(
    d: &mut Dictionary,
    active: &Active,
    found: &mut Found,
    depth: usize,
) -> Result<(), SanitizeError> {
    for (key, cat) in [
        (&b"Metadata"[..], Removed::Other),
        (b"PieceInfo", Removed::Other),
        (b"LastModified", Removed::Dates),
        (b"Thumb", Removed::Thumbnail),
    ] {
        if d.remove(key).is_some() {
            found.add(cat);
        }
    }
    clean_active(d, active, found);
    let is_annot = is_name(d.get(b"Type").ok(), b"Annot")
        || (d.has(b"Subtype") && d.has(b"Rect") && (d.has(b"T") || d.has(b"Popup")));
    let is_widget = is_name(d.get(b"Subtype").ok(), b"Widget");
    if is_annot && !is_widget {
        // /T of a markup annotation is its author ("Title" in the UI).
        let neutral = Object::String(b"Author".to_vec(), StringFormat::Literal);
        if let Ok(t) = d.get(b"T")
            && *t != neutral
        {
            d.set("T", neutral);
            found.add(Removed::Author);
        }
        for k in [&b"M"[..], b"CreationDate"] {
            if d.remove(k).is_some() {
                found.add(Removed::Dates);
            }
        }
    }
    if let Ok(Object::Array(items)) = d.get_mut(b"Annots") {
        drop_attachments(items, active, found);
    }
    for (_, v) in d.iter_mut() {
        clean_object(v, active, found, depth + 1)?;
    }
    Ok(())
}

/// Remove from one dictionary what a reader may run or fetch by itself.
fn clean_active(d: &mut Dictionary, active: &Active, found: &mut Found) {
    let mut removed = false;
    // An action reaching outside the document is emptied wherever it sits;
    // the keys that point at it are removed below.
    if is_action(d) && !is_safe_action(d) {
        *d = Dictionary::new();
        found.add(Removed::Other);
        return;
    }
    // /PA: a link's original action, kept by some writers beside /A.
    for key in [&b"A"[..], b"OpenAction", b"PA"] {
        if d.get(key).is_ok_and(|v| active.is_bad(v)) {
            d.remove(key);
            removed = true;
        }
    }
    // A kept action runs no chain of further actions (outline items use
    // /Next for their sibling: only actions lose it).
    if is_action(d) && d.remove(b"Next").is_some() {
        removed = true;
    }
    // Always removed: additional (event) actions, scripts, embedded files and
    // their name trees, associated files, base URI, XFA forms (and the flag
    // that tells a reader to wait for them).
    for key in [
        &b"AA"[..],
        b"JS",
        b"JavaScript",
        b"EmbeddedFiles",
        b"EF",
        b"RF",
        b"AF",
        b"URI",
        b"XFA",
        b"NeedsRendering",
    ] {
        if d.remove(key).is_some() {
            removed = true;
        }
    }
    if removed {
        found.add(Removed::Other);
    }
}

/// Strip EXIF/XMP from an embedded JPEG image (DCTDecode as its only filter).
fn clean_jpeg_stream(s: &mut lopdf::Stream, found: &mut Found) -> Result<(), SanitizeError> {
    let dct_only = match s.dict.get(b"Filter") {
        Ok(Object::Name(n)) => n == b"DCTDecode",
        Ok(Object::Array(a)) => a.len() == 1 && is_name(a.first(), b"DCTDecode"),
        _ => false,
    };
    if !dct_only {
        return Ok(());
    }
    let (clean, inner) = super::jpeg::strip_bytes(&s.content, false)
        .map_err(|e| malformed(K, format!("embedded JPEG image: {e}")))?;
    if !inner.removed.is_empty() {
        for r in inner.removed {
            found.add(r);
        }
        s.set_content(clean);
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
pub(super) mod tests {
    use super::super::tests_util::*;
    use super::*;
    use lopdf::{Stream, dictionary};

    /// A one-page PDF with Info, XMP, /ID, an annotation author and an
    /// embedded JPEG with GPS EXIF, then an incremental update adding a new
    /// Info dictionary.
    pub(crate) fn fixture() -> Vec<u8> {
        let mut doc = Document::with_version("1.5");
        let pages_id = doc.new_object_id();
        let jpeg = super::super::jpeg::tests::fixture(super::super::jpeg::tests::TINY, 6);
        let img = Stream::new(
            dictionary! {
                "Type" => "XObject", "Subtype" => "Image", "Width" => 16, "Height" => 16,
                "ColorSpace" => "DeviceRGB", "BitsPerComponent" => 8, "Filter" => "DCTDecode",
            },
            jpeg,
        );
        let img_id = doc.add_object(img);
        let content = Stream::new(dictionary! {}, b"q 100 0 0 100 0 0 cm /Im1 Do Q".to_vec());
        let content_id = doc.add_object(content);
        let annot_id = doc.add_object(dictionary! {
            "Type" => "Annot", "Subtype" => "Text", "Rect" => vec![0.into(), 0.into(), 10.into(), 10.into()],
            "T" => Object::string_literal("Jane Canary"), "Contents" => Object::string_literal("note"),
            "M" => Object::string_literal("D:20240501CANARY"),
        });
        let page_id = doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => pages_id, "Contents" => content_id,
            "MediaBox" => vec![0.into(), 0.into(), 200.into(), 200.into()],
            "Resources" => dictionary! { "XObject" => dictionary! { "Im1" => img_id } },
            "Annots" => vec![annot_id.into()],
        });
        doc.objects.insert(
            pages_id,
            Object::Dictionary(
                dictionary! { "Type" => "Pages", "Kids" => vec![page_id.into()], "Count" => 1 },
            ),
        );
        let xmp = Stream::new(
            dictionary! { "Type" => "Metadata", "Subtype" => "XML" },
            b"<x:xmpmeta><dc:creator>Jane Canary</dc:creator><xmp:CreatorTool>CANARY-TOOL</xmp:CreatorTool></x:xmpmeta>".to_vec(),
        );
        let xmp_id = doc.add_object(xmp);
        let catalog_id = doc.add_object(
            dictionary! { "Type" => "Catalog", "Pages" => pages_id, "Metadata" => xmp_id },
        );
        let info_id = doc.add_object(dictionary! {
            "Author" => Object::string_literal("Jane Canary"),
            "Producer" => Object::string_literal("CANARY-PRODUCER"),
            "CreationDate" => Object::string_literal("D:20240501120000+02'00'"),
        });
        doc.trailer.set("Root", catalog_id);
        doc.trailer.set("Info", info_id);
        doc.trailer.set(
            "ID",
            vec![
                Object::String(b"CANARY-ID-1".to_vec(), StringFormat::Hexadecimal),
                Object::String(b"CANARY-ID-1".to_vec(), StringFormat::Hexadecimal),
            ],
        );
        let mut out = Vec::new();
        doc.save_to(&mut out).unwrap();

        // Incremental update by hand: a new Info object.
        let sx = out.windows(9).rposition(|w| w == b"startxref").unwrap();
        let tail = std::str::from_utf8(&out[sx + 9..]).unwrap();
        let prev: usize = tail
            .trim()
            .trim_end_matches("%%EOF")
            .trim()
            .parse()
            .unwrap();
        let new_id = doc.max_id + 1;
        out.extend_from_slice(b"\n");
        let obj_at = out.len();
        out.extend_from_slice(
            format!("{new_id} 0 obj\n<< /Author (Jane Canary Rev2) /Producer (CANARY-PRODUCER-2) >>\nendobj\n").as_bytes(),
        );
        let xref_at = out.len();
        out.extend_from_slice(format!("xref\n{new_id} 1\n{obj_at:010} 00000 n \n").as_bytes());
        out.extend_from_slice(
            format!(
                "trailer\n<< /Size {} /Root {} 0 R /Info {new_id} 0 R /Prev {prev} /ID [<43414E415259> <43414E415259>] >>\nstartxref\n{xref_at}\n%%EOF\n",
                new_id + 1,
                catalog_id.0
            )
            .as_bytes(),
        );
        out
    }

    #[test]
    fn strips_info_xmp_ids_across_revisions() {
        let input = fixture();
        // The fixture really has both revisions.
        let loaded = Document::load_mem(&input).unwrap();
        assert!(loaded.trailer.has(b"Info"));
        assert!(contains(&input, b"CANARY-PRODUCER-2"));
        assert!(contains(&input, b"(CANARY-PRODUCER)"));

        let (res, out) = run(Kind::Pdf, &input);
        let Outcome::Cleaned { removed } = res.unwrap() else {
            panic!()
        };
        for cat in [
            Removed::Author,
            Removed::Software,
            Removed::Dates,
            Removed::DocumentIds,
            Removed::Location,
        ] {
            assert!(removed.contains(&cat), "{cat}");
        }
        for canary in [
            &b"Jane Canary"[..],
            b"CANARY",
            b"+48.8577+002.2950/",
            b"Photoshop",
        ] {
            assert!(
                !contains(&out, canary),
                "{}",
                String::from_utf8_lossy(canary)
            );
        }
        // Only one revision: a single %%EOF and xref.
        assert_eq!(out.windows(5).filter(|w| w == b"%%EOF").count(), 1);
        let doc = Document::load_mem(&out).unwrap();
        assert!(!doc.trailer.has(b"Info"));
        assert!(!doc.trailer.has(b"ID"));
        assert!(!doc.catalog().unwrap().has(b"Metadata"));
        assert_eq!(doc.get_pages().len(), 1);
        // The image is still a valid JPEG.
        let img = doc
            .objects
            .values()
            .find_map(|o| match o {
                Object::Stream(s) if is_name(s.dict.get(b"Subtype").ok(), b"Image") => {
                    Some(s.content.clone())
                }
                _ => None,
            })
            .unwrap();
        super::super::jpeg::tests::assert_jpeg_structure(&img);
        // Second pass finds nothing.
        let (res2, _) = run(Kind::Pdf, &out);
        assert_eq!(res2.unwrap(), Outcome::NothingFound);
    }

    /// zlib (FlateDecode) of `n` zero bytes, made in 1 MiB steps.
    pub(crate) fn zlib_zeros(n: u64) -> Vec<u8> {
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        let chunk = vec![0u8; 1 << 20];
        let mut left = n;
        while left > 0 {
            let k = left.min(chunk.len() as u64) as usize;
            z.write_all(&chunk[..k]).unwrap();
            left -= k as u64;
        }
        z.finish().unwrap()
    }

    pub(crate) fn zlib(data: &[u8]) -> Vec<u8> {
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        z.write_all(data).unwrap();
        z.finish().unwrap()
    }

    /// A one-page document with `extra` streams added as unreferenced objects
    /// (lopdf decodes every object stream it reads, referenced or not).
    /// Written by hand: lopdf's writer leaves object streams out.
    pub(crate) fn with_streams(extra: Vec<(String, Vec<u8>)>) -> Vec<u8> {
        let mut bodies: Vec<Vec<u8>> = vec![
            b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>".to_vec(),
        ];
        for (dict, content) in extra {
            let mut b = format!("<< {dict} /Length {} >>", content.len()).into_bytes();
            b.extend_from_slice(b"\nstream\n");
            b.extend_from_slice(&content);
            b.extend_from_slice(b"\nendstream");
            bodies.push(b);
        }
        let mut out = b"%PDF-1.5\n%\xE2\xE3\xCF\xD3\n".to_vec();
        let mut offsets = Vec::new();
        for (i, b) in bodies.iter().enumerate() {
            offsets.push(out.len());
            out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
            out.extend_from_slice(b);
            out.extend_from_slice(b"\nendobj\n");
        }
        let xref = out.len();
        out.extend_from_slice(
            format!("xref\n0 {}\n0000000000 65535 f \n", bodies.len() + 1).as_bytes(),
        );
        for o in offsets {
            out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
        }
        out.extend_from_slice(
            format!(
                "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
                bodies.len() + 1
            )
            .as_bytes(),
        );
        out
    }

    /// An object stream whose content is `layers` nested FlateDecode layers
    /// over `n` zero bytes: a few KB that decode to `n` bytes.
    pub(crate) fn obj_stm_bomb(n: u64, layers: usize) -> (String, Vec<u8>) {
        let mut content = zlib_zeros(n);
        for _ in 1..layers {
            content = zlib(&content);
        }
        let filters = " /FlateDecode".repeat(layers);
        (
            format!("/Type /ObjStm /N 1 /First 4 /Filter [{filters} ]"),
            content,
        )
    }

    fn limits(pdf_max_decoded: u64) -> Limits {
        Limits {
            pdf_max_decoded,
            ..Limits::default()
        }
    }

    fn strip_with(data: &[u8], limits: &Limits) -> (Result<Outcome, SanitizeError>, Vec<u8>) {
        let mut out = Vec::new();
        let res = super::super::strip(Kind::Pdf, &mut &data[..], &mut out, limits);
        (res, out)
    }

    #[test]
    fn object_stream_bomb_is_refused_at_the_budget() {
        // 64 MiB of zeros behind two Flate layers: under 1 KB in the file.
        let input = with_streams(vec![obj_stm_bomb(64 << 20, 2)]);
        assert!(input.len() < 4096, "{}", input.len());
        let (res, out) = strip_with(&input, &limits(1 << 20));
        assert!(
            matches!(res, Err(SanitizeError::TooLarge { limit }) if limit == 1 << 20),
            "{res:?}"
        );
        assert!(out.is_empty());
        // The same bomb on the default budget is refused too.
        let (res, _) = strip_with(&input, &Limits::default());
        assert!(
            matches!(res, Err(SanitizeError::TooLarge { .. })),
            "{res:?}"
        );
    }

    #[test]
    fn decompression_budget_is_shared_across_streams() {
        // Each stream alone fits in 1 MiB; the three together do not.
        let one = with_streams(vec![obj_stm_bomb(600 << 10, 2)]);
        let (res, _) = strip_with(&one, &limits(1 << 20));
        assert!(res.is_ok(), "{res:?}");
        let three = with_streams((0..3).map(|_| obj_stm_bomb(600 << 10, 2)).collect());
        let (res, out) = strip_with(&three, &limits(1 << 20));
        assert!(
            matches!(res, Err(SanitizeError::TooLarge { limit }) if limit == 1 << 20),
            "{res:?}"
        );
        assert!(out.is_empty());
    }

    #[test]
    fn object_streams_within_the_budget_are_read_and_cleaned() {
        // The fixture's first revision saved with object streams (and a
        // cross-reference stream), all Flate-compressed.
        let doc = Document::load_mem(&fixture()).unwrap();
        let mut doc = doc;
        let mut input = Vec::new();
        doc.save_with_options(
            &mut input,
            lopdf::SaveOptions::builder()
                .use_object_streams(true)
                .use_xref_streams(true)
                .compression_level(6)
                .build(),
        )
        .unwrap();
        assert!(contains(&input, b"/ObjStm"));
        // The page tree lives inside an object stream.
        assert!(!contains(&input, b"/Kids"));
        let (res, out) = strip_with(&input, &limits(1 << 20));
        let Outcome::Cleaned { removed } = res.unwrap() else {
            panic!()
        };
        assert!(removed.contains(&Removed::Author), "{removed:?}");
        let clean = Document::load_mem(&out).unwrap();
        assert_eq!(clean.get_pages().len(), 1);
        assert!(!clean.trailer.has(b"Info"));
        assert!(!contains(&out, b"Jane Canary"));
        // Too small a budget for its object streams: refused, not half-read.
        let (res, _) = strip_with(&input, &limits(16));
        assert!(
            matches!(res, Err(SanitizeError::TooLarge { .. })),
            "{res:?}"
        );
    }

    #[test]
    fn values_are_bounded_before_object_streams_are_parsed() {
        // 20,000 members declared in one object stream, all at one offset
        // (about 200 KB of text, well within the byte budget).
        let mut index = String::new();
        for i in 0..20_000 {
            index.push_str(&format!("{} 0 ", i + 10));
        }
        let first = index.len();
        index.push_str("<< /A [1 2 3] >>");
        let objstm = (
            format!("/Type /ObjStm /N 20000 /First {first} /Filter /FlateDecode"),
            zlib(index.as_bytes()),
        );
        let input = with_streams(vec![objstm]);
        let small = Limits {
            pdf_max_values: 10_000,
            ..Limits::default()
        };
        let (res, out) = strip_with(&input, &small);
        assert!(
            matches!(res, Err(SanitizeError::TooLarge { .. })),
            "{res:?}"
        );
        assert!(out.is_empty());
        let (res, _) = strip_with(&input, &Limits::default());
        assert!(res.is_ok(), "{res:?}");

        // One member: an array of 600,000 zeros (1.2 MB of text).
        let mut content = b"10 0 [".to_vec();
        content.extend(b"0 ".repeat(600_000));
        content.push(b']');
        let objstm = (
            "/Type /ObjStm /N 1 /First 5 /Filter /FlateDecode".to_string(),
            zlib(&content),
        );
        let (res, out) = strip_with(&with_streams(vec![objstm]), &Limits::default());
        assert!(
            matches!(res, Err(SanitizeError::TooLarge { .. })),
            "{res:?}"
        );
        assert!(out.is_empty());

        // Objects read from the file count too: 2,000 streams of 3 values
        // each against a limit of 1,000.
        let many: Vec<_> = (0..2000)
            .map(|_| ("/Type /Junk".to_string(), b"x".to_vec()))
            .collect();
        let input = with_streams(many);
        let small = Limits {
            pdf_max_values: 1000,
            ..Limits::default()
        };
        let (res, _) = strip_with(&input, &small);
        assert!(
            matches!(res, Err(SanitizeError::TooLarge { .. })),
            "{res:?}"
        );
        let (res, _) = strip_with(&input, &Limits::default());
        assert!(res.is_ok(), "{res:?}");
    }

    #[test]
    fn value_counts() {
        // <<, A, [, 1, 2, 3, B, (, x, y
        assert_eq!(count_tokens(b"<< /A [1 2 3] /B (x y) >>"), 10);
        assert_eq!(count_tokens(b"  "), 0);
        // NUL separates values, and every `/` is a name, empty or not.
        assert_eq!(count_tokens(b"0\x000\x000"), 3);
        assert_eq!(count_tokens(b"[////]"), 5);
        let o = Object::Array(vec![1.into(), Object::Dictionary(dictionary! { "A" => 2 })]);
        assert_eq!(count_values(&o), 4);
        let d = dictionary! { "First" => 8 };
        // Increasing offsets: members plus values.
        assert_eq!(object_stream_values(&d, b"1 0 2 2 0 0 0 0"), 2 + 4);
        // Shared offsets: every member charged all the values.
        assert_eq!(object_stream_values(&d, b"1 0 2 0 [0 0 0]"), 2 * 4);
    }

    /// `pdf` with an incremental update adding `object` as object 5 and a
    /// trailer with `trailer_extra` entries, offsets correct.
    fn appended(mut pdf: Vec<u8>, object: &[u8], trailer_extra: &[u8]) -> Vec<u8> {
        let p = pdf.windows(9).rposition(|w| w == b"startxref").unwrap();
        let prev: String = std::str::from_utf8(&pdf[p + 9..])
            .unwrap()
            .split_whitespace()
            .next()
            .unwrap()
            .to_string();
        let obj_at = pdf.len();
        pdf.extend_from_slice(b"5 0 obj\n");
        pdf.extend_from_slice(object);
        pdf.extend_from_slice(b"\nendobj\n");
        let xref = pdf.len();
        pdf.extend_from_slice(
            format!(
                "xref\n5 1\n{obj_at:010} 00000 n \ntrailer\n<< /Size 6 /Root 1 0 R /Prev {prev} "
            )
            .as_bytes(),
        );
        pdf.extend_from_slice(trailer_extra);
        pdf.extend_from_slice(format!(" >>\nstartxref\n{xref}\n%%EOF\n").as_bytes());
        pdf
    }

    /// `n` zeros between brackets: about two bytes of file per value.
    fn zeros(n: usize) -> Vec<u8> {
        let mut a = b"[".to_vec();
        a.extend(b"0 ".repeat(n));
        a.push(b']');
        a
    }

    #[test]
    fn plain_objects_are_bounded_before_parsing() {
        let base = with_streams(Vec::new());
        // Five million zeros written plainly (9.5 MiB): refused by the scan
        // of the raw bytes, before lopdf parses a value.
        let raw = appended(base.clone(), &zeros(5_000_000), b"");
        let scan = scan_plain(&raw, Limits::default().pdf_max_values);
        assert!(scan.values > Limits::default().pdf_max_values, "{scan:?}");
        let (res, out) = strip_with(&raw, &Limits::default());
        assert!(
            matches!(res, Err(SanitizeError::TooLarge { .. })),
            "{res:?}"
        );
        assert!(out.is_empty());

        // lopdf parses the trailer without the load filter: 600,000 values
        // there were never counted, and the file was cleaned.
        let trailer = appended(
            base.clone(),
            b"null",
            &[b"/Junk ", &zeros(600_000)[..]].concat(),
        );
        let (res, out) = strip_with(&trailer, &Limits::default());
        assert!(
            matches!(res, Err(SanitizeError::TooLarge { .. })),
            "{res:?}"
        );
        assert!(out.is_empty());

        // The limit is the configured one, and counts what is plain text.
        let small = appended(base, &zeros(20_000), b"");
        let (res, _) = strip_with(&small, &Limits::default());
        assert!(res.is_ok(), "{res:?}");
        let tight = Limits {
            pdf_max_values: 10_000,
            ..Limits::default()
        };
        let (res, _) = strip_with(&small, &tight);
        assert!(
            matches!(res, Err(SanitizeError::TooLarge { .. })),
            "{res:?}"
        );
    }

    #[test]
    fn stream_data_is_skipped_only_where_no_parse_can_read_it() {
        const N: usize = 100_000;
        let body = zeros(N);
        let count = |before: &[u8], after: &[u8]| {
            let text = [before, &body[..], after].concat();
            scan_plain(&text, u64::MAX).values
        };
        let skipped = |v: u64| v < 100;
        let counted = |v: u64| v > N as u64;
        // A stream's data is skipped, even with a word holding `obj`.
        assert!(skipped(count(
            b"1 0 obj\n<< /Length 9 >>\nstream\n",
            b"\nendstream\nendobj\n"
        )));
        assert!(skipped(count(
            b"1 0 obj\n<< >>\nstream\n(an object, objects) Tj ",
            b"\nendstream\nendobj\n"
        )));
        // Counted wherever a parse could read values after `stream`:
        for before in [
            // `stream` inside a literal string, which ends in the data;
            &b"1 0 obj\n[(stream) "[..],
            b"1 0 obj\n[(a\\) stream) ",
            b"1 0 obj\n[(a (b) stream) ",
            b"1 0 obj\n[(a (b stream) ",
            // after a comment on its line;
            b"1 0 obj\n[ % stream\n ",
            b"1 0 obj\n[ %\nx % stream\n ",
            // a name, not the keyword;
            b"1 0 obj\n[/stream ",
            // an object header or a trailer inside the data;
            b"<< >>\nstream\n7 0 obj\n",
            b"<< >>\nstream\n7 0 %\nobj\n",
            b"<< >>\nstream\n7 0obj",
            b"<< >>\nstream\ntrailer\n<< /Junk ",
        ] {
            let v = count(before, b"\n]\nendstream\nendobj\n");
            assert!(counted(v), "{} {v}", String::from_utf8_lossy(before));
        }
        // Data without `endstream` is counted.
        assert!(counted(count(b"<< >>\nstream\n", b"")));
        // lopdf does read values there: the string case, loaded plainly.
        let object = [&b"[(stream) "[..], &body[1..], b"\nendstream"].concat();
        let pdf = appended(with_streams(Vec::new()), &object, b"");
        let doc = Document::load_mem(&pdf).unwrap();
        assert_eq!(
            doc.get_object((5, 0)).unwrap().as_array().unwrap().len(),
            N + 1
        );
        assert!(scan_plain(&pdf, u64::MAX).values > N as u64);
    }

    #[test]
    fn scan_never_counts_fewer_values_than_lopdf_parses() {
        // Random objects `[ pieces 0 0 … 0 ] pieces endstream`: the pieces
        // change how the bytes are read, and 2,000 zeros wait where the
        // scan skips stream data when it may. Every object header gets a
        // cross-reference entry, so lopdf parses from each.
        const PIECES: [&[u8]; 12] = [
            b"(",
            b")",
            b"\\",
            b"stream\n",
            b"%",
            b"\n",
            b" ",
            b"/",
            b"0 ",
            b"endstream\n",
            b"<<>>",
            b"",
        ];
        let zeros = b"0 ".repeat(2000);
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        let base = with_streams(Vec::new());
        let p = base.windows(9).rposition(|w| w == b"startxref").unwrap();
        let prev: String = std::str::from_utf8(&base[p + 9..])
            .unwrap()
            .split_whitespace()
            .next()
            .unwrap()
            .to_string();
        let mut reached = 0;
        for _ in 0..6000 {
            let mut pdf = base.clone();
            let mut entries = vec![pdf.len()];
            pdf.extend_from_slice(b"5 0 obj\n[");
            let (before, after) = (next(7), next(3));
            let mut piece = |pdf: &mut Vec<u8>, entries: &mut Vec<usize>| {
                if next(10) == 0 {
                    pdf.push(b'\n');
                    entries.push(pdf.len());
                    pdf.extend_from_slice(format!("{} 0 obj [", entries.len() + 4).as_bytes());
                } else {
                    pdf.extend_from_slice(PIECES[next(PIECES.len())]);
                }
            };
            for _ in 0..before {
                piece(&mut pdf, &mut entries);
            }
            pdf.extend_from_slice(&zeros);
            pdf.push(b']');
            for _ in 0..after {
                piece(&mut pdf, &mut entries);
            }
            pdf.extend_from_slice(b"\nendstream\nendobj\n");
            let xref = pdf.len();
            pdf.extend_from_slice(format!("xref\n5 {}\n", entries.len()).as_bytes());
            for at in &entries {
                pdf.extend_from_slice(format!("{at:010} 00000 n \n").as_bytes());
            }
            pdf.extend_from_slice(
                format!(
                    "trailer\n<< /Size {} /Root 1 0 R /Prev {prev} >>\nstartxref\n{xref}\n%%EOF\n",
                    entries.len() + 5
                )
                .as_bytes(),
            );
            let scan = scan_plain(&pdf, u64::MAX).values;
            for force_reconstruct in [false, true] {
                let options = LoadOptions {
                    force_reconstruct,
                    ..LoadOptions::default()
                };
                let Ok(doc) = Document::load_mem_with_options(&pdf, options) else {
                    continue;
                };
                let most = doc.objects.values().map(count_values).max().unwrap_or(0);
                if most >= 2000 {
                    reached += 1;
                }
                assert!(
                    most <= scan,
                    "{most} > {scan}: {}",
                    String::from_utf8_lossy(&pdf[base.len()..]).replace(&"0 ".repeat(2000), "0 …")
                );
            }
        }
        // The zeros were read often enough for the check to mean something.
        assert!(reached > 1000, "{reached}");
    }

    #[test]
    fn encrypt_names_are_found_before_parsing() {
        for name in [
            &b"/Encrypt 9 0 R"[..],
            b"/Encr#79pt 9 0 R",
            b"/#45ncrypt<<>>",
        ] {
            let pdf = appended(with_streams(Vec::new()), b"null", name);
            assert!(scan_plain(&pdf, u64::MAX).encrypt_name);
            let (res, _) = strip_with(&pdf, &Limits::default());
            match res {
                Err(SanitizeError::Malformed { detail, .. }) => {
                    assert!(detail.contains("encrypted"), "{detail}")
                }
                other => panic!("{other:?}"),
            }
        }
        for name in [&b"/Encrypted"[..], b"/Encryp", b"/Encr#7"] {
            assert!(!scan_plain(name, u64::MAX).encrypt_name);
        }
    }

    #[test]
    fn scan_stays_linear() {
        // Every `stream` keyword looks ahead for `endstream`, `obj` and
        // `trailer`; near misses of each everywhere, and no `endstream`.
        let unit = b"<< >>\nstream\nthe trailer, an obj, endobj\n";
        let text = unit.repeat(4_000_000 / unit.len());
        let started = std::time::Instant::now();
        let scan = scan_plain(&text, u64::MAX);
        assert!(scan.values > 500_000, "{scan:?}");
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "{:?}",
            started.elapsed()
        );
    }

    /// A text-heavy document of `pages` pages, written by lopdf with plain
    /// (uncompressed) content streams.
    fn text_document(pages: usize) -> Vec<u8> {
        let mut doc = Document::with_version("1.5");
        let pages_id = doc.new_object_id();
        let font = doc.add_object(dictionary! {
            "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
        });
        let mut kids = Vec::new();
        for p in 0..pages {
            let mut text = String::from("BT /F1 9 Tf 40 800 Td 11 TL\n");
            for l in 0..70 {
                text.push_str(&format!(
                    "(Page {p} line {l}: an objective account of the trailer, stream and endobj words (nested) \\) escaped) Tj T*\n"
                ));
            }
            text.push_str("ET\n");
            let content = doc.add_object(Stream::new(dictionary! {}, text.into_bytes()));
            let page = doc.add_object(dictionary! {
                "Type" => "Page", "Parent" => pages_id, "Contents" => content,
                "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
                "Resources" => dictionary! { "Font" => dictionary! { "F1" => font } },
            });
            kids.push(page.into());
        }
        doc.objects.insert(
            pages_id,
            Object::Dictionary(
                dictionary! { "Type" => "Pages", "Count" => pages as i64, "Kids" => kids },
            ),
        );
        let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
        doc.trailer.set("Root", catalog);
        let info =
            doc.add_object(dictionary! { "Author" => Object::string_literal("Jane Canary") });
        doc.trailer.set("Info", info);
        let mut out = Vec::new();
        doc.save_to(&mut out).unwrap();
        out
    }

    #[test]
    fn real_documents_still_clean() {
        let dir = tempfile::tempdir().unwrap();
        let original = dir.path().join("text.pdf");
        std::fs::write(&original, text_document(400)).unwrap();
        let mut files = vec![("lopdf".to_string(), std::fs::read(&original).unwrap())];
        for (label, args) in [
            ("qpdf qdf", &["--qdf", "--object-streams=disable"][..]),
            ("qpdf object streams", &["--object-streams=generate"]),
            ("qpdf linearized", &["--linearize"]),
            ("qpdf uncompressed", &["--stream-data=uncompress"]),
        ] {
            let out = dir.path().join("out.pdf");
            let status = std::process::Command::new("qpdf")
                .args(args)
                .arg(&original)
                .arg(&out)
                .status()
                .expect("qpdf is installed");
            assert!(status.success(), "{label}");
            files.push((label.to_string(), std::fs::read(&out).unwrap()));
        }
        for (label, pdf) in files {
            let scan = scan_plain(&pdf, u64::MAX);
            // Page text is stream data: skipped, however many words.
            assert!(scan.values < 50_000, "{label}: {}", scan.values);
            assert!(!scan.encrypt_name, "{label}");
            let (res, out) = strip_with(&pdf, &Limits::default());
            assert!(res.is_ok(), "{label}: {res:?}");
            let clean = Document::load_mem(&out).unwrap();
            assert_eq!(clean.get_pages().len(), 400, "{label}");
            assert!(!contains(&out, b"Jane Canary"), "{label}");
        }
    }

    #[test]
    fn metadata_streams_are_dropped_without_decoding() {
        // An encoded XMP packet naming its author: dropped, but never decoded,
        // so it is reported as "other", not as "author".
        let xmp = (
            "/Type /Metadata /Subtype /XML /Filter /FlateDecode".to_string(),
            zlib(b"<x:xmpmeta><dc:creator>Jane Canary</dc:creator></x:xmpmeta>"),
        );
        // And a nested-Flate bomb posing as metadata (1 GiB once decoded).
        let bomb = (
            "/Type /Metadata /Subtype /XML /Filter [/FlateDecode /FlateDecode /FlateDecode]"
                .to_string(),
            zlib(&zlib(&zlib_zeros(1 << 30))),
        );
        let input = with_streams(vec![xmp, bomb]);
        let (res, out) = strip_with(&input, &limits(1 << 20));
        assert_eq!(
            res.unwrap(),
            Outcome::Cleaned {
                removed: vec![Removed::Other]
            }
        );
        let clean = Document::load_mem(&out).unwrap();
        assert!(
            !clean
                .objects
                .values()
                .any(|o| matches!(o, Object::Stream(_)))
        );
    }

    /// A page whose catalog, page, annotations, form field and outline carry
    /// every kind of action and attachment a reader may run or fetch.
    pub(crate) fn beacons() -> Vec<u8> {
        let url = |what: &str| Object::string_literal(format!("http://canary.example/{what}"));
        let uri = |what: &str| dictionary! { "S" => "URI", "URI" => url(what) };
        let rect = || vec![0.into(), 0.into(), 10.into(), 10.into()];
        let mut doc = Document::with_version("1.7");
        let pages_id = doc.new_object_id();
        let page_id = doc.new_object_id();
        let gotor = doc.add_object(dictionary! {
            "Type" => "Action", "S" => "GoToR", "F" => url("gotor"), "D" => vec![0.into(), "Fit".into()],
        });
        let submit = doc.add_object(dictionary! {
            "S" => "SubmitForm", "F" => dictionary! { "FS" => "URL", "F" => url("submit") },
        });
        let links: Vec<Object> = vec![
            // Direct URI action.
            doc.add_object(dictionary! {
                "Type" => "Annot", "Subtype" => "Link", "Rect" => rect(), "A" => uri("link"),
            })
            .into(),
            // Indirect GoToR action.
            doc.add_object(dictionary! {
                "Type" => "Annot", "Subtype" => "Link", "Rect" => rect(), "A" => gotor,
            })
            .into(),
            // A jump inside the document, chained to a form submission.
            doc.add_object(dictionary! {
                "Type" => "Annot", "Subtype" => "Link", "Rect" => rect(),
                "A" => dictionary! { "S" => "GoTo", "D" => vec![page_id.into(), "Fit".into()], "Next" => submit },
            })
            .into(),
        ];
        let ef = doc.add_object(Stream::new(
            dictionary! { "Type" => "EmbeddedFile" },
            b"CANARY-EMBEDDED http://canary.example/embedded".to_vec(),
        ));
        let filespec = || dictionary! { "Type" => "Filespec", "F" => "evil.pdf", "EF" => dictionary! { "F" => ef } };
        let attach = doc.add_object(dictionary! {
            "Type" => "Annot", "Subtype" => "FileAttachment", "Rect" => rect(), "FS" => filespec(),
        });
        let field = doc.add_object(dictionary! {
            "Type" => "Annot", "Subtype" => "Widget", "FT" => "Btn", "T" => Object::string_literal("send"),
            "Rect" => rect(), "P" => page_id,
            "A" => dictionary! { "S" => "ImportData", "F" => url("import") },
            "AA" => dictionary! { "K" => dictionary! { "S" => "JavaScript", "JS" => Object::string_literal("app.launchURL('http://canary.example/key')") } },
        });
        let mut annots = links.clone();
        annots.push(attach.into());
        annots.push(field.into());
        let annots_id = doc.add_object(annots);
        let thumb = doc.add_object(Stream::new(
            dictionary! { "Width" => 1, "Height" => 1, "ColorSpace" => "DeviceGray", "BitsPerComponent" => 8 },
            b"\x00".to_vec(),
        ));
        doc.objects.insert(
            page_id,
            Object::Dictionary(dictionary! {
                "Type" => "Page", "Parent" => pages_id,
                "MediaBox" => vec![0.into(), 0.into(), 200.into(), 200.into()],
                "Annots" => annots_id, "Thumb" => thumb,
                "LastModified" => Object::string_literal("D:20240501CANARY"),
                "AA" => dictionary! { "O" => dictionary! { "S" => "Launch", "F" => url("launch") } },
            }),
        );
        doc.objects.insert(
            pages_id,
            Object::Dictionary(
                dictionary! { "Type" => "Pages", "Kids" => vec![page_id.into()], "Count" => 1 },
            ),
        );
        let js = doc.add_object(dictionary! {
            "S" => "JavaScript", "JS" => Object::string_literal("app.launchURL('http://canary.example/js')"),
        });
        let names = doc.add_object(dictionary! {
            "JavaScript" => dictionary! { "Names" => vec![Object::string_literal("a"), js.into()] },
            "EmbeddedFiles" => dictionary! { "Names" => vec![Object::string_literal("evil.pdf"), filespec().into()] },
        });
        let xfa = doc.add_object(Stream::new(
            dictionary! {},
            b"<xdp:xdp><submit target=\"http://canary.example/xfa\"/></xdp:xdp>".to_vec(),
        ));
        let outlines_id = doc.new_object_id();
        let second = doc.add_object(dictionary! {
            "Title" => Object::string_literal("Two"), "Parent" => outlines_id,
            "A" => dictionary! { "S" => "GoToE", "F" => url("gotoe") },
        });
        let first = doc.add_object(dictionary! {
            "Title" => Object::string_literal("One"), "Parent" => outlines_id, "Next" => second,
            "Dest" => vec![page_id.into(), "Fit".into()],
        });
        doc.objects.insert(
            outlines_id,
            Object::Dictionary(dictionary! { "Type" => "Outlines", "First" => first, "Last" => second, "Count" => 2 }),
        );
        let catalog_id = doc.add_object(dictionary! {
            "Type" => "Catalog", "Pages" => pages_id, "Names" => names, "Outlines" => outlines_id,
            "OpenAction" => dictionary! { "S" => "JavaScript", "JS" => Object::string_literal("app.launchURL('http://canary.example/open')") },
            "AA" => dictionary! { "WC" => uri("aa") },
            "URI" => dictionary! { "Base" => url("base") },
            "AcroForm" => dictionary! { "Fields" => vec![field.into()], "XFA" => xfa },
            "AF" => vec![filespec().into()],
            "LastModified" => Object::string_literal("D:20240501CANARY"),
        });
        doc.trailer.set("Root", catalog_id);
        let mut out = Vec::new();
        doc.save_to(&mut out).unwrap();
        out
    }

    /// Every dictionary in `doc`, direct or indirect.
    fn all_dicts(doc: &Document) -> Vec<&Dictionary> {
        fn walk<'a>(o: &'a Object, out: &mut Vec<&'a Dictionary>) {
            match o {
                Object::Dictionary(d) => {
                    out.push(d);
                    d.iter().for_each(|(_, v)| walk(v, out));
                }
                Object::Stream(s) => {
                    out.push(&s.dict);
                    s.dict.iter().for_each(|(_, v)| walk(v, out));
                }
                Object::Array(a) => a.iter().for_each(|v| walk(v, out)),
                _ => {}
            }
        }
        let mut out = Vec::new();
        doc.objects.values().for_each(|o| walk(o, &mut out));
        out
    }

    #[test]
    fn actions_scripts_and_attachments_are_removed() {
        let input = beacons();
        assert!(contains(&input, b"canary.example/open"));
        let (res, out) = run(Kind::Pdf, &input);
        let Outcome::Cleaned { removed } = res.unwrap() else {
            panic!()
        };
        for cat in [Removed::Other, Removed::Thumbnail, Removed::Dates] {
            assert!(removed.contains(&cat), "{cat}");
        }
        assert!(!contains(&out, b"canary.example"), "a beacon survived");
        assert!(!contains(&out, b"CANARY"));
        let doc = Document::load_mem(&out).unwrap();
        for d in all_dicts(&doc) {
            for key in [
                &b"OpenAction"[..],
                b"AA",
                b"JS",
                b"JavaScript",
                b"EmbeddedFiles",
                b"EF",
                b"AF",
                b"URI",
                b"XFA",
                b"Thumb",
                b"LastModified",
            ] {
                assert!(!d.has(key), "{} in {d:?}", String::from_utf8_lossy(key));
            }
            if is_action(d) {
                assert!(is_safe_action(d) && !d.has(b"Next"), "{d:?}");
            }
            assert!(!is_attachment_annot(d), "{d:?}");
            assert!(!is_name(d.get(b"Type").ok(), b"EmbeddedFile"));
        }
        // The page keeps its links (without their actions but the jump
        // inside the document), its form field and the outline.
        let page = doc.get_pages()[&1];
        let annots = doc
            .get_dictionary(page)
            .unwrap()
            .get_deref(b"Annots", &doc)
            .unwrap()
            .as_array()
            .unwrap()
            .clone();
        let annots: Vec<&Dictionary> = annots
            .iter()
            .map(|a| doc.get_dictionary(a.as_reference().unwrap()).unwrap())
            .collect();
        let links: Vec<_> = annots
            .iter()
            .filter(|a| is_name(a.get(b"Subtype").ok(), b"Link"))
            .collect();
        assert_eq!(links.len(), 3);
        assert_eq!(links.iter().filter(|l| l.has(b"A")).count(), 1);
        assert_eq!(annots.len(), 4, "the attachment annotation is gone");
        let outlines = doc.catalog().unwrap().get_deref(b"Outlines", &doc).unwrap();
        let first = outlines
            .as_dict()
            .unwrap()
            .get_deref(b"First", &doc)
            .unwrap();
        assert!(
            first.as_dict().unwrap().has(b"Next"),
            "outline sibling kept"
        );
        // Nothing left to remove on a second pass.
        let (res2, _) = run(Kind::Pdf, &out);
        assert_eq!(res2.unwrap(), Outcome::NothingFound);
    }

    #[test]
    fn structure_and_transparency_keep_their_s() {
        // /S also names structure types, transparency groups and soft masks.
        let group = dictionary! { "S" => "Transparency", "CS" => "DeviceRGB" };
        let elem = dictionary! { "Type" => "StructElem", "S" => "Link" };
        for d in [&group, &elem] {
            assert!(!is_action(d), "{d:?}");
        }
        let mut d = dictionary! { "Group" => group.clone(), "K" => elem.clone() };
        let mut found = Found::default();
        clean_dict(&mut d, &Active::default(), &mut found, 0).unwrap();
        assert_eq!(d.get(b"Group").unwrap().as_dict().unwrap(), &group);
        assert_eq!(d.get(b"K").unwrap().as_dict().unwrap(), &elem);
    }

    #[test]
    fn encrypted_pdf_is_refused() {
        let mut input = fixture();
        // Point the last trailer at a Standard security handler.
        let t = input.windows(5).rposition(|w| w == b"/Prev").unwrap();
        input.splice(
            t..t,
            b"/Encrypt << /Filter /Standard /V 1 /R 2 /O <00> /U <00> /P -4 >> "
                .iter()
                .copied(),
        );
        let (res, _) = run(Kind::Pdf, &input);
        match res {
            Err(SanitizeError::Malformed { detail, .. }) => {
                assert!(detail.contains("encrypted"), "{detail}")
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn truncated_pdf_is_error() {
        let input = fixture();
        for cut in [0, 5, 10, 50, 200] {
            let (res, _) = run(Kind::Pdf, &input[..cut]);
            assert!(res.is_err(), "cut {cut}");
        }
    }
}
