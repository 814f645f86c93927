//! A minimal, lossless XML tag rewriter for office document parts.
//!
//! We only need to change a few attribute values, replace the text of a few
//! elements and drop a few elements. A full XML parser would re-serialise
//! everything (and bring a dependency); this scanner copies every byte it does
//! not change verbatim. It understands comments, CDATA, processing
//! instructions and quoted attributes; it refuses DOCTYPE (never used by
//! OOXML/ODF and the root of entity tricks) and unbalanced documents. It must
//! never panic or silently skip content it did not understand.

use super::{Found, Removed};

/// Why a part is not XML this rewriter accepts. The messages become the
/// detail of [`SanitizeError::Malformed`](crate::SanitizeError::Malformed).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub(super) enum XmlError {
    #[error("DOCTYPE or declaration not supported")]
    Declaration,
    #[error("unbalanced end tag")]
    UnbalancedEndTag,
    #[error("unbalanced document")]
    UnbalancedDocument,
    #[error("DOCTYPE declaring entities or elements refused")]
    DoctypeDeclarations,
    #[error("unterminated DOCTYPE")]
    UnterminatedDoctype,
    #[error("unterminated markup")]
    UnterminatedMarkup,
    #[error("'<' inside tag")]
    LtInsideTag,
    #[error("unterminated tag")]
    UnterminatedTag,
    #[error("bad tag")]
    BadTag,
    #[error("empty tag name")]
    EmptyTagName,
    #[error("attribute without value")]
    AttributeWithoutValue,
    #[error("bad attribute")]
    BadAttribute,
    #[error("unquoted attribute")]
    UnquotedAttribute,
    #[error("unterminated attribute")]
    UnterminatedAttribute,
}

/// What to do with one attribute.
pub(super) enum AttrAction {
    Keep,
    Replace(&'static str, Removed),
    Remove(Removed),
}

/// One attribute as written (value still escaped).
pub(super) struct Attr<'a> {
    pub name: &'a str,
    pub value: &'a str,
}

/// Per-part rewriting rules.
pub(super) trait Rules {
    /// Drop this element and everything in it.
    fn drop_element(&self, _name: &str, _attrs: &[Attr<'_>]) -> Option<Removed> {
        None
    }
    /// Replace all content of this element with `text` (already escaped).
    fn replace_content(&self, _name: &str, _attrs: &[Attr<'_>]) -> Option<(&'static str, Removed)> {
        None
    }
    /// Change or remove one attribute.
    fn attr(&self, _elem: &str, _attr: &Attr<'_>, _all: &[Attr<'_>]) -> AttrAction {
        AttrAction::Keep
    }
    /// Replace one text node (or CDATA section, given without its markers)
    /// directly inside `elem` with `text` (already escaped).
    fn text(&self, _elem: &str, _text: &str) -> Option<(&'static str, Removed)> {
        None
    }
    /// Drop a comment or processing instruction (given whole, `<!--…-->` or
    /// `<?…?>`) outside dropped elements. Default: keep it.
    fn drop_markup(&self, _token: &str) -> Option<Removed> {
        None
    }
}

/// The [`Rules::drop_markup`] of parts that a viewer renders (SVG, EPUB):
/// every comment and every processing instruction but the XML declaration
/// goes, since a stylesheet instruction fetches and a comment may name.
pub(super) fn comment_or_instruction(token: &str) -> Option<Removed> {
    if token.starts_with("<!--") {
        Some(Removed::Comments)
    } else if token.starts_with("<?") && !token.starts_with("<?xml ") {
        Some(Removed::Other)
    } else {
        None
    }
}

/// Local part of a qualified name.
pub(super) fn local(name: &str) -> &str {
    name.rsplit(':').next().unwrap_or(name)
}

/// Find the value of attribute `name` (local name match).
pub(super) fn attr_value<'a>(attrs: &'a [Attr<'a>], name: &str) -> Option<&'a str> {
    attrs
        .iter()
        .find(|a| local(a.name) == name)
        .map(|a| a.value)
}

/// Rewrite `xml` by `rules`. Err(detail) when the document is not something
/// we can safely rewrite.
pub(super) fn rewrite(xml: &str, rules: &dyn Rules, found: &mut Found) -> Result<String, XmlError> {
    let mut out = String::with_capacity(xml.len());
    let mut rest = xml;
    let mut depth: usize = 0;
    // (depth at which the suppressed element opened, closing tag to emit).
    let mut suppress: Option<(usize, Option<String>)> = None;
    // Names of the open elements, for the text rule.
    let mut open: Vec<&str> = Vec::new();
    let emit_text = |out: &mut String, open: &[&str], text: &str, found: &mut Found| match open
        .last()
        .and_then(|e| rules.text(e, text))
    {
        Some((replacement, cat)) => {
            if text != replacement {
                found.add(cat);
            }
            out.push_str(replacement);
        }
        None => out.push_str(text),
    };
    while !rest.is_empty() {
        let Some(lt) = rest.find('<') else {
            if suppress.is_none() {
                emit_text(&mut out, &open, rest, found);
            }
            break;
        };
        let (text, tail) = rest.split_at(lt);
        if suppress.is_none() && !text.is_empty() {
            emit_text(&mut out, &open, text, found);
        }
        let (token, after) = if tail.starts_with("<!--") {
            split_after(tail, "-->")?
        } else if tail.starts_with("<![CDATA[") {
            split_after(tail, "]]>")?
        } else if tail.starts_with("<?") {
            split_after(tail, "?>")?
        } else if tail.starts_with("<!") {
            return Err(XmlError::Declaration);
        } else {
            split_tag(tail)?
        };
        rest = after;
        if let Some(cdata) = token
            .strip_prefix("<![CDATA[")
            .and_then(|t| t.strip_suffix("]]>"))
        {
            if suppress.is_none() {
                match open.last().and_then(|e| rules.text(e, cdata)) {
                    Some((replacement, cat)) => {
                        found.add(cat);
                        out.push_str(replacement);
                    }
                    None => out.push_str(token),
                }
            }
            continue;
        }
        if token.starts_with("<!") || token.starts_with("<?") {
            if suppress.is_none() {
                match rules.drop_markup(token) {
                    Some(cat) => found.add(cat),
                    None => out.push_str(token),
                }
            }
            continue;
        }
        if token.starts_with("</") {
            depth = depth.checked_sub(1).ok_or(XmlError::UnbalancedEndTag)?;
            open.pop();
            match &suppress {
                Some((d, close)) if *d == depth => {
                    if let Some(c) = close {
                        out.push_str(c);
                    }
                    suppress = None;
                }
                Some(_) => {}
                None => out.push_str(token),
            }
            continue;
        }
        let self_closing = token.ends_with("/>");
        if suppress.is_some() {
            if !self_closing {
                depth += 1;
                open.push("");
            }
            continue;
        }
        let (name, attrs) = parse_start(token)?;
        if !self_closing {
            open.push(name);
        }
        if let Some(cat) = rules.drop_element(name, &attrs) {
            found.add(cat);
            if !self_closing {
                suppress = Some((depth, None));
                depth += 1;
            }
            continue;
        }
        let rewritten = rewrite_attrs(token, name, &attrs, self_closing, rules, found);
        out.push_str(&rewritten);
        if self_closing {
            continue;
        }
        if let Some((text, cat)) = rules.replace_content(name, &attrs) {
            // Only report when something actually changes.
            if let Some(inner) = content_if_simple(rest, name) {
                if inner != text {
                    found.add(cat);
                }
            } else {
                found.add(cat);
            }
            out.push_str(text);
            suppress = Some((depth, Some(format!("</{name}>"))));
        }
        depth += 1;
    }
    if depth != 0 || suppress.is_some() {
        return Err(XmlError::UnbalancedDocument);
    }
    Ok(out)
}

/// Split a document at its DOCTYPE declaration, which [`rewrite`] refuses:
/// `(before, doctype, after)`, with `doctype` empty when there is none.
/// Only a DOCTYPE in the prolog (before the first element) that declares
/// nothing is accepted: an internal subset (`[...]`) can declare entities
/// that expand without bound ("billion laughs") or name external files, and
/// is refused.
pub(super) fn split_doctype(xml: &str) -> Result<(&str, &str, &str), XmlError> {
    let mut i = 0usize;
    loop {
        let rest = xml.get(i..).unwrap_or("");
        let trimmed = rest.trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n']);
        i += rest.len() - trimmed.len();
        let end = if trimmed.starts_with("<?") {
            trimmed.find("?>").map(|e| e + 2)
        } else if trimmed.starts_with("<!--") {
            trimmed.find("-->").map(|e| e + 3)
        } else if trimmed.len() >= 9
            && trimmed
                .get(..9)
                .is_some_and(|t| t.eq_ignore_ascii_case("<!DOCTYPE"))
        {
            let mut quote: Option<char> = None;
            for (j, c) in trimmed.char_indices() {
                match (quote, c) {
                    (Some(q), c) if c == q => quote = None,
                    (Some(_), _) => {}
                    (None, '"' | '\'') => quote = Some(c),
                    (None, '[') => {
                        return Err(XmlError::DoctypeDeclarations);
                    }
                    (None, '>') => {
                        let (before, tail) = xml.split_at(i);
                        let (doctype, after) = tail.split_at(j + 1);
                        return Ok((before, doctype, after));
                    }
                    _ => {}
                }
            }
            return Err(XmlError::UnterminatedDoctype);
        } else {
            return Ok((xml, "", ""));
        };
        i += end.ok_or(XmlError::UnterminatedMarkup)?;
    }
}

// ---------------------------------------------------------------------------

/// Split `s` just after the first `end`.
fn split_after<'a>(s: &'a str, end: &str) -> Result<(&'a str, &'a str), XmlError> {
    let i = s.find(end).ok_or(XmlError::UnterminatedMarkup)?;
    Ok(s.split_at(i + end.len()))
}

/// Split a tag `<...>` honouring quoted attribute values.
fn split_tag(s: &str) -> Result<(&str, &str), XmlError> {
    let mut quote: Option<char> = None;
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '>') => return Ok(s.split_at(i + 1)),
            (None, '<') if i > 0 => return Err(XmlError::LtInsideTag),
            _ => {}
        }
    }
    Err(XmlError::UnterminatedTag)
}

/// Parse `<name a="v" ...>` into name and attributes.
fn parse_start(token: &str) -> Result<(&str, Vec<Attr<'_>>), XmlError> {
    let inner = token
        .strip_prefix('<')
        .and_then(|t| t.strip_suffix('>'))
        .ok_or(XmlError::BadTag)?;
    let inner = inner.strip_suffix('/').unwrap_or(inner);
    let name_end = inner
        .find(|c: char| c.is_whitespace())
        .unwrap_or(inner.len());
    let (name, mut rest) = inner.split_at(name_end);
    if name.is_empty() {
        return Err(XmlError::EmptyTagName);
    }
    let mut attrs = Vec::new();
    loop {
        rest = rest.trim_start();
        if rest.is_empty() {
            break;
        }
        let eq = rest.find('=').ok_or(XmlError::AttributeWithoutValue)?;
        let (aname, after) = rest.split_at(eq);
        let aname = aname.trim_end();
        let after = after.get(1..).ok_or(XmlError::BadAttribute)?.trim_start();
        let q = after.chars().next().ok_or(XmlError::BadAttribute)?;
        if q != '"' && q != '\'' {
            return Err(XmlError::UnquotedAttribute);
        }
        let body = after.get(1..).ok_or(XmlError::BadAttribute)?;
        let close = body.find(q).ok_or(XmlError::UnterminatedAttribute)?;
        let (value, tail) = body.split_at(close);
        attrs.push(Attr { name: aname, value });
        rest = tail.get(1..).unwrap_or("");
    }
    Ok((name, attrs))
}

/// Apply attribute rules; returns the original token when nothing changed.
fn rewrite_attrs(
    token: &str,
    name: &str,
    attrs: &[Attr<'_>],
    self_closing: bool,
    rules: &dyn Rules,
    found: &mut Found,
) -> String {
    let mut changed = false;
    let mut parts: Vec<(&str, String)> = Vec::with_capacity(attrs.len());
    for a in attrs {
        match rules.attr(name, a, attrs) {
            AttrAction::Keep => parts.push((a.name, a.value.to_string())),
            AttrAction::Replace(v, cat) => {
                if a.value != v {
                    changed = true;
                    found.add(cat);
                }
                parts.push((a.name, v.to_string()));
            }
            AttrAction::Remove(cat) => {
                changed = true;
                found.add(cat);
            }
        }
    }
    if !changed {
        return token.to_string();
    }
    let mut s = format!("<{name}");
    for (n, v) in parts {
        // Values are either copied escaped or our own plain constants, so
        // double quotes are safe unless the original used them inside '...'.
        let v = v.replace('"', "&quot;");
        s.push_str(&format!(" {n}=\"{v}\""));
    }
    s.push_str(if self_closing { "/>" } else { ">" });
    s
}

/// The text content of an element when it is plain text (for reporting).
fn content_if_simple<'a>(rest: &'a str, name: &str) -> Option<&'a str> {
    let end = rest.find('<')?;
    let close = format!("</{name}>");
    rest.get(end..)?
        .starts_with(&close)
        .then(|| rest.get(..end))
        .flatten()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    struct R;
    impl Rules for R {
        fn drop_element(&self, name: &str, attrs: &[Attr<'_>]) -> Option<Removed> {
            (local(name) == "Override" && attr_value(attrs, "PartName") == Some("/x"))
                .then_some(Removed::Other)
        }
        fn replace_content(&self, name: &str, _: &[Attr<'_>]) -> Option<(&'static str, Removed)> {
            (name == "dc:creator").then_some(("Author", Removed::Author))
        }
        fn attr(&self, _: &str, a: &Attr<'_>, _: &[Attr<'_>]) -> AttrAction {
            match local(a.name) {
                "author" => AttrAction::Replace("Author", Removed::Author),
                "date" => AttrAction::Remove(Removed::Dates),
                _ => AttrAction::Keep,
            }
        }
    }

    #[test]
    fn rewrites_only_what_rules_say() {
        let x = r#"<?xml version="1.0"?><!-- c --><r a='1'><w:ins w:id="1" w:author="Jane Canary" w:date="2024"><t>x &amp; y</t></w:ins><Override PartName="/x"/><Override PartName="/y"/><Override PartName="/x"><z/></Override><dc:creator>Jane <b>Canary</b></dc:creator><![CDATA[<keep>]]></r>"#;
        let mut f = Found::default();
        let out = rewrite(x, &R, &mut f).unwrap();
        assert_eq!(
            out,
            r#"<?xml version="1.0"?><!-- c --><r a='1'><w:ins w:id="1" w:author="Author"><t>x &amp; y</t></w:ins><Override PartName="/y"/><dc:creator>Author</dc:creator><![CDATA[<keep>]]></r>"#
        );
        assert!(f.removed.contains(&Removed::Author));
        // Idempotent, and reports nothing the second time.
        let mut f2 = Found::default();
        assert_eq!(rewrite(&out, &R, &mut f2).unwrap(), out);
        assert!(f2.removed.is_empty());
    }

    #[test]
    fn text_rule_sees_the_element_it_is_in() {
        struct T;
        impl Rules for T {
            fn drop_element(&self, name: &str, _: &[Attr<'_>]) -> Option<Removed> {
                (name == "gone").then_some(Removed::Other)
            }
            fn text(&self, elem: &str, _: &str) -> Option<(&'static str, Removed)> {
                (local(elem) == "instr").then_some(("", Removed::Other))
            }
        }
        let x = r#"<r><w:instr>A<!-- c -->B<![CDATA[C]]></w:instr><gone><w:instr>x</w:instr></gone><p>keep<w:instr/>me</p><w:instr><i>inner</i>tail</w:instr></r>"#;
        let mut f = Found::default();
        let out = rewrite(x, &T, &mut f).unwrap();
        assert_eq!(
            out,
            r#"<r><w:instr><!-- c --></w:instr><p>keep<w:instr/>me</p><w:instr><i>inner</i></w:instr></r>"#
        );
        assert!(f.removed.contains(&Removed::Other));
    }

    #[test]
    fn splits_a_plain_doctype_and_refuses_an_internal_subset() {
        let x = "\u{feff}<?xml version='1.0'?>\n<!-- c --><!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\" \"x>.dtd\"><svg/>";
        let (a, d, b) = split_doctype(x).unwrap();
        assert_eq!(
            d,
            "<!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\" \"x>.dtd\">"
        );
        assert_eq!(b, "<svg/>");
        assert_eq!(format!("{a}{d}{b}"), x);
        assert_eq!(split_doctype("<svg/>").unwrap(), ("<svg/>", "", ""));
        for bad in [
            "<!DOCTYPE x [<!ENTITY a 'aaaa'><!ENTITY b '&a;&a;'>]><x>&b;</x>",
            "<!DOCTYPE x",
            "<?xml <svg/>",
        ] {
            assert!(split_doctype(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn markup_rule_drops_comments_and_instructions() {
        struct M;
        impl Rules for M {
            fn drop_markup(&self, t: &str) -> Option<Removed> {
                (!t.starts_with("<?xml ")).then_some(Removed::Comments)
            }
        }
        let mut f = Found::default();
        let out = rewrite(
            "<?xml version='1.0'?><?xml-stylesheet href='http://x'?><a><!-- Jane --><b/></a>",
            &M,
            &mut f,
        )
        .unwrap();
        assert_eq!(out, "<?xml version='1.0'?><a><b/></a>");
        assert!(f.removed.contains(&Removed::Comments));
    }

    #[test]
    fn refuses_bad_xml() {
        for bad in [
            "<a>",
            "</a>",
            "<a b=c/>",
            "<!DOCTYPE x [<!ENTITY e 'x'>]><a/>",
            "<a",
            "<a b='1></a>",
        ] {
            let mut f = Found::default();
            assert!(rewrite(bad, &R, &mut f).is_err(), "{bad}");
        }
    }
}
