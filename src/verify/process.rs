//! Running `cargo check` with a time limit, saying what it waits on.

use std::io::{BufRead as _, Read as _};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Cargo's word that another cargo (an editor's) holds the build directory.
const LOCK_WAIT: &str = "Blocking waiting for file lock";

/// Runs `cmd` to its end, or kills it (and what it started) after `limit`:
/// `None` then. Unless `quiet`, says so when cargo waits for another
/// cargo's lock on the build directory.
pub(super) fn output_within(
    cmd: &mut Command,
    limit: Duration,
    quiet: bool,
) -> std::io::Result<Option<Output>> {
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    // Its own process group, so that a kill reaches rustc and build scripts.
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(cmd, 0);
    let mut child = cmd.spawn()?;
    let mut stdout = child.stdout.take().expect("piped");
    let stderr = child.stderr.take().expect("piped");
    let out = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = stdout.read_to_end(&mut bytes);
        bytes
    });
    // The reader only notes the wait: this thread says so, as it may hold
    // the lock on stderr.
    let waiting = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let noted = waiting.clone();
    let err = std::thread::spawn(move || {
        let mut text = Vec::new();
        let lines = std::io::BufReader::new(stderr).split(b'\n');
        for line in lines.map_while(Result::ok) {
            if String::from_utf8_lossy(&line).contains(LOCK_WAIT) {
                noted.store(true, std::sync::atomic::Ordering::Relaxed);
            }
            text.extend_from_slice(&line);
            text.push(b'\n');
        }
        text
    });
    let deadline = Instant::now() + limit;
    let mut told = quiet;
    let status = loop {
        if !told && waiting.load(std::sync::atomic::Ordering::Relaxed) {
            eprintln!("awaitify: waiting for the build directory lock held by another cargo");
            told = true;
        }
        if let Some(status) = child.try_wait()? {
            break Some(status);
        }
        if Instant::now() >= deadline {
            kill_group(&mut child);
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let (stdout, stderr) = (
        out.join().unwrap_or_default(),
        err.join().unwrap_or_default(),
    );
    Ok(status.map(|status| Output {
        status,
        stdout,
        stderr,
    }))
}

/// Kills the child and, on unix, its process group.
fn kill_group(child: &mut std::process::Child) {
    #[cfg(unix)]
    {
        let group = format!("-{}", child.id());
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stderr(Stdio::null())
            .status();
    }
    let _ = child.kill();
}
