//! `amanatd`: the Amanat server. Thin: everything lives in `amanatd::daemon`.
#![forbid(unsafe_code)]

fn main() -> std::process::ExitCode {
    amanatd::daemon::main()
}
