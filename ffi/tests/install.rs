//! libcallboard installed the way a vendor installs it, then used the way a vendor uses it.
//!
//! `cargo cinstall` (cargo-c) installs the library into a prefix staged under a `DESTDIR`; the
//! tests then check what a C library's prefix holds (the versioned shared object with its
//! soname and links, the archive, the header, `callboard.pc`, the CMake package), that the
//! shared object exports exactly the header's functions, that its ABI is the one described in
//! `ffi/abi/` (or that the version was bumped as the change requires), and they build the C
//! examples against the installed copy three ways: pkg-config with the shared library, found at
//! run time by its soname in the prefix's lib directory alone; pkg-config with the archive (and
//! fully static); and CMake's `find_package(callboard CONFIG)`. Each program runs and prints
//! what `examples/c/wallboard.expected` says.
//!
//! Needs cargo-c (`cargo install cargo-c --version 0.10.24 --locked --root target/tools`, as the
//! test command does), pkg-config, CMake, and abigail-tools' abidw and abidiff.

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// Where the library is installed, as a distribution or a vendor's build would choose it.
const PREFIX: &str = "/opt/callboard";

/// The library's version, and the soname that carries its ABI: `libcallboard.so.MAJOR`, or
/// before 1.0 `libcallboard.so.0.MINOR`, since there each minor version may break the ABI.
const VERSION: &str = env!("CARGO_PKG_VERSION");

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn workspace_dir() -> PathBuf {
    crate_dir().parent().expect("the workspace").to_path_buf()
}

fn soname(version: &str) -> String {
    let mut parts = version.split('.');
    let major = parts.next().expect("a major version");
    let minor = parts.next().expect("a minor version");
    if major == "0" {
        format!("libcallboard.so.0.{minor}")
    } else {
        format!("libcallboard.so.{major}")
    }
}

/// A search path with cargo-c's own folder (`target/tools/bin`, where the test command installs
/// it) in front of the caller's.
fn path_with_tools() -> OsString {
    let tools = workspace_dir().join("target/tools/bin");
    let mut paths = vec![tools];
    paths.extend(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()));
    std::env::join_paths(paths).expect("a PATH")
}

fn output(command: &mut Command) -> Output {
    let shown = format!("{command:?}");
    let output = command.output().unwrap_or_else(|e| panic!("cannot run {shown}: {e}"));
    assert!(
        output.status.success(),
        "{shown} failed ({}):\n{}{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn stdout(command: &mut Command) -> String {
    String::from_utf8(output(command).stdout).expect("UTF-8 output")
}

/// The staged installation: `DESTDIR` and the prefix's lib directory inside it.
struct Installed {
    destdir: PathBuf,
    libdir: PathBuf,
}

impl Installed {
    fn prefix(&self) -> PathBuf {
        self.destdir.join(PREFIX.trim_start_matches('/'))
    }

    fn shared_object(&self) -> PathBuf {
        self.libdir.join(format!("libcallboard.so.{VERSION}"))
    }

    /// pkg-config reading the staged prefix: `PKG_CONFIG_SYSROOT_DIR` puts `DESTDIR` in front of
    /// the paths the installed `callboard.pc` names, as for any staged or cross installation.
    fn pkg_config(&self, args: &[&str]) -> Vec<String> {
        let text = stdout(
            Command::new("pkg-config")
                .args(args)
                .arg("callboard")
                .env("PKG_CONFIG_PATH", self.libdir.join("pkgconfig"))
                .env("PKG_CONFIG_SYSROOT_DIR", &self.destdir)
                .env_remove("PKG_CONFIG_LIBDIR"),
        );
        text.split_whitespace().map(str::to_owned).collect()
    }
}

/// Installs once for all the tests here, with debugging information so that abidw can describe
/// the types (the code and the layouts are those of the plain release build).
fn installed() -> &'static Installed {
    static INSTALLED: OnceLock<Installed> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        let path = path_with_tools();
        let found = Command::new("cargo-cinstall").arg("--version").env("PATH", &path).output();
        assert!(
            found.is_ok_and(|o| o.status.success()),
            "cargo-c is not installed: `cargo install cargo-c --version 0.10.24 --locked --root \
             target/tools` (the test command does this)"
        );
        let destdir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("install");
        if destdir.exists() {
            std::fs::remove_dir_all(&destdir).expect("clear the last installation");
        }
        output(
            Command::new(env!("CARGO"))
                .args(["cinstall", "--locked", "--release", "-p", "callboard-ffi"])
                .args(["--prefix", PREFIX, "--destdir"])
                .arg(&destdir)
                .current_dir(workspace_dir())
                .env("PATH", &path)
                .env("CARGO_PROFILE_RELEASE_DEBUG", "true"),
        );
        let archive = find(&destdir, "libcallboard.a").expect("libcallboard.a installed");
        let libdir = archive.parent().expect("its folder").to_path_buf();
        Installed { destdir, libdir }
    })
}

fn find(dir: &Path, name: &str) -> Option<PathBuf> {
    for entry in std::fs::read_dir(dir).ok()? {
        let path = entry.ok()?.path();
        if path.file_name().is_some_and(|n| n == name) {
            return Some(path);
        }
        if path.is_dir() && !path.is_symlink() {
            if let Some(found) = find(&path, name) {
                return Some(found);
            }
        }
    }
    None
}

#[test]
fn the_prefix_holds_what_a_c_library_installs() {
    let installed = installed();
    let prefix = installed.prefix();
    let libdir = &installed.libdir;
    assert!(libdir.starts_with(prefix.join("lib")), "{}", libdir.display());

    let header = std::fs::read(prefix.join("include/callboard.h")).expect("the header");
    assert_eq!(header, std::fs::read(workspace_dir().join("include/callboard.h")).unwrap());

    let real = installed.shared_object();
    assert!(real.is_file() && !real.is_symlink(), "{} missing", real.display());
    let real_name = real.file_name().unwrap();
    for link in [soname(VERSION), "libcallboard.so".to_owned()] {
        let target =
            std::fs::read_link(libdir.join(&link)).unwrap_or_else(|e| panic!("{link}: {e}"));
        assert_eq!(target.as_os_str(), real_name, "{link}");
    }
    let dynamic = stdout(Command::new("readelf").arg("-d").arg(&real));
    assert!(
        dynamic.contains(&format!("Library soname: [{}]", soname(VERSION))),
        "no soname {}:\n{dynamic}",
        soname(VERSION)
    );

    let pc = std::fs::read_to_string(libdir.join("pkgconfig/callboard.pc")).expect("callboard.pc");
    assert!(pc.lines().any(|l| l == format!("prefix={PREFIX}")), "{pc}");
    assert!(pc.lines().any(|l| l == format!("Version: {VERSION}")), "{pc}");

    for file in ["callboardConfig.cmake", "callboardConfigVersion.cmake"] {
        assert!(prefix.join("share/cmake/callboard").join(file).is_file(), "{file} missing");
    }
}

/// `nm -D` shows the functions `include/callboard.h` declares, each one, and nothing else:
/// rustc's version script for the cdylib exports the crate's `#[no_mangle]` functions, and this
/// test is what keeps that list equal to the header's.
#[test]
fn the_library_exports_the_header_functions_and_nothing_else() {
    let symbols = stdout(
        Command::new("nm")
            .args(["-D", "--defined-only", "--format=posix"])
            .arg(installed().shared_object()),
    );
    let exported: BTreeSet<String> =
        symbols.lines().filter_map(|l| l.split_whitespace().next()).map(str::to_owned).collect();
    let foreign: Vec<_> = exported.iter().filter(|s| !s.starts_with("cb_")).collect();
    assert!(foreign.is_empty(), "symbols outside cb_ exported: {foreign:?}");

    let header = std::fs::read_to_string(workspace_dir().join("include/callboard.h")).unwrap();
    let declared: BTreeSet<String> = header
        .lines()
        .filter(|l| l.starts_with(|c: char| c.is_ascii_alphabetic()) && !l.starts_with("typedef"))
        .filter_map(|l| {
            let name_end = l.find('(')?;
            let name = l[..name_end].rsplit([' ', '*']).next()?;
            name.starts_with("cb_").then(|| name.to_owned())
        })
        .collect();
    assert!(declared.len() > 40, "the header parsed to {declared:?}");
    assert_eq!(exported, declared, "exported symbols and the header's functions differ");
}

/// Builds a C program with `cc`, `-Wall -Wextra -Werror`, from the given arguments.
fn cc(name: &str, args: &[String]) -> PathBuf {
    let binary = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("installed-{name}"));
    output(
        Command::new("cc")
            .args(["-std=c99", "-Wall", "-Wextra", "-Werror"])
            .arg(workspace_dir().join("examples/c/wallboard.c"))
            .args(args)
            .arg("-o")
            .arg(&binary),
    );
    binary
}

/// Runs a program with no `LD_LIBRARY_PATH` but the given one and checks it prints the
/// wallboard example's pinned output.
fn runs_as_the_example(binary: &Path, library_path: Option<&Path>) {
    let mut command = Command::new(binary);
    command.env_remove("LD_LIBRARY_PATH").env_remove("LD_PRELOAD");
    if let Some(path) = library_path {
        command.env("LD_LIBRARY_PATH", path);
    }
    let printed = stdout(&mut command);
    let expected = std::fs::read_to_string(workspace_dir().join("examples/c/wallboard.expected"));
    assert_eq!(printed, expected.unwrap(), "{} printed something else", binary.display());
}

fn needed(binary: &Path) -> Vec<String> {
    stdout(Command::new("readelf").arg("-d").arg(binary))
        .lines()
        .filter(|l| l.contains("(NEEDED)"))
        .filter_map(|l| Some(l.split_once('[')?.1.trim_end_matches(']').to_owned()))
        .collect()
}

/// `cc app.c $(pkg-config --cflags --libs callboard)`: linked to the shared library, which the
/// loader finds by its soname with nothing but the prefix's lib directory on its path.
#[test]
fn pkg_config_links_the_shared_library_found_by_its_soname() {
    let installed = installed();
    let mut args = installed.pkg_config(&["--cflags"]);
    args.extend(installed.pkg_config(&["--libs"]));
    let binary = cc("shared", &args);
    assert!(needed(&binary).contains(&soname(VERSION)), "{:?}", needed(&binary));

    let resolved = stdout(
        Command::new("ldd")
            .arg(&binary)
            .env_remove("LD_LIBRARY_PATH")
            .env("LD_LIBRARY_PATH", &installed.libdir),
    );
    let line = resolved.lines().find(|l| l.contains("libcallboard")).expect("libcallboard loaded");
    assert!(line.contains(&installed.libdir.join(soname(VERSION)).display().to_string()), "{line}");
    runs_as_the_example(&binary, Some(&installed.libdir));
}

/// The archive through pkg-config. With both libraries in one directory `-lcallboard` is the
/// shared one (the linker's rule, not pkg-config's), so the documented line names the archive
/// (`-l:libcallboard.a`); a fully static program (`-static`) also takes the unwinder from
/// libgcc_eh, since libgcc_s (in Libs.private, from rustc) exists only as a shared library.
#[test]
fn pkg_config_links_the_archive_and_a_fully_static_program() {
    let installed = installed();
    let libs = installed.pkg_config(&["--libs", "--static"]);
    assert!(
        libs.contains(&"-lcallboard".to_owned()) && libs.contains(&"-lgcc_s".to_owned()),
        "{libs:?}"
    );
    let archive = |libs: &[String], fully: bool| -> Vec<String> {
        let mut args = installed.pkg_config(&["--cflags"]);
        args.extend(libs.iter().map(|l| match l.as_str() {
            "-lcallboard" => "-l:libcallboard.a".to_owned(),
            "-lgcc_s" if fully => "-lgcc_eh".to_owned(),
            _ => l.clone(),
        }));
        if fully {
            args.push("-static".to_owned());
        }
        args
    };

    let binary = cc("static", &archive(&libs, false));
    assert!(!needed(&binary).iter().any(|n| n.contains("callboard")), "{:?}", needed(&binary));
    runs_as_the_example(&binary, None);

    let binary = cc("fully-static", &archive(&libs, true));
    assert!(needed(&binary).is_empty(), "a -static program needs {:?}", needed(&binary));
    runs_as_the_example(&binary, None);
}

fn cmake_configure(source: &Path, build: &Path, extra: &[&str]) -> Output {
    if build.exists() {
        std::fs::remove_dir_all(build).expect("clear the build folder");
    }
    Command::new("cmake")
        .arg("-S")
        .arg(source)
        .arg("-B")
        .arg(build)
        .arg(format!("-DCMAKE_PREFIX_PATH={}", installed().prefix().display()))
        .args(extra)
        .output()
        .expect("run cmake")
}

/// `examples/c/CMakeLists.txt`: `find_package(callboard 0.4 CONFIG REQUIRED)` and the imported
/// targets, shared (by its soname, as CMake records it) and static; and the version rule a
/// request follows.
#[test]
fn cmake_finds_the_package_and_links_both_libraries() {
    let installed = installed();
    let build = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cmake-examples");
    let configured = cmake_configure(&workspace_dir().join("examples/c"), &build, &[]);
    assert!(configured.status.success(), "{}", String::from_utf8_lossy(&configured.stderr));
    output(Command::new("cmake").arg("--build").arg(&build));

    let shared = build.join("wallboard");
    assert!(needed(&shared).contains(&soname(VERSION)), "{:?}", needed(&shared));
    runs_as_the_example(&shared, Some(&installed.libdir));
    let archive = build.join("wallboard_static");
    assert!(!needed(&archive).iter().any(|n| n.contains("callboard")), "{:?}", needed(&archive));
    runs_as_the_example(&archive, None);
    assert!(build.join("board_feed").is_file());

    // callboard_USE_STATIC_LIBS makes callboard::callboard the archive.
    let configured = cmake_configure(
        &workspace_dir().join("examples/c"),
        &build,
        &["-Dcallboard_USE_STATIC_LIBS=ON"],
    );
    assert!(configured.status.success(), "{}", String::from_utf8_lossy(&configured.stderr));
    output(Command::new("cmake").arg("--build").arg(&build).args(["--target", "wallboard"]));
    assert!(!needed(&shared).iter().any(|n| n.contains("callboard")), "{:?}", needed(&shared));
    runs_as_the_example(&shared, None);

    // Which requests this version serves: its own minor version up to itself before 1.0, its
    // own major version up to itself from 1.0.
    let (major, minor, patch) = parse(VERSION);
    let project = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cmake-version");
    std::fs::create_dir_all(&project).unwrap();
    let mut cases = vec![
        (format!("{major}.{minor}"), true),
        (format!("{major}.{minor}.{patch}"), true),
        (format!("{major}.{minor}.{}", patch + 1), false),
        (format!("{major}.{}", minor + 1), false),
        (format!("{}.0", major + 1), false),
    ];
    if minor > 0 {
        cases.push((format!("{major}.{}", minor - 1), major > 0));
    }
    for (request, served) in cases {
        std::fs::write(
            project.join("CMakeLists.txt"),
            format!(
                "cmake_minimum_required(VERSION 3.16)\nproject(probe LANGUAGES C)\n\
                 find_package(callboard {request} CONFIG REQUIRED)\n\
                 message(STATUS \"found libcallboard ${{callboard_VERSION}}\")\n"
            ),
        )
        .unwrap();
        let configured = cmake_configure(&project, &project.join("build"), &[]);
        let said = String::from_utf8_lossy(&configured.stdout);
        assert_eq!(configured.status.success(), served, "request {request}:\n{said}");
        if served {
            assert!(said.contains(&format!("found libcallboard {VERSION}")), "{said}");
        }
    }
}

fn parse(version: &str) -> (u64, u64, u64) {
    let parts: Vec<u64> = version.split('.').map(|p| p.parse().expect("a number")).collect();
    (parts[0], parts[1], parts[2])
}

/// The committed description of the ABI: `ffi/abi/libcallboard-VERSION.abi`, abidw's dump of
/// the shared object. There is exactly one.
fn committed_dump() -> (PathBuf, String) {
    let dumps: Vec<(PathBuf, String)> = std::fs::read_dir(crate_dir().join("abi"))
        .expect("ffi/abi")
        .filter_map(|e| {
            let path = e.ok()?.path();
            let name = path.file_name()?.to_str()?;
            let version = name.strip_prefix("libcallboard-")?.strip_suffix(".abi")?.to_owned();
            Some((path, version))
        })
        .collect();
    assert_eq!(dumps.len(), 1, "ffi/abi must hold one libcallboard-VERSION.abi: {dumps:?}");
    dumps.into_iter().next().unwrap()
}

fn abidiff(old: &Path, new: &Path, added_too: bool) -> (i32, String) {
    let mut command = Command::new("abidiff");
    command.arg("--suppressions").arg(crate_dir().join("abi/opaque.suppr"));
    if !added_too {
        command.arg("--no-added-syms");
    }
    let result = command.arg(old).arg(new).output().expect("run abidiff (abigail-tools)");
    let code = result.status.code().expect("abidiff ended");
    assert_eq!(
        code & 3,
        0,
        "abidiff could not compare:\n{}",
        String::from_utf8_lossy(&result.stderr)
    );
    (code, String::from_utf8_lossy(&result.stdout).into_owned())
}

/// The built library against the committed ABI. With the version unchanged nothing may differ
/// (abidiff finds no change). A change needs a newer version first, and the dump updated on
/// purpose (`CALLBOARD_UPDATE_ABI=1 cargo test -p callboard-ffi --test install`), which this
/// test does only when the version fits the change: new functions need a newer version; a
/// change or removal needs a new soname (a new major version, or before 1.0 a new minor one).
/// The version must also have its section in `ffi/CHANGELOG.md`.
#[test]
fn the_abi_is_the_committed_one_or_the_version_says_how_it_changed() {
    let built_dump = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("built.abi");
    output(
        Command::new("abidw")
            .args(["--no-corpus-path", "--no-comp-dir-path", "--no-show-locs"])
            .args(["--type-id-style", "hash", "--out-file"])
            .arg(&built_dump)
            .arg(installed().shared_object()),
    );
    let (dump, dumped_version) = committed_dump();
    let (all, report) = abidiff(&dump, &built_dump, true);
    let changelog =
        std::fs::read_to_string(crate_dir().join("CHANGELOG.md")).expect("ffi/CHANGELOG.md");
    assert!(
        changelog
            .lines()
            .any(|l| l.starts_with(&format!("## {VERSION} ")) || l == format!("## {VERSION}")),
        "ffi/CHANGELOG.md has no section for {VERSION}"
    );
    let update = std::env::var_os("CALLBOARD_UPDATE_ABI").is_some();
    if dumped_version == VERSION {
        assert_eq!(
            all,
            0,
            "libcallboard's ABI changed but its version ({VERSION}) did not. New functions need \
             a newer version; a changed or removed function or type needs a new soname (before \
             1.0 a new minor version, as 0.{}.0). Bump ffi/Cargo.toml, say what changed in \
             ffi/CHANGELOG.md, then update the dump with CALLBOARD_UPDATE_ABI=1.\n{report}",
            parse(VERSION).1 + 1
        );
        return;
    }
    assert!(
        parse(VERSION) > parse(&dumped_version),
        "{VERSION} is older than the dump's {dumped_version}"
    );
    let (breaking, report) = abidiff(&dump, &built_dump, false);
    assert!(
        breaking == 0 || soname(VERSION) != soname(&dumped_version),
        "{VERSION} keeps the soname {} but breaks the ABI of {dumped_version}: it needs a new \
         soname (before 1.0 a new minor version).\n{report}",
        soname(VERSION)
    );
    assert!(
        update,
        "the version is {VERSION} and the committed ABI is {dumped_version}'s: update it with \
         CALLBOARD_UPDATE_ABI=1 cargo test -p callboard-ffi --test install"
    );
    std::fs::copy(&built_dump, crate_dir().join(format!("abi/libcallboard-{VERSION}.abi")))
        .expect("write the new dump");
    std::fs::remove_file(&dump).expect("remove the old dump");
}
