//! Entry points for the fuzz targets in `fuzz/` (not a stable API).
//!
//! Only what the targets cannot reach through the public API lives here: thin
//! wrappers over crate-private parsers, so that fuzzing exercises the real
//! code instead of a copy of it. Nothing here is called by the server or CLI.

use amanat_core::records::AttachmentManifest;
use serde_json::Value as Json;

/// The attachment manifests the CLI reads from a decrypted report record.
pub fn report_attachments(report: &Json) -> Vec<AttachmentManifest> {
    crate::attachments(report)
}

/// The file name `amanat download` saves an attachment under on its `n`th try.
pub fn saved_name(manifest_name: &str, n: u32) -> String {
    crate::saved_name(manifest_name, n)
}
