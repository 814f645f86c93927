//! Unit tests of `amanat admin rekey`'s own rules: the recipient sets it
//! re-encrypts to must be the ones pinned at login, and what counts as a
//! removed key.

use super::*;

fn targets(triage: &[&str], identity: &[&str]) -> RekeyTargets {
    let v = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    RekeyTargets {
        triage: v(triage),
        identity: v(identity),
        current: v(triage),
        removed: vec![],
    }
}

fn pin(dir: &std::path::Path, triage: &[&str], identity: &[&str]) {
    let t = targets(triage, identity);
    let mut pins = session::Pins::new();
    pins.insert(
        "http://server".into(),
        session::Pin {
            triage: t.triage,
            identity: t.identity,
            names: Default::default(),
        },
    );
    session::save_state(dir, session::PINS_FILE, &pins).unwrap();
}

#[test]
fn it_re_encrypts_only_to_the_sets_pinned_at_login() {
    let dir = tempfile::tempdir().unwrap();
    let no_pin = check_pins(dir.path(), "http://server", &targets(&["a"], &["a"])).unwrap_err();
    assert!(
        no_pin.message.contains("amanat login"),
        "{}",
        no_pin.message
    );
    pin(dir.path(), &["a", "b"], &["a"]);
    check_pins(dir.path(), "http://server", &targets(&["b", "a"], &["a"])).unwrap();
    let slipped = check_pins(
        dir.path(),
        "http://server",
        &targets(&["a", "b", "x"], &["a"]),
    )
    .unwrap_err();
    assert!(
        slipped.message.contains("triage recipients: ADDED   x")
            && slipped.message.contains("Nothing was re-keyed"),
        "{}",
        slipped.message
    );
    let identity = check_pins(
        dir.path(),
        "http://server",
        &targets(&["a", "b"], &["a", "b"]),
    )
    .unwrap_err();
    assert!(identity.message.contains("identity recipients: ADDED   b"));
    let other = check_pins(
        dir.path(),
        "http://elsewhere",
        &targets(&["a", "b"], &["a"]),
    );
    assert!(other.is_err(), "a pin is per server");
}

#[test]
fn a_key_is_stale_unless_it_is_a_reviewers_or_the_sources() {
    let plan = Plan {
        current: ["a".to_string(), "b".to_string()].into(),
        triage: Sealing {
            spelled: vec![],
            parsed: vec![],
        },
        identity: Sealing {
            spelled: vec![],
            parsed: vec![],
        },
    };
    let set = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    assert!(!plan.stale(&set(&["a", "b"]), None));
    assert!(
        !plan.stale(&set(&["a"]), None),
        "a missing key is not a removed one"
    );
    assert!(plan.stale(&set(&["a", "gone"]), None));
    let source = "src".to_string();
    assert!(!plan.stale(&set(&["src", "a"]), Some(&source)));
    assert!(plan.stale(&set(&["src", "a"]), None));
}
