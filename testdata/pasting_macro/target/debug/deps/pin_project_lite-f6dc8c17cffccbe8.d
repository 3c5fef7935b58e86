/work/main/testdata/pasting_macro/target/debug/deps/pin_project_lite-f6dc8c17cffccbe8.d: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/pin-project-lite-0.2.19/src/lib.rs

/work/main/testdata/pasting_macro/target/debug/deps/libpin_project_lite-f6dc8c17cffccbe8.rlib: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/pin-project-lite-0.2.19/src/lib.rs

/work/main/testdata/pasting_macro/target/debug/deps/libpin_project_lite-f6dc8c17cffccbe8.rmeta: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/pin-project-lite-0.2.19/src/lib.rs

/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/pin-project-lite-0.2.19/src/lib.rs:
