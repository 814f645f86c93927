//! `amanat`: the reviewer CLI. Thin: everything lives in the `amanat_cli` library.
#![forbid(unsafe_code)]

fn main() -> std::process::ExitCode {
    amanat_cli::main()
}
