//! Tells the end-to-end tests and benchmarks where Cargo puts the two
//! binaries (`BIN_PATH_amanatd`, `BIN_PATH_amanat`; not `AMANAT_…`: Cargo sets
//! them in the tests' environment too, and `amanatd` refuses unknown `AMANAT_`
//! variables). They belong to other
//! packages of the workspace, so Cargo's `CARGO_BIN_EXE_*` is not set here;
//! both land in the profile directory, three levels above `OUT_DIR`.
#![forbid(unsafe_code)]

fn main() {
    let out = std::env::var_os("OUT_DIR").unwrap_or_default();
    let profile_dir = std::path::Path::new(&out)
        .ancestors()
        .nth(3)
        .map(|p| p.to_path_buf())
        .unwrap_or_default();
    for bin in ["amanatd", "amanat"] {
        println!(
            "cargo:rustc-env=BIN_PATH_{bin}={}",
            profile_dir.join(bin).display()
        );
    }
    println!("cargo:rerun-if-changed=build.rs");
}
