//! The C test programs in `tests/c/`, compiled against `include/callboard.h` and the static
//! library with `-Wall -Wextra -Werror`, under AddressSanitizer and UndefinedBehaviorSanitizer,
//! and run: each must exit 0 with no sanitizer report.

use std::path::{Path, PathBuf};
use std::process::Command;

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The static library, built now from the same sources as this test: `cargo test` builds only
/// the Rust library the tests link, so a `libcallboard.a` left from an earlier build could be
/// stale. The folder cargo put this test in (`target/<profile>/deps`) holds it one level up.
fn static_library() -> PathBuf {
    static BUILT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    BUILT
        .get_or_init(|| {
            let exe = std::env::current_exe().expect("test path");
            let profile_dir = exe.parent().and_then(Path::parent).expect("target/<profile>");
            let mut cargo = Command::new(env!("CARGO"));
            cargo.args(["build", "--quiet", "--locked", "-p", "callboard-ffi", "--lib"]);
            if profile_dir.file_name().is_some_and(|name| name == "release") {
                cargo.arg("--release");
            }
            let status = cargo.status().expect("run cargo");
            assert!(status.success(), "cargo build -p callboard-ffi failed");
            let library = profile_dir.join("libcallboard.a");
            assert!(library.exists(), "{} not built", library.display());
            library
        })
        .clone()
}

/// What a program linking the static library needs besides it: the system libraries Rust's
/// standard library uses on Linux (`cargo rustc -- --print native-static-libs`), which cargo-c
/// also writes into the installed `callboard.pc`'s `Libs.private`.
const SYSTEM_LIBRARIES: [&str; 6] = ["-lgcc_s", "-lutil", "-lrt", "-lpthread", "-lm", "-ldl"];

/// How a C program links libcallboard.
#[derive(Clone, Copy, PartialEq)]
enum Linking {
    Static,
    Shared,
}

fn build(source: &str, compiler: &str, standard: &str) -> PathBuf {
    build_at(&crate_dir().join("tests/c").join(source), compiler, standard, Linking::Static)
}

fn build_at(source: &Path, compiler: &str, standard: &str, linking: Linking) -> PathBuf {
    let out_dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let stem = source.file_stem().unwrap().to_string_lossy().into_owned();
    let suffix = if linking == Linking::Shared { "-shared" } else { "" };
    let binary = out_dir.join(format!("{stem}-{compiler}{suffix}"));
    // Tests run in parallel and two may build the same program: each linker writes a file of
    // its own, renamed into place when whole, so no test executes a file still being written
    // ("text file busy").
    static BUILDS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let build = BUILDS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let partial = out_dir.join(format!("{stem}-{compiler}{suffix}.{build}.partial"));
    let library = static_library();
    let mut command = Command::new(compiler);
    command
        .args([&format!("-std={standard}"), "-Wall", "-Wextra", "-Werror", "-g"])
        .args(["-fsanitize=address,undefined", "-fno-sanitize-recover=all"])
        .arg("-I")
        .arg(crate_dir().join("../include"))
        .arg(source);
    match linking {
        // The documented one-liners: the archive plus the system libraries, or
        // -L and -lcallboard for the shared library.
        Linking::Static => command.arg(&library).args(SYSTEM_LIBRARIES),
        Linking::Shared => command.arg("-L").arg(library.parent().unwrap()).arg("-lcallboard"),
    };
    let output =
        command.arg("-o").arg(&partial).output().unwrap_or_else(|e| panic!("run {compiler}: {e}"));
    assert!(
        output.status.success(),
        "{compiler} {} failed:\n{}",
        source.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    std::fs::rename(&partial, &binary).expect("rename the program into place");
    binary
}

fn run(binary: &Path) -> String {
    let library_dir = static_library().parent().unwrap().to_path_buf();
    let output = Command::new(binary)
        .env("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=0:exitcode=99")
        .env("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1")
        .env("LD_LIBRARY_PATH", library_dir)
        .output()
        .expect("run the C program");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{} failed ({}):\n{stdout}{stderr}",
        binary.display(),
        output.status,
    );
    assert!(!stderr.contains("Sanitizer"), "sanitizer report:\n{stderr}");
    stdout
}

/// The example integrators read (`examples/c/wallboard.c`), built as its comment says, with
/// the static and with the shared library; its output is pinned by `wallboard.expected`
/// (`CALLBOARD_UPDATE_GOLDEN=1` rewrites it).
#[test]
fn the_wallboard_example_runs_as_documented() {
    let example = crate_dir().join("../examples/c/wallboard.c");
    let expected_path = crate_dir().join("../examples/c/wallboard.expected");
    let with_static = run(&build_at(&example, "cc", "c99", Linking::Static));
    let with_shared = run(&build_at(&example, "cc", "c99", Linking::Shared));
    assert_eq!(with_static, with_shared);
    if std::env::var_os("CALLBOARD_UPDATE_GOLDEN").is_some() {
        std::fs::write(&expected_path, &with_static).expect("write the golden output");
    }
    let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
    assert_eq!(with_static, expected, "examples/c/wallboard.c printed something else");
}

/// `examples/c/board_feed.c` builds as its comment says (here under the sanitizers) and, when
/// no board answers on the line (a listener that takes the bytes and never replies), says so
/// and exits 2, having sent exactly a ping to board 3. Against the emulated board it runs whole
/// in the hardware-in-the-loop suite.
#[test]
fn the_board_feed_example_reports_a_silent_board() {
    use callboard_core::wire::{Decoded, FrameDecoder, HostMessage, MAX_FRAME_BYTES};
    use std::io::Read;

    let example = crate_dir().join("../examples/c/board_feed.c");
    let binary = build_at(&example, "cc", "c99", Linking::Static);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    let address = listener.local_addr().expect("its address");
    let silent = std::thread::spawn(move || {
        let (mut line, _) = listener.accept().expect("the program connects");
        let mut heard = Vec::new();
        let _ = line.read_to_end(&mut heard);
        heard
    });
    let output = Command::new(&binary)
        .arg(address.to_string())
        .args(["--timeout-ms", "300"])
        .env("ASAN_OPTIONS", "detect_leaks=0:abort_on_error=0:exitcode=99")
        .env("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1")
        .output()
        .expect("run board_feed");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains(&format!("board 3 does not answer at {address}")), "{stderr}");
    assert!(!stderr.contains("Sanitizer"), "sanitizer report:\n{stderr}");
    let heard = silent.join().expect("the listener");
    let mut decoder = FrameDecoder::<MAX_FRAME_BYTES>::new();
    let frames: Vec<_> = heard.iter().filter_map(|&b| decoder.feed(b, |a| a == 3)).collect();
    assert!(
        matches!(&frames[..], [Decoded::Frame(header, HostMessage::Ping)] if header.sequence == 1),
        "{frames:?}"
    );
}

#[test]
fn erlang_from_c99() {
    run(&build("test_erlang.c", "cc", "c11"));
}

#[test]
fn smoke_from_cpp() {
    run(&build("smoke.cpp", "c++", "c++11"));
}

#[test]
fn service_agreements_from_c11() {
    run(&build("test_sla.c", "cc", "c11"));
}

/// Board frames and the wire protocol (`ffi/tests/c/test_board.c`): frames from a center, the
/// bytes of PROTOCOL.md's worked examples, answers among garbage, every refusal, and spoiled
/// frames, descriptions and random line noise under the sanitizers.
#[test]
fn reader_boards_from_c11() {
    let report = run(&build("test_board.c", "cc", "c11"));
    print!("{report}");
    assert!(report.contains("boards: all checks passed"), "{report}");
}

/// Authenticated frames (`ffi/tests/c/test_auth.c`): sealing to the golden bytes, a keyed
/// decoder taking authentic answers and counting the rest, every refusal.
#[test]
fn authenticated_frames_from_c11() {
    let report = run(&build("test_auth.c", "cc", "c11"));
    assert!(report.contains("auth: all checks passed"), "{report}");
}

#[test]
fn a_center_from_c11() {
    run(&build("test_center.c", "cc", "c11"));
}

/// A hostile caller: random events, reads, mutated checkpoints and absurd staffing inputs
/// under the sanitizers (`ffi/tests/c/test_hostile.c`; `scripts/hostile` runs it long).
#[test]
fn a_hostile_caller_from_c() {
    let report = run(&build("test_hostile.c", "cc", "gnu11"));
    print!("{report}");
    assert!(report.starts_with("hostile: "), "{report}");
}

/// Every period's figures computed in C from the definitions in the header alone agree with
/// the library's (`ffi/tests/c/test_definitions.c`).
#[test]
fn the_header_definitions_give_the_library_figures() {
    let report = run(&build("test_definitions.c", "cc", "c11"));
    print!("{report}");
    assert!(report.contains(", 0 disagree"), "{report}");
}
