//! The `guidesmith` binary: all logic lives in the library; see `cli`.

fn main() -> std::process::ExitCode {
    guidesmith::cli::main()
}
