//! Unit tests of profile names, qualified ids and the profile directories.

use super::*;

fn ctx(root: &Path, profile: Option<&str>) -> Ctx {
    let profile_given = profile.is_some();
    let profile = Profile::parse(profile.unwrap_or(DEFAULT)).unwrap();
    Ctx {
        dir: profile.dir(root),
        root: root.to_path_buf(),
        profile,
        profile_given,
        proxy: None,
        mirror: None,
        identity: None,
        load_identity: amanat_core::keyfile::load,
    }
}

const ID: &str = "abcdefghijklmnopqrstuvwxyz";

#[test]
fn names_are_safe_directory_names_without_a_colon() {
    for good in [
        "geneva",
        "default",
        "a",
        "nairobi-2",
        "desk_b",
        &"a".repeat(MAX_NAME),
    ] {
        assert!(Profile::parse(good).is_ok(), "{good}");
    }
    for bad in [
        "",
        "Geneva",
        "2geneva",
        "-a",
        "a:b",
        "../x",
        "a/b",
        ".",
        "a b",
        "é",
        &"a".repeat(MAX_NAME + 1),
    ] {
        let e = Profile::parse(bad).unwrap_err();
        assert!(e.contains("not a profile name"), "{bad}: {e}");
    }
}

#[test]
fn the_default_profile_is_the_config_dir_itself() {
    let root = Path::new("/cfg");
    assert_eq!(Profile::default_profile().dir(root), root);
    assert_eq!(
        Profile::parse("geneva").unwrap().dir(root),
        Path::new("/cfg/profiles/geneva")
    );
}

#[test]
fn a_qualified_id_selects_its_profile() {
    let root = Path::new("/cfg");
    let (c, id) = ctx(root, None).for_id(&format!("geneva:{ID}")).unwrap();
    assert_eq!((c.profile.as_str(), id.as_str()), ("geneva", ID));
    assert_eq!(c.dir, Path::new("/cfg/profiles/geneva"));
    let (c, id) = ctx(root, None).for_id(ID).unwrap();
    assert_eq!((c.profile.as_str(), id.as_str()), (DEFAULT, ID));
    assert_eq!(c.dir, root);
    let (c, _) = ctx(root, Some("geneva")).for_id(ID).unwrap();
    assert_eq!(c.profile.as_str(), "geneva");
    let (c, _) = ctx(root, Some("geneva"))
        .for_id(&format!("geneva:{ID}"))
        .unwrap();
    assert_eq!(c.profile.as_str(), "geneva");
    assert_eq!(
        Profile::parse("geneva").unwrap().qualify(ID),
        format!("geneva:{ID}")
    );
}

#[test]
fn a_qualified_id_of_another_profile_than_the_one_chosen_is_refused() {
    let root = Path::new("/cfg");
    let e = ctx(root, Some("nairobi"))
        .for_id(&format!("geneva:{ID}"))
        .err()
        .unwrap();
    assert_eq!(e.code, Exit::Usage);
    assert!(
        e.message.contains("belongs to profile geneva"),
        "{}",
        e.message
    );
    let e = ctx(root, None)
        .for_ids(&[format!("geneva:{ID}"), format!("nairobi:{ID}")])
        .err()
        .unwrap();
    assert_eq!(e.code, Exit::Usage);
    let (c, ids) = ctx(root, None)
        .for_ids(&[format!("geneva:{ID}"), ID.to_string()])
        .unwrap();
    assert_eq!(c.profile.as_str(), "geneva");
    assert_eq!(ids, [ID, ID]);
    let e = ctx(root, None).for_id(&format!("Bad:{ID}")).err().unwrap();
    assert_eq!(e.code, Exit::NotFound);
}

#[test]
fn logged_in_lists_profiles_with_a_session_default_first() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    assert!(logged_in(root).unwrap().is_empty());
    for p in ["nairobi", "geneva", "empty"] {
        std::fs::create_dir_all(root.join(PROFILES_DIR).join(p)).unwrap();
    }
    // Not profile names: never listed, whatever they hold.
    std::fs::create_dir_all(root.join(PROFILES_DIR).join("Bad")).unwrap();
    std::fs::write(
        root.join(PROFILES_DIR)
            .join("Bad")
            .join(session::SESSION_FILE),
        "{}",
    )
    .unwrap();
    for p in ["nairobi", "geneva"] {
        std::fs::write(
            root.join(PROFILES_DIR).join(p).join(session::SESSION_FILE),
            "{}",
        )
        .unwrap();
    }
    let names = |v: Vec<Profile>| v.iter().map(|p| p.to_string()).collect::<Vec<_>>();
    assert_eq!(names(logged_in(root).unwrap()), ["geneva", "nairobi"]);
    std::fs::write(root.join(session::SESSION_FILE), "{}").unwrap();
    assert_eq!(
        names(logged_in(root).unwrap()),
        [DEFAULT, "geneva", "nairobi"]
    );
}
