//! `awaitify`: see `awaitify --help`.

fn main() -> std::process::ExitCode {
    awaitify::cli::main(std::env::args_os())
}
