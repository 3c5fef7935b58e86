//! `awaitify`: see `awaitify --help`.

#[cfg(not(target_env = "msvc"))]
mod alloc;

fn main() -> std::process::ExitCode {
    awaitify::cli::main(std::env::args_os())
}
