//! `amanat`: the reviewer CLI. Thin: everything lives in `amanat::cli`.
#![forbid(unsafe_code)]

fn main() -> std::process::ExitCode {
    amanat_cli::main()
}
