//! The committed `include/callboard.h` is what cbindgen makes of `ffi/src`, and it compiles on
//! its own as C99 and as C++ with warnings as errors.

use std::path::{Path, PathBuf};
use std::process::Command;

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn header_path() -> PathBuf {
    crate_dir().join("../include/callboard.h")
}

#[test]
fn committed_header_is_fresh() {
    let config = cbindgen::Config::from_file(crate_dir().join("cbindgen.toml")).expect("config");
    let bindings = cbindgen::Builder::new()
        .with_crate(crate_dir())
        .with_config(config)
        .generate()
        .expect("cbindgen generates the header");
    let mut generated = Vec::new();
    bindings.write(&mut generated);
    let path = header_path();
    if std::env::var_os("CALLBOARD_UPDATE_HEADER").is_some() {
        std::fs::write(&path, &generated).expect("write the header");
        return;
    }
    let committed = std::fs::read(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "include/callboard.h is stale: regenerate it with \
         CALLBOARD_UPDATE_HEADER=1 cargo test -p callboard-ffi --test header"
    );
}

fn compile_alone(compiler: &str, language: &str, standard: &str) {
    let status = Command::new(compiler)
        .args([&format!("-std={standard}"), "-Wall", "-Wextra", "-Werror", "-pedantic"])
        .args(["-fsyntax-only", "-x", language])
        .arg(header_path())
        .status()
        .unwrap_or_else(|e| panic!("run {compiler}: {e}"));
    assert!(status.success(), "the header does not compile alone as {language} {standard}");
}

#[test]
fn header_compiles_alone_as_c99_and_cpp() {
    assert!(Path::new(&header_path()).exists());
    compile_alone("cc", "c", "c99");
    compile_alone("c++", "c++", "c++11");
}
