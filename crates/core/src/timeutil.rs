//! Coarse time: the only clock values that may be stored outside ciphertext.
//!
//! SECURITY.md, boundary 2: timestamps outside ciphertext are the UTC day, never
//! finer. [`Day`] is that day; nothing in this crate stores a finer time.
//! Precise instants exist only in memory (session expiry, rate limits).

use serde::{Deserialize, Serialize};
use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

/// A UTC calendar day, stored as days since 1970-01-01 and shown as `YYYY-MM-DD`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day(i64);

impl Day {
    /// Today in UTC.
    pub fn today() -> Day {
        let secs = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        Day(secs.div_euclid(86_400))
    }

    /// The day `n` days since the Unix epoch.
    pub fn from_days(n: i64) -> Day {
        Day(n)
    }

    /// Days since the Unix epoch.
    pub fn days(self) -> i64 {
        self.0
    }

    /// The calendar date `(year, month, day)`.
    pub fn ymd(self) -> (i64, u32, u32) {
        civil_from_days(self.0)
    }

    /// Builds a day from a calendar date, refusing impossible dates.
    pub fn from_ymd(y: i64, m: u32, d: u32) -> Option<Day> {
        if !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
            return None;
        }
        Some(Day(days_from_civil(y, m, d)))
    }
}

impl Day {
    /// `YYYY-MM-DD` without allocating, for years 0 to 9999 (every day a
    /// store or a reviewer will see); `None` outside them.
    fn ascii(self) -> Option<[u8; 10]> {
        let (y, m, d) = self.ymd();
        let y = u32::try_from(y).ok().filter(|y| *y <= 9999)?;
        let digit = |n: u32| b'0' + (n % 10) as u8;
        Some([
            digit(y / 1000),
            digit(y / 100),
            digit(y / 10),
            digit(y),
            b'-',
            digit(m / 10),
            digit(m),
            b'-',
            digit(d / 10),
            digit(d),
        ])
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.ascii() {
            // Only ASCII digits and dashes: always valid UTF-8.
            Some(b) => f.pad(std::str::from_utf8(&b).map_err(|_| fmt::Error)?),
            None => {
                let (y, m, d) = self.ymd();
                f.pad(&format!("{y:04}-{m:02}-{d:02}"))
            }
        }
    }
}

// By hand rather than through `String`: a listing of many reports
// (de)serialises two days per report, and this allocates for neither.
impl Serialize for Day {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.ascii() {
            Some(b) => s.serialize_str(std::str::from_utf8(&b).map_err(serde::ser::Error::custom)?),
            None => s.collect_str(self),
        }
    }
}

impl<'de> Deserialize<'de> for Day {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct DayVisitor;
        impl serde::de::Visitor<'_> for DayVisitor {
            type Value = Day;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a date as YYYY-MM-DD")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Day, E> {
                v.parse().map_err(E::custom)
            }
        }
        d.deserialize_str(DayVisitor)
    }
}

impl TryFrom<String> for Day {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<Day> for String {
    fn from(d: Day) -> String {
        d.to_string()
    }
}

impl std::str::FromStr for Day {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("not a date (expected YYYY-MM-DD): {s:?}");
        let mut it = s.splitn(3, '-');
        let y: i64 = it.next().and_then(|v| v.parse().ok()).ok_or_else(bad)?;
        let m: u32 = it.next().and_then(|v| v.parse().ok()).ok_or_else(bad)?;
        let d: u32 = it.next().and_then(|v| v.parse().ok()).ok_or_else(bad)?;
        Day::from_ymd(y, m, d).ok_or_else(bad)
    }
}

/// Number of days in a month of the proleptic Gregorian calendar.
pub fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

// Howard Hinnant's civil-calendar algorithms (public domain description),
// valid far beyond any date this program meets.
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_dates() {
        assert_eq!(Day::from_days(0).to_string(), "1970-01-01");
        assert_eq!(Day::from_days(19_723).to_string(), "2024-01-01");
        assert_eq!(Day::from_days(11_016).to_string(), "2000-02-29");
        assert_eq!("2024-02-29".parse::<Day>().map(|d| d.days()), Ok(19_782));
    }

    #[test]
    fn impossible_dates_are_refused() {
        assert!("2023-02-29".parse::<Day>().is_err());
        assert!("2024-13-01".parse::<Day>().is_err());
        assert!("2024-04-31".parse::<Day>().is_err());
        assert!("yesterday".parse::<Day>().is_err());
    }

    proptest::proptest! {
        #[test]
        fn round_trip(n in -800_000i64..800_000) {
            let d = Day::from_days(n);
            let (y, m, dd) = d.ymd();
            proptest::prop_assert_eq!(Day::from_ymd(y, m, dd), Some(d));
        }

        /// Years 0 to 9999 take the allocation-free path; the text must be
        /// what `format!` gives, in JSON and on screen, padding included.
        #[test]
        fn text_and_json_round_trip(n in -719_528i64..2_932_897) {
            let d = Day::from_days(n);
            let (y, m, dd) = d.ymd();
            let text = format!("{y:04}-{m:02}-{dd:02}");
            proptest::prop_assert_eq!(d.to_string(), text.clone());
            proptest::prop_assert_eq!(format!("{d:<12}|"), format!("{text:<12}|"));
            let json = serde_json::to_string(&d).map_err(|e| proptest::test_runner::TestCaseError::fail(e.to_string()))?;
            proptest::prop_assert_eq!(&json, &format!("\"{text}\""));
            let back: Day = serde_json::from_str(&json).map_err(|e| proptest::test_runner::TestCaseError::fail(e.to_string()))?;
            proptest::prop_assert_eq!(back, d);
        }
    }

    #[test]
    fn outside_four_digit_years_days_still_print() {
        let d = Day::from_days(3_000_000);
        let (y, m, dd) = d.ymd();
        assert!(y > 9999);
        assert_eq!(d.to_string(), format!("{y:04}-{m:02}-{dd:02}"));
        assert_eq!(
            serde_json::to_string(&d).ok(),
            Some(format!("\"{y:04}-{m:02}-{dd:02}\""))
        );
        assert!(serde_json::from_str::<Day>("\"2023-02-29\"").is_err());
        assert!(serde_json::from_str::<Day>("20230228").is_err());
    }
}
