//! Hostile files made in code: decompression bombs in PDF and DOCX form.
//!
//! Shared by the regression tests (`tests/hostile.rs`) and the peak-memory
//! harness (`bench/hostile_rss.rs`), so that both upload the same files.
//! Nothing here is shipped as a binary fixture.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;

/// zlib (PDF FlateDecode) of `n` zero bytes, compressed in 1 MiB steps.
pub fn zlib_zeros(n: u64) -> Vec<u8> {
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

/// zlib of `data`.
pub fn zlib(data: &[u8]) -> Vec<u8> {
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    z.write_all(data).unwrap();
    z.finish().unwrap()
}

/// A stream body of `layers` nested FlateDecode layers over `decoded` zero
/// bytes, and the matching `/Filter` array.
pub fn flate_bomb(decoded: u64, layers: usize) -> (Vec<u8>, String) {
    let mut body = zlib_zeros(decoded);
    for _ in 1..layers {
        body = zlib(&body);
    }
    (body, format!("[{} ]", " /FlateDecode".repeat(layers)))
}

/// A one-page PDF carrying `bomb` (from [`flate_bomb`]) as the catalog's XMP
/// metadata stream when `xmp`, and as `obj_streams` object streams (which a
/// reader must decode to read the file).
pub fn pdf_bomb(bomb: &(Vec<u8>, String), xmp: bool, obj_streams: usize) -> Vec<u8> {
    let objstm = ("/Type /ObjStm /N 1 /First 4".to_string(), bomb.clone());
    pdf_with(xmp.then_some(bomb), vec![objstm; obj_streams])
}

/// A PDF with one Flate object stream of `n` small members (objects 10,
/// 11, …, each `<< /A [1 2 3] >>`): about 27 bytes of decoded text and 7
/// values each.
pub fn pdf_many_objects(n: u32) -> Vec<u8> {
    const MEMBER: &str = "<< /A [1 2 3] >>\n";
    let mut index = String::new();
    for i in 0..n {
        index.push_str(&format!("{} {} ", i + 10, i as usize * MEMBER.len()));
    }
    let first = index.len();
    index.push_str(&MEMBER.repeat(n as usize));
    let body = (zlib(index.as_bytes()), "/FlateDecode".to_string());
    pdf_with(
        None,
        vec![(format!("/Type /ObjStm /N {n} /First {first}"), body)],
    )
}

/// A one-page PDF with `xmp` (body, filter) as the catalog's metadata stream
/// and `obj_streams` as (dictionary entries, (body, filter)) streams. Written
/// by hand: PDF libraries leave object streams out of what they write.
pub fn pdf_with(
    xmp: Option<&(Vec<u8>, String)>,
    obj_streams: Vec<(String, (Vec<u8>, String))>,
) -> Vec<u8> {
    let stream = |dict: &str, (body, filter): &(Vec<u8>, String)| {
        let mut b = format!(
            "<< {dict} /Filter {filter} /Length {} >>\nstream\n",
            body.len()
        )
        .into_bytes();
        b.extend_from_slice(body);
        b.extend_from_slice(b"\nendstream");
        b
    };
    let metadata = if xmp.is_some() {
        " /Metadata 4 0 R"
    } else {
        ""
    };
    let mut objects: Vec<Vec<u8>> = vec![
        format!("<< /Type /Catalog /Pages 2 0 R{metadata} >>").into_bytes(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>".to_vec(),
        match xmp {
            Some(x) => stream("/Type /Metadata /Subtype /XML", x),
            None => b"null".to_vec(),
        },
    ];
    for (dict, body) in &obj_streams {
        objects.push(stream(dict, body));
    }
    let mut out = b"%PDF-1.5\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(o);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    let size = objects.len() + 1;
    out.extend_from_slice(format!("xref\n0 {size}\n0000000000 65535 f \n").as_bytes());
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!("trailer\n<< /Size {size} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n").as_bytes(),
    );
    out
}

/// A DOCX whose document part is followed by a `stored`-byte entry kept
/// uncompressed (random bytes) and a `zeros`-byte entry of deflated zeros.
pub fn docx_bomb(stored: u64, zeros: u64) -> Vec<u8> {
    use zip::write::SimpleFileOptions;
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let deflated = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(zeros >= u64::from(u32::MAX));
    z.start_file("[Content_Types].xml", deflated).unwrap();
    z.write_all(
        br#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#,
    )
    .unwrap();
    z.start_file("_rels/.rels", deflated).unwrap();
    z.write_all(
        br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#,
    )
    .unwrap();
    z.start_file("word/document.xml", deflated).unwrap();
    z.write_all(
        br#"<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>report</w:t></w:r></w:p></w:body></w:document>"#,
    )
    .unwrap();
    let stored_opts =
        SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    z.start_file("word/media/image1.bin", stored_opts).unwrap();
    // Incompressible filler (xorshift), written in 64 KiB steps.
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut buf = vec![0u8; 64 << 10];
    let mut left = stored;
    while left > 0 {
        for b in buf.iter_mut() {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            *b = x as u8;
        }
        let k = left.min(buf.len() as u64) as usize;
        z.write_all(&buf[..k]).unwrap();
        left -= k as u64;
    }
    z.start_file("word/media/image2.bin", deflated).unwrap();
    let zero = vec![0u8; 1 << 20];
    let mut left = zeros;
    while left > 0 {
        let k = left.min(zero.len() as u64) as usize;
        z.write_all(&zero[..k]).unwrap();
        left -= k as u64;
    }
    z.finish().unwrap().into_inner()
}

/// A PDF with one Flate object stream whose single member is an array of
/// `n` zeros: about 2 bytes of decoded text per element.
pub fn pdf_long_array(n: usize) -> Vec<u8> {
    let mut content = b"10 0 [".to_vec();
    content.extend(std::iter::repeat_n(b"0 ".iter().copied(), n).flatten());
    content.push(b']');
    let body = (zlib(&content), "/FlateDecode".to_string());
    pdf_with(
        None,
        vec![("/Type /ObjStm /N 1 /First 5".to_string(), body)],
    )
}

/// A PDF with an unreferenced object holding an array of `n` zeros, written
/// plainly in the file (no compression): about 2 bytes of upload per value.
pub fn pdf_raw_array(n: usize) -> Vec<u8> {
    let mut pdf = pdf_with(None, Vec::new());
    // Appended as object 5 of an incremental update, so offsets stay valid.
    let mut array = b"5 0 obj\n[".to_vec();
    array.extend(std::iter::repeat_n(b"0 ".iter().copied(), n).flatten());
    array.extend_from_slice(b"]\nendobj\n");
    let prev = pdf
        .windows(9)
        .rposition(|w| w == b"startxref")
        .map(|p| {
            std::str::from_utf8(&pdf[p + 9..])
                .unwrap()
                .split_whitespace()
                .next()
                .unwrap()
                .to_string()
        })
        .unwrap();
    let obj_at = pdf.len();
    pdf.extend_from_slice(&array);
    let xref = pdf.len();
    pdf.extend_from_slice(
        format!(
            "xref\n5 1\n{obj_at:010} 00000 n \ntrailer\n<< /Size 6 /Root 1 0 R /Prev {prev} >>\nstartxref\n{xref}\n%%EOF\n"
        )
        .as_bytes(),
    );
    pdf
}
