pub async fn load(p: &str) -> String {
    std::fs::read_to_string(p).unwrap_or_default()
}

pub async fn exists(p: &str) -> bool {
    std::fs::metadata(p).is_ok()
}
