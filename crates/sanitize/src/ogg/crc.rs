//! The Ogg page checksum: CRC-32 with polynomial 0x04C11DB7, MSB first.

/// The Ogg CRC of a whole page, its own CRC field read as zero.
pub(super) fn crc_page(page: &[u8]) -> u32 {
    let head = page.get(..22).unwrap_or(page);
    let rest = page.get(26..).unwrap_or(&[]);
    crc_update(crc_update(crc_update(0, head), &[0; 4]), rest)
}

/// CRC-32 as Ogg uses it: polynomial 0x04C11DB7, MSB first, initial value
/// and final XOR 0.
pub(super) fn crc_update(mut crc: u32, data: &[u8]) -> u32 {
    for &b in data {
        let i = usize::from(((crc >> 24) as u8) ^ b);
        crc = (crc << 8) ^ CRC_TABLE[i];
    }
    crc
}

const CRC_TABLE: [u32; 256] = {
    let mut t = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut r = (i as u32) << 24;
        let mut k = 0;
        while k < 8 {
            r = if r & 0x8000_0000 != 0 {
                (r << 1) ^ 0x04C1_1DB7
            } else {
                r << 1
            };
            k += 1;
        }
        t[i] = r;
        i += 1;
    }
    t
};
