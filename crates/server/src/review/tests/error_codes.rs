//! docs/api.md's error table lists exactly the codes the server sends, each
//! with the status it is sent with.

use super::*;
use std::collections::BTreeSet;

const API_DOC: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/api.md"));

/// The `| status | `code` … |` rows of the doc's first table.
fn documented() -> BTreeSet<(u16, String)> {
    API_DOC
        .lines()
        .skip_while(|l| !l.starts_with("| status | code |"))
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            let status = cells[1].parse().unwrap();
            let code = cells[2].split('`').nth(1).unwrap().to_string();
            (status, code)
        })
        .collect()
}

#[test]
fn the_api_doc_lists_every_error_code_with_its_status() {
    let sent: BTreeSet<(u16, String)> = ErrorCode::ALL
        .iter()
        .map(|c| (c.http_status(), c.to_string()))
        .collect();
    assert_eq!(documented(), sent);
}

#[test]
fn each_code_is_sent_as_documented() {
    for code in ErrorCode::ALL {
        let wire = serde_json::to_value(code).unwrap();
        assert_eq!(wire, code.as_str(), "serde and as_str agree");
        let back: ErrorCode = serde_json::from_value(wire).unwrap();
        assert_eq!(back, code);
        let e = super::super::ApiError::new(code, "m");
        let status = actix_web::ResponseError::status_code(&e);
        assert_eq!(status.as_u16(), code.http_status());
    }
    let unknown: ErrorCode = serde_json::from_value("from_a_newer_server".into()).unwrap();
    assert_eq!(unknown, ErrorCode::Unknown);
    assert!(!ErrorCode::ALL.contains(&ErrorCode::Unknown));
}
