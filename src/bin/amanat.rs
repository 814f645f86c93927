//! `amanat`: the reviewer CLI. Thin: everything lives in `amanat::cli`.

fn main() -> std::process::ExitCode {
    amanat::cli::main()
}
