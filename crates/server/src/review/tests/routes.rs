//! The routes table: each path is one resource, so a known path with another
//! method is 405 and an unknown path 404, both as JSON errors.

use super::*;

#[actix_web::test]
async fn other_methods_and_unknown_paths_get_json_errors() {
    let fx = Fixture::new();
    let health = fx.call(TestRequest::get().uri("/healthz")).await;
    assert_eq!(
        (health.status, &health.json["status"]),
        (StatusCode::OK, &"ok".into())
    );
    for req in [
        TestRequest::delete().uri("/api/v1/reports"),
        TestRequest::get().uri("/api/v1/auth/verify"),
        TestRequest::put().uri("/api/v1/reviewers"),
        TestRequest::post().uri("/healthz"),
    ] {
        fx.call(req)
            .await
            .refused(ErrorCode::MethodNotAllowed, "does not accept that method");
    }
    for path in ["/api/v1", "/api/v2/reports", "/api/v1/reports/x/y/z", "/"] {
        fx.call(TestRequest::get().uri(path))
            .await
            .refused(ErrorCode::NotFound, "no such API route");
    }
}
