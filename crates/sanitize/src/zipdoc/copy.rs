//! The rewrite of one zip document: entries copied afresh with fixed
//! timestamps, XML parts rewritten by their kind's rules, embedded parts
//! through their own strippers, other parts streamed through a small buffer.

use std::collections::{HashMap, HashSet};
use std::io::{self, Cursor, Read, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipArchive, ZipWriter};

use super::classify::classify;
use super::entry::{Budgeted, entry_error, read_whole};
use super::epub::{EpubRules, css_fetches_outside};
use super::odf::OdfRules;
use super::ooxml::OoxmlRules;
use super::parts::drop_parts;
use super::{MAX_NESTING, SNIFF};
use crate::xml::{self};
use crate::{Found, Kind, Limits, Outcome, Removed, SanitizeError, malformed};

/// Rewrite one zip document. `budget` is the decompressed bytes still
/// allowed; `mem` the decompressed bytes this document may hold at once.
pub(super) fn clean_zip(
    guess: Kind,
    data: &[u8],
    limits: &Limits,
    budget: &mut u64,
    mem: u64,
    depth: u8,
) -> Result<(Vec<u8>, Found), SanitizeError> {
    let mut archive =
        ZipArchive::new(Cursor::new(data)).map_err(|e| malformed(guess, format!("zip: {e}")))?;
    if archive.len() as u64 > limits.zip_max_entries {
        return Err(SanitizeError::ZipBomb);
    }
    let kind = classify(&mut archive, guess, budget)?;
    let bad = |d: String| malformed(kind, d);
    let mut found = Found {
        changed: true,
        ..Found::default()
    };
    if !archive.comment().is_empty() {
        found.add(Removed::Other);
    }
    // Names first, from the central directory, without decompressing.
    let mut names: Vec<String> = Vec::with_capacity(archive.len());
    let mut seen = HashSet::new();
    for i in 0..archive.len() {
        let f = archive
            .by_index_raw(i)
            .map_err(|e| bad(format!("zip entry: {e}")))?;
        if f.encrypted() {
            return Err(bad("encrypted zip entry".into()));
        }
        let name = f
            .name()
            .map_err(|e| bad(format!("entry name: {e}")))?
            .to_string();
        if !seen.insert(name.clone()) {
            return Err(bad(format!("duplicate entry {name}")));
        }
        names.push(name);
    }
    let dropped = drop_parts(kind, &mut archive, &names, &mut found, budget, mem)?;

    // ODF readers identify the file by a first, stored `mimetype`; OOXML
    // is written as Word writes it, `[Content_Types].xml` first, so that
    // the cleaned file is recognised from its first bytes.
    let mut order: Vec<usize> = (0..names.len()).collect();
    let first = if matches!(kind, Kind::Odf | Kind::Epub) {
        names
            .iter()
            .position(|n| n == "mimetype")
            .ok_or_else(|| bad("missing mimetype".into()))?
    } else {
        names
            .iter()
            .position(|n| n.eq_ignore_ascii_case("[Content_Types].xml"))
            .ok_or_else(|| bad("missing [Content_Types].xml".into()))?
    };
    order.remove(first);
    order.insert(0, first);

    let zerr = |e: zip::result::ZipError| SanitizeError::Io(io::Error::other(e));
    let mut zw = ZipWriter::new(Cursor::new(Vec::with_capacity(
        data.len().saturating_add(64 * 1024),
    )));
    let base = SimpleFileOptions::default()
        .last_modified_time(DateTime::default())
        .unix_permissions(0o644);
    for i in order {
        let Some(name) = names.get(i) else { continue };
        let lower = name.to_ascii_lowercase();
        if dropped.contains_key(&lower) {
            continue;
        }
        let f = archive
            .by_index(i)
            .map_err(|e| bad(format!("zip entry {name}: {e}")))?;
        if f.last_modified().is_some_and(|t| t != DateTime::default()) {
            found.add(Removed::Dates);
        }
        if f.is_dir() {
            zw.add_directory(name.as_str(), base).map_err(zerr)?;
            continue;
        }
        // Keep media stored when it was (it is compressed already); ODF
        // needs `mimetype` stored; compress everything else.
        let method = if f.compression() == CompressionMethod::Stored
            || (matches!(kind, Kind::Odf | Kind::Epub) && name == "mimetype")
        {
            CompressionMethod::Stored
        } else {
            CompressionMethod::Deflated
        };
        let opts = base.compression_method(method);
        let err = entry_error(kind, name);
        if kind == Kind::Epub && lower.ends_with(".css") {
            // Style sheets are kept unless they reach outside the book.
            let data = read_whole(f, mem / 2, budget, kind, name)?;
            let text = String::from_utf8(data).map_err(|_| bad(format!("{name}: not UTF-8")))?;
            zw.start_file(name.as_str(), opts).map_err(zerr)?;
            if css_fetches_outside(&text) {
                found.add(Removed::Other);
            } else {
                zw.write_all(text.as_bytes())?;
            }
            continue;
        }
        if lower.ends_with(".xml")
            || lower.ends_with(".rels")
            || (kind == Kind::Epub
                && [".opf", ".ncx", ".xhtml", ".html", ".htm"]
                    .iter()
                    .any(|e| lower.ends_with(e)))
        {
            // The part and its rewritten copy are both held.
            let data = read_whole(f, mem / 2, budget, kind, name)?;
            let text = String::from_utf8(data).map_err(|_| bad(format!("{name}: not UTF-8")))?;
            let out = rewrite_xml(kind, name, &text, &dropped, &mut found)?;
            drop(text);
            zw.start_file(name.as_str(), opts).map_err(zerr)?;
            zw.write_all(out.as_bytes())?;
            continue;
        }
        let mut r = Budgeted {
            inner: f,
            left: budget,
        };
        let mut head = Vec::new();
        (&mut r)
            .take(SNIFF)
            .read_to_end(&mut head)
            .map_err(|e| err(SanitizeError::Io(e)))?;
        let inner = crate::detect(&head);
        match inner {
            Kind::Ooxml
            | Kind::Odf
            | Kind::Epub
            | Kind::Zip
            | Kind::Svg
            | Kind::Pdf
            | Kind::Webp
            | Kind::Tiff
            | Kind::Png
            | Kind::Gif => {
                // Cleaned whole: the part and its cleaned copy are held.
                let whole = read_rest(head, &mut r, mem, &err)?;
                let rest = mem.saturating_sub(2 * whole.len() as u64);
                let (out, inner_found) =
                    clean_embedded(kind, inner, name, &whole, limits, r.left, rest, depth)?;
                drop(whole);
                for c in inner_found.removed {
                    found.add(c);
                }
                zw.start_file(name.as_str(), opts).map_err(zerr)?;
                zw.write_all(&out)?;
            }
            Kind::Jpeg
            | Kind::Mp3
            | Kind::Mp4
            | Kind::Webm
            | Kind::Matroska
            | Kind::Netpbm
            | Kind::Ogg
            | Kind::Flac
            | Kind::Heif
            | Kind::Avif
            | Kind::Wav
            | Kind::Aiff
            | Kind::Avi => {
                zw.start_file(name.as_str(), opts).map_err(zerr)?;
                let inner_limits = Limits {
                    mp4_max_box: limits.mp4_max_box.min(mem / 2),
                    ..limits.clone()
                };
                let mut input = Cursor::new(head).chain(&mut r);
                let outcome =
                    crate::strip(inner, &mut input, &mut zw, &inner_limits).map_err(&err)?;
                for c in found_from(outcome).removed {
                    found.add(c);
                }
            }
            // A reading system goes by the manifest's media type, not the
            // part's name: in an EPUB, any text part is read as XML (markup)
            // or as CSS, and cleaned as such; fonts and other binary parts
            // are copied.
            Kind::Other if kind == Kind::Epub && looks_like_text(&head) => {
                let whole = read_rest(head, &mut r, mem, &err)?;
                let text =
                    String::from_utf8(whole).map_err(|_| bad(format!("{name}: not UTF-8")))?;
                zw.start_file(name.as_str(), opts).map_err(zerr)?;
                if text
                    .trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n'])
                    .starts_with('<')
                {
                    let out = rewrite_xml(kind, name, &text, &dropped, &mut found)?;
                    zw.write_all(out.as_bytes())?;
                } else if css_fetches_outside(&text) {
                    found.add(Removed::Other);
                } else {
                    zw.write_all(text.as_bytes())?;
                }
            }
            Kind::Other => {
                zw.start_file(name.as_str(), opts).map_err(zerr)?;
                zw.write_all(&head)?;
                io::copy(&mut r, &mut zw).map_err(|e| err(SanitizeError::Io(e)))?;
            }
        }
    }
    let buf = zw.finish().map_err(zerr)?.into_inner();
    Ok((buf, found))
}

/// The rest of an entry after its sniffed `head`, read whole. The part and
/// its cleaned copy are both held, so it may take half of `mem`; more is a
/// bomb.
fn read_rest(
    head: Vec<u8>,
    r: &mut impl Read,
    mem: u64,
    err: &impl Fn(SanitizeError) -> SanitizeError,
) -> Result<Vec<u8>, SanitizeError> {
    let limit = (mem / 2).saturating_sub(head.len() as u64);
    let mut whole = head;
    r.by_ref()
        .take(limit.saturating_add(1))
        .read_to_end(&mut whole)
        .map_err(|e| err(SanitizeError::Io(e)))?;
    if whole.len() as u64 > mem / 2 {
        return Err(SanitizeError::ZipBomb);
    }
    Ok(whole)
}

/// Rewrite one XML part by the rules of its document kind.
fn rewrite_xml(
    kind: Kind,
    name: &str,
    text: &str,
    dropped: &HashMap<String, &'static [Removed]>,
    found: &mut Found,
) -> Result<String, SanitizeError> {
    match kind {
        Kind::Ooxml => xml::rewrite(
            text,
            &OoxmlRules {
                part: name,
                dropped,
                fields: Default::default(),
            },
            found,
        ),
        Kind::Epub => {
            if crate::svg::has_data_uri(text) {
                return Err(SanitizeError::Unsupported {
                    kind: Kind::Epub,
                    detail: "images embedded as data: URIs are not cleaned",
                });
            }
            let lower = name.to_ascii_lowercase();
            let epub = EpubRules {
                ncx: lower.ends_with(".ncx"),
                // By its root element, whatever its name (the container
                // names the package; the manifest names the NCX).
                package: ![".xhtml", ".html", ".htm"]
                    .iter()
                    .any(|e| lower.ends_with(e))
                    && ["<package", ":package", "<ncx", ":ncx", "<container"]
                        .iter()
                        .any(|r| text.contains(r)),
            };
            xml::split_doctype(text).and_then(|(before, doctype, after)| {
                // An XHTML DOCTYPE declares the entities (&nbsp;) its text
                // may use; one without an internal subset declares nothing
                // itself and is kept.
                let mut out = xml::rewrite(before, &epub, found)?;
                out.push_str(doctype);
                out.push_str(&xml::rewrite(after, &epub, found)?);
                Ok(out)
            })
        }
        _ => xml::rewrite(
            text,
            &OdfRules {
                part: name,
                dropped,
            },
            found,
        ),
    }
    .map_err(|d| malformed(kind, format!("{name}: {d}")))
}

/// Clean an embedded part held in memory (documents, PDFs, WebP, TIFF).
#[allow(clippy::too_many_arguments)]
fn clean_embedded(
    kind: Kind,
    inner: Kind,
    name: &str,
    data: &[u8],
    limits: &Limits,
    budget: &mut u64,
    mem: u64,
    depth: u8,
) -> Result<(Vec<u8>, Found), SanitizeError> {
    let cleaned = match inner {
        Kind::Ooxml | Kind::Odf | Kind::Epub | Kind::Zip if depth < MAX_NESTING => {
            clean_zip(inner, data, limits, budget, mem, depth + 1)
        }
        Kind::Ooxml | Kind::Odf | Kind::Epub | Kind::Zip => {
            return Err(malformed(
                kind,
                format!("{name}: documents nested too deeply"),
            ));
        }
        Kind::Webp => crate::webp::strip_bytes(data),
        Kind::Png => crate::png::strip_bytes(data),
        Kind::Gif => crate::gif::strip_bytes(data),
        Kind::Tiff => {
            let mut v = Vec::new();
            crate::tiff::strip(data, &mut v).map(|o| (v, found_from(o)))
        }
        _ => {
            let mut v = Vec::new();
            let lim = Limits {
                max_in_memory: data.len() as u64,
                ..limits.clone()
            };
            crate::strip(inner, &mut &data[..], &mut v, &lim).map(|o| (v, found_from(o)))
        }
    };
    cleaned.map_err(|e| match e {
        SanitizeError::ZipBomb => SanitizeError::ZipBomb,
        e => malformed(kind, format!("embedded part {name}: {e}")),
    })
}

/// Categories of an inner strip's outcome.
fn found_from(o: Outcome) -> Found {
    let mut f = Found::default();
    if let Outcome::Cleaned { removed } = o {
        for r in removed {
            f.add(r);
        }
    }
    f
}

/// Is the start of a part text (UTF-8, possibly cut inside a character at
/// the end of the sniffed prefix) without control bytes other than
/// whitespace?
fn looks_like_text(head: &[u8]) -> bool {
    let valid = match std::str::from_utf8(head) {
        Ok(s) => s,
        Err(e) if e.error_len().is_none() => {
            std::str::from_utf8(head.get(..e.valid_up_to()).unwrap_or(&[])).unwrap_or("")
        }
        Err(_) => return false,
    };
    !valid.is_empty()
        && !valid
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
}
