//! `cargo awaitify [ARGS]`: cargo runs this binary as `cargo-awaitify
//! awaitify [ARGS]`; the second word is dropped and the rest is `awaitify`'s, but for
//! `--exclude`, which takes packages as cargo's does.

#[cfg(not(target_env = "msvc"))]
#[path = "../alloc.rs"]
mod alloc;

fn main() -> std::process::ExitCode {
    let mut args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if args.get(1).is_some_and(|a| a == "awaitify") {
        args.remove(1);
    }
    awaitify::cli::cargo_main(args)
}
