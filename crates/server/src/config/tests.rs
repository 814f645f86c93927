//! Unit tests of the configuration: the example file, environment
//! overrides and validation.

use super::env::setting_paths;
use super::*;

#[test]
fn example_file_is_the_defaults_and_documents_every_key() {
    let cfg = Config::parse(EXAMPLE_TOML, "example").unwrap();
    assert_eq!(cfg, Config::default());
    for (section, key) in setting_paths() {
        let needle = format!("{key} =");
        assert!(
            EXAMPLE_TOML.contains(&needle),
            "{section:?}.{key} is not documented in the example"
        );
    }
    cfg.validate().unwrap();
}

#[test]
fn initial_file_sets_addresses() {
    let text = initial_file("127.0.0.1:9000", "[::1]:9001");
    let cfg = Config::parse(&text, "init").unwrap();
    assert_eq!(cfg.intake.addr, "127.0.0.1:9000");
    assert_eq!(cfg.review.addr, "[::1]:9001");
}

#[test]
fn unknown_keys_are_refused() {
    let e = Config::parse("[limits]\nform_body_byte = 5\n", "t").unwrap_err();
    assert!(e.to_string().contains("form_body_byte"), "{e}");
}

#[test]
fn environment_overrides_and_refuses_unknown_names() {
    let mut cfg = Config::default();
    cfg.apply_env([
        (
            "AMANAT_INTAKE_ADDR".to_string(),
            "127.0.0.1:9999".to_string(),
        ),
        ("AMANAT_LIMITS_FORM_FIELDS".to_string(), "400".to_string()),
        ("AMANAT_CONFIG_DIR".to_string(), "/x".to_string()),
        ("HOME".to_string(), "/root".to_string()),
    ])
    .unwrap();
    assert_eq!(cfg.intake.addr, "127.0.0.1:9999");
    assert_eq!(cfg.limits.form_fields, 400);
    let e = cfg
        .apply_env([("AMANAT_LIMITS_FORM_FEILDS".to_string(), "1".to_string())])
        .unwrap_err();
    assert!(e.to_string().contains("AMANAT_LIMITS_FORM_FEILDS"), "{e}");
    let e = cfg
        .apply_env([("AMANAT_LIMITS_FORM_FIELDS".to_string(), "many".to_string())])
        .unwrap_err();
    assert!(e.to_string().contains("form_fields"), "{e}");
}

#[test]
fn office_memory_is_shared_by_concurrent_uploads() {
    let mut cfg = Config::default();
    assert_eq!(cfg.limits.office_memory_per_upload(), 64 << 20);
    assert!(EXAMPLE_TOML.contains(&format!(
        "office_memory_bytes = {}",
        cfg.limits.office_memory_bytes
    )));
    // 256 MiB for 1024 uploads leaves each less than 1 MiB.
    cfg.limits.concurrent_uploads = 1024;
    let e = cfg.validate().unwrap_err().to_string();
    assert!(e.contains("limits.office_memory_bytes"), "{e}");
    cfg.limits.office_memory_bytes = 1 << 30;
    cfg.validate().unwrap();
    assert_eq!(cfg.limits.office_memory_per_upload(), 1 << 20);
}

#[test]
fn validation_names_the_key() {
    let mut cfg = Config::default();
    cfg.limits.form_fields = 0;
    let e = cfg.validate().unwrap_err().to_string();
    assert!(
        e.contains("limits.form_fields") && e.contains("Fix:"),
        "{e}"
    );

    let mut cfg = Config::default();
    cfg.limits.mp4_max_box_bytes = 4096;
    let e = cfg.validate().unwrap_err().to_string();
    assert!(e.contains("limits.mp4_max_box_bytes"), "{e}");

    let mut cfg = Config::default();
    cfg.limits.store_cache_bytes = 1000;
    let e = cfg.validate().unwrap_err().to_string();
    assert!(e.contains("limits.store_cache_bytes"), "{e}");

    let mut cfg = Config::default();
    cfg.review.addr = "localhost".into();
    assert!(
        cfg.validate()
            .unwrap_err()
            .to_string()
            .contains("review.addr")
    );

    let mut cfg = Config::default();
    cfg.intake.tls_cert = Some("/x.pem".into());
    assert!(
        cfg.validate()
            .unwrap_err()
            .to_string()
            .contains("intake.tls_cert")
    );

    let mut cfg = Config::default();
    cfg.review.addr = cfg.intake.addr.clone();
    assert!(
        cfg.validate()
            .unwrap_err()
            .to_string()
            .contains("review.addr")
    );
}
