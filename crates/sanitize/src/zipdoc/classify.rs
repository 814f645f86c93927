//! What a zip is, decided from its central directory: OOXML, ODF, EPUB or a
//! plain zip, never from the first bytes alone.

use std::io::{Read, Seek};

use zip::ZipArchive;

use super::entry::read_whole;
use super::{EPUB_MIME, ODF_MIME};
use crate::{Kind, SanitizeError, malformed};

/// Decide what a zip is from its central directory.
pub(super) fn classify<R: Read + Seek>(
    archive: &mut ZipArchive<R>,
    guess: Kind,
    budget: &mut u64,
) -> Result<Kind, SanitizeError> {
    let mut content_types = false;
    let mut mimetype = None;
    for (i, n) in archive.file_names_raw().enumerate() {
        if n.eq_ignore_ascii_case(b"[Content_Types].xml") {
            content_types = true;
        } else if n == b"mimetype" {
            mimetype = Some(i);
        }
    }
    let mut epub = false;
    let odf = match mimetype {
        Some(i) => {
            let f = archive
                .by_index(i)
                .map_err(|e| malformed(guess, format!("zip entry: {e}")))?;
            let head = read_whole(f, ODF_MIME.len() as u64 + 64, budget, guess, "mimetype")
                .or_else(|e| match e {
                    SanitizeError::ZipBomb => Ok(Vec::new()),
                    e => Err(e),
                })?;
            epub = head == EPUB_MIME;
            head.starts_with(ODF_MIME)
        }
        None => false,
    };
    if epub {
        return if content_types {
            Err(malformed(guess, "both an OOXML package and an EPUB"))
        } else {
            Ok(Kind::Epub)
        };
    }
    match (content_types, odf) {
        (true, false) => Ok(Kind::Ooxml),
        (false, true) => Ok(Kind::Odf),
        (true, true) => Err(malformed(
            guess,
            "both an OOXML and an OpenDocument package",
        )),
        (false, false) => Err(SanitizeError::Unsupported {
            kind: Kind::Zip,
            detail: "a zip archive that is not an office document",
        }),
    }
}
