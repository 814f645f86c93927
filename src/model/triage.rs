//! Triage vocabulary of DOMAIN.md: anonymity levels, states, urgency, roles.
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
    /// Urgency levels, most urgent first.
    Urgency { Critical = "critical", High = "high", Standard = "standard", Informational = "informational" }
}

vocabulary! {
    /// Reviewer roles.
    Role { Triage = "triage", Identity = "identity", Admin = "admin" }
}

impl State {
    /// The states a report may move to from this one (DOMAIN.md).
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

    /// What a defender sees of this state in the follow-up channel.
    pub fn coarse(self) -> &'static str {
        match self {
            State::New => "received",
            State::Closed => "closed",
            _ => "in_review",
        }
    }
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
    fn closed_is_terminal_and_every_state_can_close() {
        assert!(State::Closed.next().is_empty());
        for s in State::ALL.iter().filter(|s| **s != State::Closed) {
            assert!(s.next().contains(&State::Closed), "{s}");
        }
        assert!(!State::New.next().contains(&State::Referred));
    }
}
