use std::sync::Mutex;

#[derive(Default)]
pub struct Shard {
    pointer: Mutex<u32>,
    renamed: Mutex<u32>,
    in_macro: Mutex<u32>,
    as_value: Mutex<u32>,
    only_blocking: Mutex<u32>,
}

pub async fn add(s: &Shard, k: u32) {
    *s.pointer.lock().unwrap() += k;
    *s.renamed.lock().unwrap() += k;
    *s.in_macro.lock().unwrap() += k;
    *s.as_value.lock().unwrap() += k;
    *s.only_blocking.lock().unwrap() += k;
}

pub fn by_pointer(s: &Shard) -> u32 {
    *s.pointer.lock().unwrap()
}

pub fn by_new_name(s: &Shard) -> u32 {
    *s.renamed.lock().unwrap()
}

pub fn by_macro(s: &Shard) -> u32 {
    *s.in_macro.lock().unwrap()
}

pub fn by_value(s: &Shard) -> u32 {
    *s.as_value.lock().unwrap()
}

pub fn by_blocking_only(s: &Shard) -> u32 {
    *s.only_blocking.lock().unwrap()
}
