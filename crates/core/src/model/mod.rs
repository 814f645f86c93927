//! The report schema: the questionnaire (data, not code), the typed answers a
//! submission is parsed into, and the triage vocabulary of docs/domain.md.
//!
//! Parsing happens here, once, at the boundary: the rest of the code sees
//! typed values, never raw form strings it must re-check.

pub mod answers;
pub mod countries;
pub mod questionnaire;
pub mod triage;

pub use answers::{ApproxDate, FieldError, ParsedReport, Value};
pub use questionnaire::{FieldDef, FieldType, Questionnaire, QuestionnaireError, Section};
pub use triage::{Anonymity, CloseReason, Role, State, Urgency, roles_text};

/// The schema tag of a decrypted report record.
pub const REPORT_SCHEMA: &str = "amanat.report/1";
/// The schema tag of a decrypted identity record.
pub const IDENTITY_SCHEMA: &str = "amanat.identity/1";
