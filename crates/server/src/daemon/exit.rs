//! `amanatd`'s exit codes: one table that makes the [`Exit`] enum, the
//! "Exit codes:" section of `--help` and the list that docs/operations.md
//! must repeat (crates/server/tests/it checks it). A [`Failure`] carries one
//! of them with the message printed before exiting.

use crate::store::StoreError;

/// The table: each code's doc line is its meaning in `--help`.
macro_rules! exit_codes {
    ($( #[doc = $meaning:literal] $name:ident = $code:literal, )*) => {
        /// How `amanatd` exits.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Exit {
            $( #[doc = $meaning] $name = $code, )*
        }

        impl Exit {
            /// Every code, in order.
            pub const ALL: &[Exit] = &[$( Exit::$name ),*];

            /// What the code means, as `--help` and docs/operations.md say.
            pub fn meaning(self) -> &'static str {
                match self {
                    $( Exit::$name => $meaning.trim(), )*
                }
            }
        }
    };
}

exit_codes! {
    /// success
    Success = 0,
    /// error (the message says what and what to do)
    Error = 1,
    /// invalid arguments
    Usage = 2,
    /// invalid configuration (the message names the key)
    Config = 3,
    /// the data directory is in use by a running amanatd
    Locked = 4,
    /// the audit chain is broken, or does not pass through an anchor (audit verify)
    AuditBroken = 5,
    /// `check` found a problem (a FAIL line says what and how to fix it)
    CheckFailed = 6,
    /// `fsck` found the store inconsistent (its report says what; `--repair` removes leftovers)
    FsckFailed = 7,
}

impl Exit {
    /// The number the process exits with.
    pub fn code(self) -> u8 {
        self as u8
    }

    /// The "Exit codes:" section of `amanatd --help`, one line a code.
    pub fn help() -> String {
        let mut text = String::from("Exit codes:");
        for e in Exit::ALL {
            text.push_str(&format!("\n  {}  {}", e.code(), e.meaning()));
        }
        text
    }
}

impl From<Exit> for std::process::ExitCode {
    fn from(e: Exit) -> Self {
        std::process::ExitCode::from(e.code())
    }
}

/// A failure with its exit code.
#[derive(Debug)]
pub struct Failure {
    exit: Exit,
    message: String,
}

impl Failure {
    /// The code to exit with.
    pub fn exit(&self) -> Exit {
        self.exit
    }

    /// What to print (after "amanatd: ").
    pub fn message(&self) -> &str {
        &self.message
    }
}

/// A failure exiting with `exit` after printing `message`.
pub(super) fn fail(exit: Exit, message: impl Into<String>) -> Failure {
    Failure {
        exit,
        message: message.into(),
    }
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Self {
        let exit = if matches!(e, StoreError::Locked(_)) {
            Exit::Locked
        } else {
            Exit::Error
        };
        fail(exit, e.to_string())
    }
}

impl From<crate::config::ConfigError> for Failure {
    fn from(e: crate::config::ConfigError) -> Self {
        fail(Exit::Config, e.to_string())
    }
}

impl From<crate::ops::OpsError> for Failure {
    fn from(e: crate::ops::OpsError) -> Self {
        match e {
            crate::ops::OpsError::Store(e) => e.into(),
            e => fail(Exit::Error, e.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_numbered_in_order_from_zero() {
        for (i, e) in Exit::ALL.iter().enumerate() {
            assert_eq!(usize::from(e.code()), i, "{e:?}");
        }
    }

    #[test]
    fn help_has_a_line_per_code_with_its_meaning() {
        let help = Exit::help();
        let lines: Vec<&str> = help.lines().collect();
        assert_eq!(lines[0], "Exit codes:");
        assert_eq!(lines.len(), Exit::ALL.len() + 1);
        assert_eq!(
            lines[8],
            "  7  `fsck` found the store inconsistent (its report says what; `--repair` removes leftovers)"
        );
    }

    #[test]
    fn a_locked_store_exits_4_and_other_store_errors_1() {
        let locked: Failure = StoreError::Locked("/d".into()).into();
        assert_eq!(locked.exit().code(), 4);
        let other: Failure = StoreError::NotFound.into();
        assert_eq!(other.exit(), Exit::Error);
    }
}
