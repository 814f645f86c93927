//! Entry points for the fuzz targets in `fuzz/` (not a stable API).
//!
//! Only what the targets cannot reach through the public API lives here: thin
//! wrappers over the CLI's readers, so that fuzzing exercises the real
//! code instead of a copy of it. Nothing here is called by the server or CLI.

use amanat_core::records::{AttachmentManifest, Record, ReportRecord};
use serde_json::Value as Json;

/// The attachment manifests the CLI reads from a decrypted report record:
/// none when the record does not read as an `amanat.report/1` record.
pub fn report_attachments(report: &Json) -> Vec<AttachmentManifest> {
    serde_json::to_vec(report)
        .ok()
        .and_then(|plain| ReportRecord::from_plaintext(&plain).ok())
        .map(|r| r.attachments)
        .unwrap_or_default()
}

/// The file name `amanat download` saves an attachment under on its `n`th try.
pub fn saved_name(manifest_name: &str, n: u32) -> String {
    crate::commands::download::saved_name(manifest_name, n)
}
