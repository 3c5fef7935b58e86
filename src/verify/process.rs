//! Running `cargo check` with a time limit, saying what it waits on.

use std::io::{BufRead as _, Read as _};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// What cargo says while it waits, and what awaitify says about it, once:
/// another cargo (an editor's) holds the build directory; it fetches
/// dependencies over the network.
const NOTES: [(&str, &str); 3] = [
    (
        "Blocking waiting for file lock",
        "awaitify: waiting for the build directory lock held by another cargo",
    ),
    (
        "Updating ",
        "awaitify: cargo is fetching dependencies for the check (--offline forbids it)",
    ),
    (
        "Downloading ",
        "awaitify: cargo is fetching dependencies for the check (--offline forbids it)",
    ),
];

/// The words of cargo's lines for a crate it builds.
const BUILDING: [&str; 2] = ["Compiling ", "Checking "];

/// On a terminal (and not `quiet`): a spinner with the time the check has
/// taken and the crates cargo has built, so that a long cold check is not
/// silence.
fn spinner(quiet: bool) -> Option<indicatif::ProgressBar> {
    if quiet || !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        return None;
    }
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} cargo check: {msg} {elapsed}")
            .expect("a valid template"),
    );
    bar.enable_steady_tick(Duration::from_millis(100));
    Some(bar)
}

/// Is this line of cargo's stderr one for a crate it builds?
fn builds_a_crate(line: &str) -> bool {
    BUILDING.iter().any(|w| line.trim_start().starts_with(w))
}

/// The spinner's message for `n` crates built.
fn built(n: usize) -> String {
    match n {
        1 => "1 crate built".to_string(),
        n => format!("{n} crates built"),
    }
}

/// Runs `cmd` to its end, or kills it (and what it started) after `limit`:
/// `None` then. Unless `quiet`, says so when cargo waits for another
/// cargo's lock on the build directory, or fetches dependencies, and on a
/// terminal shows how long it has run and how many crates it built.
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
    // The reader only notes what cargo said: this thread says so, as it
    // may hold the lock on stderr.
    let heard: std::sync::Arc<[std::sync::atomic::AtomicBool; 3]> = Default::default();
    let noted = heard.clone();
    let crates = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = crates.clone();
    let err = std::thread::spawn(move || {
        let mut text = Vec::new();
        let lines = std::io::BufReader::new(stderr).split(b'\n');
        for line in lines.map_while(Result::ok) {
            let said = String::from_utf8_lossy(&line);
            for (i, (word, _)) in NOTES.iter().enumerate() {
                if said.trim_start().starts_with(word) {
                    noted[i].store(true, std::sync::atomic::Ordering::Relaxed);
                }
            }
            if builds_a_crate(&said) {
                counted.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
            text.extend_from_slice(&line);
            text.push(b'\n');
        }
        text
    });
    let deadline = Instant::now() + limit;
    let mut told: Vec<&str> = Vec::new();
    let bar = spinner(quiet);
    let tell = |told: &mut Vec<&str>| {
        for (i, (_, note)) in NOTES.iter().enumerate() {
            if !quiet && heard[i].load(std::sync::atomic::Ordering::Relaxed) && !told.contains(note)
            {
                match &bar {
                    Some(bar) => bar.println(note),
                    None => eprintln!("{note}"),
                }
                told.push(note);
            }
        }
    };
    let status = loop {
        tell(&mut told);
        if let Some(bar) = &bar {
            bar.set_message(built(crates.load(std::sync::atomic::Ordering::Relaxed)));
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
    // What cargo said just before it ended, read once the reader is done.
    tell(&mut told);
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cargo_lines_for_a_crate_it_builds_are_counted() {
        let stderr = "    Updating crates.io index\n   Compiling tokio v1.0.0\n    Checking demo v0.1.0 (/x)\n    Finished `dev` profile\nwarning: Compiling is a word\n";
        let n = stderr.lines().filter(|l| builds_a_crate(l)).count();
        assert_eq!(built(n), "2 crates built");
        assert_eq!(built(1), "1 crate built");
    }
}
