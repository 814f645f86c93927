//! The per-file decode and value budget lopdf's load filter charges: decoded
//! streams, object-stream members and parsed values, held in a thread-local
//! for the duration of one load.

use std::cell::{Cell, RefCell};

use lopdf::{DecompressError, Dictionary, Object, ObjectId};

use super::clean::is_name;
use super::load::is_regular;

thread_local! {
    /// What the PDF being loaded on this thread may still decode to and how
    /// many more values it may have; `None` outside [`super::load::load`].
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
    pub(super) values: u64,
    exceeded: bool,
}

/// Sets the thread's budget for one load and clears it on every way out,
/// panics included.
pub(super) struct BudgetGuard;

impl BudgetGuard {
    pub(super) fn start(bytes: u64, values: u64) -> BudgetGuard {
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

pub(super) fn budget_exceeded() -> bool {
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
pub(super) fn object_stream_values(dict: &Dictionary, content: &[u8]) -> u64 {
    let first = first_offset(dict, content);
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
pub(super) fn count_tokens(text: &[u8]) -> u64 {
    (0..text.len()).filter(|&i| starts_token(text, i)).count() as u64
}

/// Whether a token that may start a value begins at `i`: a run of regular
/// characters (a number, a keyword, a name's or a string's word), a `[` or
/// `(`, the first `<` of a run (`<<` opens one dictionary, a hexadecimal
/// string holds no `<`), or a `/` that no regular character follows (an
/// empty name; any other name is counted by its run). Character classes are
/// lopdf's (NUL is white space). Dictionary keys count as values too: they
/// take memory as well.
pub(super) fn starts_token(text: &[u8], i: usize) -> bool {
    let prev = i.checked_sub(1).map(|p| text[p]);
    match text[i] {
        b'[' | b'(' => true,
        b'<' => prev != Some(b'<'),
        b'/' => text.get(i + 1).is_none_or(|&n| !is_regular(n)),
        c => is_regular(c) && prev.is_none_or(|p| !is_regular(p)),
    }
}

/// Where an object stream's members begin (`/First`), within `content`.
fn first_offset(dict: &Dictionary, content: &[u8]) -> usize {
    dict.get(b"First")
        .and_then(Object::as_i64)
        .ok()
        .and_then(|f| usize::try_from(f).ok())
        .unwrap_or(0)
        .min(content.len())
}

/// Object numbers of the members in an object stream's index, sorted.
fn member_numbers(dict: &Dictionary, content: &[u8]) -> Vec<u32> {
    let first = first_offset(dict, content);
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
pub(super) fn count_values(o: &Object) -> u64 {
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
///
/// [`load`]: super::load::load
/// [`scan_plain`]: super::load::scan_plain
pub(super) fn load_filter(id: ObjectId, obj: &mut Object) -> Option<(ObjectId, Object)> {
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
