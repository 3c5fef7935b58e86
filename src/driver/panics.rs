//! Internal errors: a panic while a file or a crate is analysed becomes one
//! error line naming it, and the run goes on.

/// Runs `f`; a panic in it becomes an internal error about `what`.
pub(crate) fn catch<T>(what: &str, f: impl FnOnce() -> T) -> Result<T, String> {
    let outer = CATCHING.with(|c| c.replace(true));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    CATCHING.with(|c| c.set(outer));
    result.map_err(|payload| {
        let msg = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_string());
        let at = PANIC_AT
            .with(|p| p.take())
            .map(|at| format!(" at {at}"))
            .unwrap_or_default();
        let msg = msg.replace('\n', " ");
        format!("{what}: internal error: {msg}{at}; please report it")
    })
}

thread_local! {
    /// Where the last panic on this thread happened, if the panic hook of
    /// `quiet_panics` saw it.
    static PANIC_AT: std::cell::Cell<Option<String>> = const { std::cell::Cell::new(None) };
    /// This thread runs inside `catch`.
    static CATCHING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Makes the panics that `catch` catches quiet: it reports them as one line
/// with their place (unless `RUST_BACKTRACE` is set, when the default report
/// is printed too). Other panics are reported as usual.
pub fn quiet_panics() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let at = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()));
        PANIC_AT.with(|p| p.set(at));
        if !CATCHING.with(|c| c.get())
            || std::env::var_os("RUST_BACKTRACE").is_some_and(|v| v != "0")
        {
            default(info);
        }
    }));
}
