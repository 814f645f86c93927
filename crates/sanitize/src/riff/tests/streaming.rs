//! Unit tests that the sound and media data stream: output leaves while
//! input still comes in.

use super::*;

/// An input made on the fly: `head`, then `n` bytes of 0x55, then
/// `tail`; counts what was read in `pos`.
struct Lazy<'a> {
    head: Vec<u8>,
    n: u64,
    tail: Vec<u8>,
    at: u64,
    pos: &'a std::cell::Cell<u64>,
}

impl Read for Lazy<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let h = self.head.len() as u64;
        let total = h + self.n + self.tail.len() as u64;
        let mut k = 0;
        while k < buf.len() && self.at < total {
            buf[k] = if self.at < h {
                self.head[self.at as usize]
            } else if self.at < h + self.n {
                0x55
            } else {
                self.tail[(self.at - h - self.n) as usize]
            };
            k += 1;
            self.at += 1;
        }
        self.pos.set(self.at);
        Ok(k)
    }
}

/// Records how much input had been read when the output passed 1 MiB.
struct Watch<'a> {
    written: u64,
    pos: &'a std::cell::Cell<u64>,
    read_at_1mib: Option<u64>,
}

impl Write for Watch<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.written += buf.len() as u64;
        if self.written >= 1 << 20 && self.read_at_1mib.is_none() {
            self.read_at_1mib = Some(self.pos.get());
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The media data goes out while it comes in: 1 MiB of output is
/// written before 2 MiB of a 48 MiB input have been read.
#[test]
fn media_data_streams() {
    let n: u64 = 48 << 20;
    let wav_head = {
        let mut h = b"RIFF".to_vec();
        let body = info().len() + fmt_pcm().len() + 8 + 12;
        h.extend_from_slice(&(4 + body as u32 + n as u32).to_le_bytes());
        h.extend_from_slice(b"WAVE");
        h.extend_from_slice(&info());
        h.extend_from_slice(&fmt_pcm());
        h.extend_from_slice(b"data");
        h.extend_from_slice(&(n as u32).to_le_bytes());
        h
    };
    let avi_head = {
        let mut h = b"RIFF".to_vec();
        h.extend_from_slice(&(4 + 12 + n as u32).to_le_bytes());
        h.extend_from_slice(b"AVI LIST");
        h.extend_from_slice(&(4 + n as u32).to_le_bytes());
        h.extend_from_slice(b"movi");
        h
    };
    for (kind, head) in [(Kind::Wav, wav_head), (Kind::Avi, avi_head)] {
        let pos = std::cell::Cell::new(0);
        let mut input = Lazy {
            head,
            n,
            tail: b"JUNK\x04\0\0\0abcd".to_vec(),
            at: 0,
            pos: &pos,
        };
        let mut out = Watch {
            written: 0,
            pos: &pos,
            read_at_1mib: None,
        };
        let res = strip(kind, &mut input, &mut out, &Limits::default());
        assert!(
            matches!(res, Ok(Outcome::Cleaned { .. })),
            "{kind}: {res:?}"
        );
        let at = out.read_at_1mib.unwrap();
        assert!(
            at < 2 << 20,
            "{kind}: {at} bytes read before 1 MiB was written"
        );
        assert!(out.written >= n, "{kind}");
    }
}
