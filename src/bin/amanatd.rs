//! `amanatd`: the Amanat server. Thin: everything lives in `amanat::daemon`.

fn main() -> std::process::ExitCode {
    amanat::daemon::main()
}
