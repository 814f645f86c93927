//! The CLI's exit codes and its one error type.
//!
//! [`Exit`] is the whole list of codes a script can see; the "Exit codes"
//! section of `--help` is generated from it, and [`Exit::for_code`] is the
//! one place where a server's error code becomes an exit code.

use amanat_core::api::ErrorCode;

/// Exit codes (see `--help`). Success is 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    General = 1,
    Usage = 2,
    NotLoggedIn = 3,
    NotFound = 4,
    Forbidden = 5,
    Unreachable = 6,
    Decrypt = 7,
    AuditRewritten = 8,
}

impl Exit {
    /// Every failure code, in order.
    pub const ALL: [Exit; 8] = [
        Exit::General,
        Exit::Usage,
        Exit::NotLoggedIn,
        Exit::NotFound,
        Exit::Forbidden,
        Exit::Unreachable,
        Exit::Decrypt,
        Exit::AuditRewritten,
    ];

    /// What the code means, as `--help` says it (continuation lines
    /// indented to the text's column).
    pub fn meaning(self) -> &'static str {
        match self {
            Exit::General => "error (the message says what and what to do)",
            Exit::Usage => "invalid arguments",
            Exit::NotLoggedIn => "not logged in, or the session expired: run `amanat login`",
            Exit::NotFound => "not found (unknown report or reviewer id)",
            Exit::Forbidden => "permission denied: your reviewer account lacks the role",
            Exit::Unreachable => "cannot reach the server",
            Exit::Decrypt => {
                "cannot decrypt: this identity is not a recipient, or the data is damaged"
            }
            Exit::AuditRewritten => {
                "logged in, but the server's audit log no longer extends the entry this\n     \
                 CLI saw at an earlier login: it was rewritten (see the warning)"
            }
        }
    }

    /// The exit code a server's error code gives. Only the session, role
    /// and existence answers have codes of their own: anything else,
    /// including a code this CLI does not know, is a general error whose
    /// message (the server's) says what happened.
    pub fn for_code(code: ErrorCode) -> Exit {
        match code {
            ErrorCode::Unauthorized => Exit::NotLoggedIn,
            ErrorCode::Forbidden | ErrorCode::SecondAdminRequired => Exit::Forbidden,
            ErrorCode::NotFound => Exit::NotFound,
            ErrorCode::BadRequest
            | ErrorCode::MethodNotAllowed
            | ErrorCode::RequestTimeout
            | ErrorCode::Conflict
            | ErrorCode::IllegalTransition
            | ErrorCode::AuditMismatch
            | ErrorCode::PayloadTooLarge
            | ErrorCode::UnsupportedMediaType
            | ErrorCode::RateLimited
            | ErrorCode::Internal
            | ErrorCode::Unavailable
            | ErrorCode::AuditUnavailable
            | ErrorCode::Unknown => Exit::General,
        }
    }
}

/// The "Exit codes" section of `--help`.
pub fn help_text() -> String {
    let mut text = String::from("Exit codes:\n  0  success");
    for e in Exit::ALL {
        text.push_str(&format!("\n  {}  {}", e as u8, e.meaning()));
    }
    text
}

/// An error for the user, with its exit code.
#[derive(Debug)]
pub struct CliError {
    pub code: Exit,
    pub message: String,
}

impl CliError {
    pub fn new(code: Exit, message: impl Into<String>) -> CliError {
        CliError {
            code,
            message: message.into(),
        }
    }
    pub fn general(message: impl Into<String>) -> CliError {
        Self::new(Exit::General, message)
    }
    pub fn usage(message: impl Into<String>) -> CliError {
        Self::new(Exit::Usage, message)
    }
}

impl From<amanat_core::keyfile::KeyfileError> for CliError {
    /// An identity file that cannot be made or read: a general error whose
    /// message names the file and says what to do.
    fn from(e: amanat_core::keyfile::KeyfileError) -> CliError {
        CliError::general(e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The text `--help` printed before it was generated from [`Exit`].
    const PREVIOUS_HELP: &str = "\
Exit codes:
  0  success
  1  error (the message says what and what to do)
  2  invalid arguments
  3  not logged in, or the session expired: run `amanat login`
  4  not found (unknown report or reviewer id)
  5  permission denied: your reviewer account lacks the role
  6  cannot reach the server
  7  cannot decrypt: this identity is not a recipient, or the data is damaged
  8  logged in, but the server's audit log no longer extends the entry this
     CLI saw at an earlier login: it was rewritten (see the warning)";

    #[test]
    fn the_help_text_is_generated_unchanged() {
        assert_eq!(help_text(), PREVIOUS_HELP);
        for (i, e) in Exit::ALL.iter().enumerate() {
            assert_eq!(*e as usize, i + 1);
        }
    }

    /// Each code maps to exactly one exit, the one its HTTP status gave
    /// when the CLI mapped statuses: 401 → 3, 403 → 5, 404 → 4, else 1.
    #[test]
    fn every_server_code_maps_to_the_exit_its_status_gave() {
        let by_status = |status: u16| match status {
            401 => Exit::NotLoggedIn,
            403 => Exit::Forbidden,
            404 => Exit::NotFound,
            _ => Exit::General,
        };
        for code in ErrorCode::ALL.into_iter().chain([ErrorCode::Unknown]) {
            assert_eq!(
                Exit::for_code(code),
                by_status(code.http_status()),
                "{code}"
            );
        }
        assert_eq!(Exit::for_code(ErrorCode::Unauthorized), Exit::NotLoggedIn);
        assert_eq!(
            Exit::for_code(ErrorCode::SecondAdminRequired),
            Exit::Forbidden
        );
        assert_eq!(Exit::for_code(ErrorCode::NotFound), Exit::NotFound);
        assert_eq!(Exit::for_code(ErrorCode::IllegalTransition), Exit::General);
    }

    #[test]
    fn an_unknown_code_from_a_newer_server_is_a_general_error() {
        let body: amanat_core::api::ErrorBody =
            serde_json::from_str(r#"{"error":{"code":"quota_exceeded","message":"m"}}"#).unwrap();
        assert_eq!(body.error.code, ErrorCode::Unknown);
        assert_eq!(Exit::for_code(body.error.code), Exit::General);
    }
}
