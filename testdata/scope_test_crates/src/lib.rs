/// The answer the tests wait for.
pub fn answer() -> u32 {
    42
}
