//! Metadata stripping judged by independent readers: files made by real
//! tools (ffmpeg, sox, flac, opusenc, exiftool, heif-enc, ImageMagick) with
//! identifying metadata, cleaned by `amanat_sanitize`, then read back by
//! exiftool and mat2 (`judge`), which must find no author, device, position,
//! serial, software version or time finer than the day, and decoded again
//! by the format's own tools to show the file is still usable.
//!
//! One module per family of formats. The tools are installed by
//! scripts/test.sh; a missing tool fails the test, it never skips.
#![forbid(unsafe_code)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod audio;
mod corpus;
mod heif;
mod judge;
mod mkv;
mod riff;
mod text;
mod timed;
