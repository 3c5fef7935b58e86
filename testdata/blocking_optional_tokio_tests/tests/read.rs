#[tokio::test]
async fn reads_the_manifest() {
    let text = std::fs::read_to_string("Cargo.toml").unwrap();
    assert!(blocking_optional_tokio_tests::manifest_len(&text) > 0);
}
