/work/main/testdata/pasting_macro/target/debug/deps/pasting_macro-d8b38fde0defc842.d: src/main.rs

/work/main/testdata/pasting_macro/target/debug/deps/pasting_macro-d8b38fde0defc842: src/main.rs

src/main.rs:
