use std::sync::Mutex;

macro_rules! with_lock {
    ($m:expr, [$g:ident] => $body:expr) => {{
        let $g = $m.lock().unwrap();
        $body
    }};
}

struct Names {
    list: Mutex<Vec<&'static str>>,
}

async fn first(names: &Names) -> Option<&'static str> {
    names.list.lock().unwrap().push("z");
    with_lock!(names.list, [g] => g.first().copied())
}

#[tokio::main]
async fn main() {
    let names = Names { list: Mutex::new(vec!["a"]) };
    println!("{:?}", first(&names).await);
}
