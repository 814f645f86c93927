//! Triage vocabulary of docs/domain.md: anonymity levels, states, urgency, roles.
//!
//! These are the only report properties stored in plaintext (with the
//! received day and the assignee id), so that a queue can be sorted without
//! decrypting anything.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

macro_rules! vocabulary {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            /// Every value, in order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// The stable text form used in storage, the API and the CLI.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.pad(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err(format!(
                        "unknown {} {:?}; expected one of: {}",
                        stringify!($name).to_lowercase(),
                        s,
                        [$($text),+].join(", ")
                    )),
                }
            }
        }
    };
}

vocabulary! {
    /// The defender's choice about their identity (first question of the form).
    Anonymity { Anonymous = "anonymous", Confidential = "confidential", Consented = "consented" }
}

vocabulary! {
    /// Triage states of a report.
    State {
        New = "new", Acknowledged = "acknowledged", Screening = "screening",
        InReview = "in_review", NeedsInfo = "needs_info", Assessed = "assessed",
        Referred = "referred", Monitoring = "monitoring", Closed = "closed",
    }
}

vocabulary! {
    /// Why a report was closed.
    CloseReason {
        Resolved = "resolved", OutOfScope = "out_of_scope", Duplicate = "duplicate",
        Withdrawn = "withdrawn", NoConsent = "no_consent", Spam = "spam",
    }
}

vocabulary! {
    /// Urgency levels, most urgent first.
    Urgency { Critical = "critical", High = "high", Standard = "standard", Informational = "informational" }
}

vocabulary! {
    /// Reviewer roles.
    Role { Triage = "triage", Identity = "identity", Admin = "admin" }
}

impl State {
    /// The states a report may move to from this one (docs/domain.md).
    pub fn next(self) -> &'static [State] {
        use State::*;
        match self {
            New => &[Acknowledged, Closed],
            Acknowledged => &[Screening, Closed],
            Screening => &[InReview, Closed],
            InReview => &[NeedsInfo, Assessed, Closed],
            NeedsInfo => &[InReview, Closed],
            Assessed => &[Referred, Monitoring, Closed],
            Referred => &[Monitoring, Closed],
            Monitoring => &[Referred, Closed],
            Closed => &[],
        }
    }

    /// The allowed next states as `a, b, c` (for error messages).
    pub fn next_text(self) -> String {
        let n = self.next();
        if n.is_empty() {
            "none: a closed report stays closed".into()
        } else {
            n.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
        }
    }

    /// What a defender sees of this state in the follow-up channel.
    pub fn coarse(self) -> &'static str {
        match self {
            State::New => "received",
            State::Closed => "closed",
            _ => "in_review",
        }
    }
}

/// True if a report still awaits acknowledgement past its urgency's SLA.
///
/// docs/domain.md's deadlines are in hours (critical 2 h, high 24 h, standard 5
/// working days), but the server keeps only the received *day*, so they are
/// applied at day granularity: critical and high are overdue from the day
/// after arrival; standard after more than five working days (Monday to
/// Friday); informational never. Only reports still `new` are overdue.
pub fn overdue(
    urgency: Urgency,
    state: State,
    received: crate::timeutil::Day,
    today: crate::timeutil::Day,
) -> bool {
    if state != State::New {
        return false;
    }
    let age = today.days() - received.days();
    match urgency {
        Urgency::Critical | Urgency::High => age >= 1,
        Urgency::Standard => working_days_between(received, today) > 5,
        Urgency::Informational => false,
    }
}

/// Monday-to-Friday days after `from`, up to and including `to`.
pub fn working_days_between(from: crate::timeutil::Day, to: crate::timeutil::Day) -> i64 {
    // 1970-01-01 was a Thursday: weekday index 3 with Monday = 0.
    ((from.days() + 1)..=to.days())
        .filter(|d| (d + 3).rem_euclid(7) < 5)
        .count() as i64
}

/// Roles as `a,b,c`.
pub fn roles_text(roles: &[Role]) -> String {
    roles
        .iter()
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_forms_round_trip() {
        for s in State::ALL {
            assert_eq!(s.as_str().parse::<State>(), Ok(*s));
        }
        for a in Anonymity::ALL {
            assert_eq!(a.as_str().parse::<Anonymity>(), Ok(*a));
        }
        let err = "secret".parse::<Role>().unwrap_err();
        assert!(err.contains("triage, identity, admin"), "{err}");
    }

    #[test]
    fn slas_at_day_granularity() {
        use crate::timeutil::Day;
        let mon: Day = "2026-11-23".parse().unwrap();
        let day = |n: i64| Day::from_days(mon.days() + n);
        assert!(!overdue(Urgency::Critical, State::New, mon, mon));
        assert!(overdue(Urgency::Critical, State::New, mon, day(1)));
        assert!(!overdue(
            Urgency::Critical,
            State::Acknowledged,
            mon,
            day(30)
        ));
        assert!(overdue(Urgency::High, State::New, mon, day(1)));
        // Monday + 5 working days = next Monday; overdue from Tuesday.
        assert!(!overdue(Urgency::Standard, State::New, mon, day(7)));
        assert!(overdue(Urgency::Standard, State::New, mon, day(8)));
        assert!(!overdue(Urgency::Informational, State::New, mon, day(400)));
        assert_eq!(working_days_between(mon, day(7)), 5);
        assert_eq!(working_days_between(day(4), day(7)), 1, "Friday to Monday");
    }

    #[test]
    fn closed_is_terminal_and_every_state_can_close() {
        assert!(State::Closed.next().is_empty());
        for s in State::ALL.iter().filter(|s| **s != State::Closed) {
            assert!(s.next().contains(&State::Closed), "{s}");
        }
        assert!(!State::New.next().contains(&State::Referred));
    }
}
