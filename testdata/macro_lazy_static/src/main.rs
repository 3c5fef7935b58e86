use std::sync::Mutex;

/// The grammar of the `lazy_static` crate's macro.
macro_rules! lazy_static {
    ($(pub static ref $name:ident : $t:ty = $init:expr;)*) => {
        $(pub static $name: std::sync::LazyLock<$t> = std::sync::LazyLock::new(|| $init);)*
    };
}

lazy_static! {
    pub static ref ROLES: Mutex<Vec<String>> = Mutex::new(Vec::new());
}

thread_local! {
    static SEEN: Mutex<u32> = const { Mutex::new(0) };
}

async fn add(role: &str) -> usize {
    SEEN.with(|s| *s.lock().unwrap() += 1);
    ROLES.lock().unwrap().push(role.into());
    ROLES.lock().unwrap().len()
}

#[tokio::main]
async fn main() {
    let n = add("admin").await;
    println!("{n} {}", SEEN.with(|s| *s.lock().unwrap()));
}
