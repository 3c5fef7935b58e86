/work/main/testdata/pasting_macro/target/debug/pasting_macro: /work/main/testdata/pasting_macro/src/main.rs
