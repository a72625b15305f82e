//! # callboard hardware-in-the-loop harness
//!
//! Tests the reader-board firmware as hardware: it builds the real firmware image
//! (`firmware/images/an386`), starts it on an emulated Cortex-M4 board (QEMU `mps2-an386`,
//! always under a time limit), and talks to it through its emulated UART exactly as a host talks
//! to a board on the floor — the wire protocol of `PROTOCOL.md`, nothing else. What the board
//! shows is checked by asking it (`WhatAreYouShowing`) and comparing its framebuffer's CRC with
//! the host renderer's picture of the same frame at the same instant.
//!
//! With `CALLBOARD_HIL_SERIAL=/dev/ttyUSB0` (optionally `@BAUD`), the scenarios run against a
//! real board on that serial port instead (see `hil-tests/README.md`); the ones that need to
//! reset the board or read its RAM say so and are skipped.

pub mod broker;

use std::collections::HashMap;
use std::io::{ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use callboard_core::board::BoardFrame;
use callboard_core::wire::{
    BoardMessage, BoardSettings, Decoded, FrameDecoder, Header, HostMessage, Key, MAX_FRAME_BYTES,
    encode,
};
use callboard_render::panel::{Hub75Rgb64x32, Panel, framebuffer_crc};
use callboard_render::render::{Scene, render, render_boot};

/// The emulated board's address (its image is built without `CALLBOARD_BOARD_ADDRESS`).
pub const ADDRESS: u8 = 1;

/// The longest any one emulator may run before it is killed, whatever the test is doing.
pub const EMULATOR_TIME_LIMIT: Duration = Duration::from_secs(300);

/// How long a board may take to answer a request. A board answers within milliseconds; an
/// emulated one just started, on a host busy compiling beside it, was seen here to take over
/// 5 s for its first answer.
pub const ANSWER_TIME: Duration = Duration::from_secs(10);

/// The repository's root.
#[must_use]
pub fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("hil-tests is in the repository").into()
}

/// The firmware workspace.
#[must_use]
pub fn firmware_workspace() -> PathBuf {
    repository().join("firmware").join("images")
}

/// A firmware image: a package of the firmware workspace with some features.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ImageSpec {
    /// The package.
    pub package: &'static str,
    /// The binary.
    pub binary: &'static str,
    /// Features, comma-separated ("" for none).
    pub features: &'static str,
    /// The key it is built with (`CALLBOARD_BOARD_KEY`, 64 hex digits; "" for none): with one,
    /// the board requires authenticated frames.
    pub key: &'static str,
}

/// The emulated reader board, as shipped.
pub const EMULATED_BOARD: ImageSpec =
    ImageSpec { package: "callboard-an386", binary: "callboard-an386", features: "", key: "" };
/// The emulated board with its watchdog drill.
pub const WATCHDOG_DRILL: ImageSpec = ImageSpec { features: "watchdog-drill", ..EMULATED_BOARD };
/// The emulated board built with [`TEST_KEY`]: it requires authenticated frames.
pub const AUTHENTICATED_BOARD: ImageSpec = ImageSpec { key: TEST_KEY, ..EMULATED_BOARD };
/// The key the suite builds [`AUTHENTICATED_BOARD`] with (a test key, known to everyone: never
/// a real board's).
pub const TEST_KEY: &str = "c0ffee0ddba11c0de5eedcafe7e57ab1e5eaf00d0b5e55ed0ff1ce5a1adba5e0";
/// The real board's image (STM32F401 "Black Pill" + HUB75 64 × 32).
pub const BLACKPILL_HUB75: ImageSpec = ImageSpec {
    package: "callboard-blackpill-hub75",
    binary: "callboard-blackpill-hub75",
    features: "",
    key: "",
};
/// The emulated board's cost meter (`firmware/images/an386/src/bin/cost.rs`).
pub const COST_METER: ImageSpec = ImageSpec { binary: "cost", ..EMULATED_BOARD };

static BUILT: Mutex<Option<HashMap<ImageSpec, PathBuf>>> = Mutex::new(None);

/// Builds an image (once per test run) and returns its ELF file, copied under
/// `target/hil/` so that variants of one package do not overwrite each other.
///
/// # Errors
/// Cargo's own message when the firmware does not build.
pub fn build(spec: ImageSpec) -> Result<PathBuf, String> {
    let mut built = BUILT.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(elf) = built.get_or_insert_with(HashMap::new).get(&spec) {
        return Ok(elf.clone());
    }
    let workspace = firmware_workspace();
    let mut cargo = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cargo.current_dir(&workspace).args(["build", "--release", "--locked", "-p", spec.package]);
    cargo.args(["--bin", spec.binary]);
    if !spec.features.is_empty() {
        cargo.args(["--features", spec.features]);
    }
    // The key is read at build time; an image without one must not pick up the test run's.
    if spec.key.is_empty() {
        cargo.env_remove("CALLBOARD_BOARD_KEY");
    } else {
        cargo.env("CALLBOARD_BOARD_KEY", spec.key);
    }
    // The firmware workspace has its own target and flags (.cargo/config.toml); the test run's
    // must not leak into it.
    for variable in
        ["CARGO_TARGET_DIR", "CARGO_BUILD_TARGET", "RUSTFLAGS", "CARGO_ENCODED_RUSTFLAGS"]
    {
        cargo.env_remove(variable);
    }
    let output = cargo.output().map_err(|e| format!("cannot run cargo: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "building {} failed:\n{}",
            spec.package,
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let elf = workspace.join("target/thumbv7em-none-eabihf/release").join(spec.binary);
    let dir = repository().join("target").join("hil");
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    // The binary, then each feature and the key's mark: variants do not overwrite each other.
    let mut name = spec.binary.to_owned();
    for part in spec.features.split(',').filter(|f| !f.is_empty()) {
        name = format!("{name}+{part}");
    }
    if !spec.key.is_empty() {
        name.push_str("+key");
    }
    name.push_str(".elf");
    let copy = dir.join(name);
    std::fs::copy(&elf, &copy).map_err(|e| format!("cannot copy {}: {e}", elf.display()))?;
    built.get_or_insert_with(HashMap::new).insert(spec, copy.clone());
    Ok(copy)
}

/// A new scratch directory `target/hil/NAME-PID` and, in it, a simulated 311 day (New York,
/// 2026-11-23) as `callboard demo` writes it: the directory and the day's `queue_log`.
///
/// # Panics
/// When the demo fails.
#[must_use]
pub fn demo_day(callboard: &Path, name: &str) -> (PathBuf, String) {
    let dir = repository().join("target/hil").join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    let demo = Command::new(callboard)
        .args(["demo", "--no-live", "--out"])
        .arg(dir.join("demo"))
        .output()
        .expect("run callboard demo");
    assert!(demo.status.success(), "{}", String::from_utf8_lossy(&demo.stderr));
    let day = std::fs::read_to_string(dir.join("demo/queue_log")).expect("the demo's queue_log");
    (dir, day)
}

/// A host artifact of this workspace (`libcallboard.a`, the `callboard` program), built now in
/// the profile this test runs in (a copy left from an earlier build could be stale) and found in
/// that profile's folder: `cargo build --quiet -p PACKAGE ARGS`, then `target/<profile>/FILE`.
///
/// # Errors
/// Cargo's own message when it does not build.
pub fn host_artifact(package: &str, args: &[&str], file: &str) -> Result<PathBuf, String> {
    let exe = std::env::current_exe().map_err(|e| format!("no test path: {e}"))?;
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .ok_or("the test is not in target/<profile>/deps")?
        .to_path_buf();
    let mut cargo = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cargo.current_dir(repository()).args(["build", "--quiet", "--locked", "-p", package]);
    cargo.args(args);
    if profile_dir.file_name().is_some_and(|name| name == "release") {
        cargo.arg("--release");
    }
    let output = cargo.output().map_err(|e| format!("cannot run cargo: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "building {package} failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let artifact = profile_dir.join(file);
    if artifact.exists() { Ok(artifact) } else { Err(format!("{} not built", artifact.display())) }
}

static C_BUILT: Mutex<Option<HashMap<String, PathBuf>>> = Mutex::new(None);

/// A C program of `examples/c/` built as its comment says: `include/callboard.h`, the static
/// `libcallboard.a` and the system libraries the comment names, nothing else.
///
/// Built once per test run, under a lock: two tests of one run asking for the same program
/// must not have the linker writing the file while the other executes it ("text file busy").
/// The linker writes a file of its own, renamed into place when whole.
///
/// # Errors
/// When the library or the program does not build.
pub fn c_example(name: &str) -> Result<PathBuf, String> {
    let mut built = C_BUILT.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(binary) = built.get_or_insert_with(HashMap::new).get(name) {
        return Ok(binary.clone());
    }
    let library = host_artifact("callboard-ffi", &["--lib"], "libcallboard.a")?;
    // What Rust's standard library needs on Linux (`--print native-static-libs`).
    let system = "-lgcc_s -lutil -lrt -lpthread -lm -ldl";
    let out = repository().join("target").join("hil");
    std::fs::create_dir_all(&out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    let binary = out.join(name);
    let partial = out.join(format!("{name}.{}.partial", std::process::id()));
    let output = Command::new("cc")
        .args(["-std=c99", "-Wall", "-Wextra", "-Werror", "-O1", "-I"])
        .arg(repository().join("include"))
        .arg(repository().join("examples/c").join(format!("{name}.c")))
        .arg(&library)
        .args(system.split_whitespace())
        .arg("-o")
        .arg(&partial)
        .output()
        .map_err(|e| format!("cannot run cc: {e}"))?;
    if !output.status.success() {
        let _ = std::fs::remove_file(&partial);
        return Err(format!("cc {name}.c failed:\n{}", String::from_utf8_lossy(&output.stderr)));
    }
    std::fs::rename(&partial, &binary)
        .map_err(|e| format!("cannot rename {}: {e}", partial.display()))?;
    built.get_or_insert_with(HashMap::new).insert(name.to_owned(), binary.clone());
    Ok(binary)
}

/// `qemu-system-arm`, or why it cannot be run.
///
/// # Errors
/// When it is not installed.
pub fn qemu() -> Result<PathBuf, String> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths).map(|d| d.join("qemu-system-arm")).find(|p| p.is_file())
    });
    found.ok_or_else(|| {
        "qemu-system-arm is not installed: ./scripts/test installs it \
         (apt-get install -y qemu-system-arm)"
            .to_owned()
    })
}

/// A board under QEMU. Killed when dropped, and in any case after [`EMULATOR_TIME_LIMIT`].
#[derive(Debug)]
pub struct Emulator {
    child: Arc<Mutex<Child>>,
    serial: u16,
    monitor: PathBuf,
    dir: PathBuf,
}

impl Emulator {
    /// Starts `elf` on an emulated MPS2-AN386. The board does not run until the first
    /// connection to its serial line ([`Emulator::connect`]), so nothing it says is missed.
    ///
    /// # Errors
    /// When QEMU is missing or does not start.
    pub fn start(elf: &Path) -> Result<Self, String> {
        Self::start_with(elf, None)
    }

    /// Starts `elf` as [`Emulator::start`] does, its non-volatile memory (the PSRAM at
    /// `0x2100_0000`, where the board counts its starts) kept in the file `memory`: what one
    /// emulator leaves there, the next one started with the same file finds. Dropping the
    /// emulator is a power cut; the file stays.
    ///
    /// # Errors
    /// As [`Emulator::start`].
    pub fn start_with_memory(elf: &Path, memory: &Path) -> Result<Self, String> {
        Self::start_with(elf, Some(memory))
    }

    fn start_with(elf: &Path, memory: Option<&Path>) -> Result<Self, String> {
        let qemu = qemu()?;
        static RUNS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let run = RUNS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = repository()
            .join("target")
            .join("hil")
            .join(format!("run-{}-{run}", std::process::id()));
        std::fs::create_dir_all(&dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let monitor = dir.join("monitor.sock");
        // A free port: bound by us, released, then taken by QEMU.
        let serial = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| format!("no free port: {e}"))?
            .port();
        let mut qemu = Command::new(qemu);
        if let Some(memory) = memory {
            // QEMU's machine RAM on the MPS2 is the 16 MiB PSRAM; backed by a shared file map,
            // it outlives the process.
            qemu.args(["-machine", "mps2-an386,memory-backend=nvm", "-object"]).arg(format!(
                "memory-backend-file,id=nvm,size=16M,share=on,mem-path={}",
                memory.display()
            ));
        } else {
            qemu.args(["-machine", "mps2-an386"]);
        }
        let child = qemu
            .args(["-cpu", "cortex-m4", "-display", "none"])
            .args(["-nodefaults", "-no-user-config", "-nic", "none"])
            .arg("-monitor")
            .arg(format!("unix:{},server=on,wait=off", monitor.display()))
            .arg("-serial")
            .arg(format!("tcp:127.0.0.1:{serial},server=on,wait=on"))
            .arg("-kernel")
            .arg(elf)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(
                std::fs::File::create(dir.join("qemu.log"))
                    .map_err(|e| format!("cannot create QEMU's log: {e}"))?,
            )
            .spawn()
            .map_err(|e| format!("cannot start QEMU: {e}"))?;
        let child = Arc::new(Mutex::new(child));
        let limit = Arc::downgrade(&child);
        std::thread::spawn(move || {
            std::thread::sleep(EMULATOR_TIME_LIMIT);
            if let Some(child) = limit.upgrade() {
                eprintln!("QEMU ran past {EMULATOR_TIME_LIMIT:?}: killed");
                let _ = child.lock().map(|mut c| c.kill());
            }
        });
        Ok(Self { child, serial, monitor, dir })
    }

    /// Plugs a cable into the board's serial line (a new TCP connection to QEMU's UART0).
    ///
    /// # Errors
    /// When QEMU does not accept within 10 s.
    pub fn connect(&self) -> Result<Link, String> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            match TcpStream::connect(("127.0.0.1", self.serial)) {
                Ok(stream) => return Link::over(Box::new(TcpLine(stream))),
                Err(e) if Instant::now() > deadline => {
                    return Err(format!("QEMU's serial port {} never opened: {e}", self.serial));
                }
                Err(_) => std::thread::sleep(Duration::from_millis(20)),
            }
        }
    }

    /// `HOST:PORT` of the board's serial line, for a host program to connect to.
    #[must_use]
    pub fn serial_address(&self) -> String {
        format!("127.0.0.1:{}", self.serial)
    }

    /// `len` bytes of the board's memory from `address`, read through QEMU's monitor.
    ///
    /// # Errors
    /// When the monitor does not answer.
    pub fn memory(&self, address: u32, len: u32) -> Result<Vec<u8>, String> {
        let file = self.dir.join(format!("memory-{address:08x}-{len}.bin"));
        let _ = std::fs::remove_file(&file);
        self.monitor(&format!("pmemsave {address:#x} {len} \"{}\"", file.display()))?;
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(bytes) = std::fs::read(&file)
                && bytes.len() == len as usize
            {
                return Ok(bytes);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Err("QEMU's monitor did not save the memory".into())
    }

    /// Runs a command of QEMU's monitor (`info registers`, ...) and returns what it printed.
    ///
    /// # Errors
    /// When the monitor cannot be reached.
    pub fn monitor(&self, command: &str) -> Result<String, String> {
        let mut monitor = UnixStream::connect(&self.monitor)
            .map_err(|e| format!("cannot reach QEMU's monitor: {e}"))?;
        monitor.set_read_timeout(Some(Duration::from_millis(300))).map_err(|e| e.to_string())?;
        writeln!(monitor, "{command}").map_err(|e| format!("monitor: {e}"))?;
        let mut printed = Vec::new();
        let mut chunk = [0_u8; 4096];
        while let Ok(n) = monitor.read(&mut chunk) {
            if n == 0 {
                break;
            }
            printed.extend_from_slice(&chunk[..n]);
        }
        Ok(String::from_utf8_lossy(&printed).into_owned())
    }

    /// Whether QEMU is still running (a board that crashed the emulator is a failure).
    #[must_use]
    pub fn running(&self) -> bool {
        self.child.lock().is_ok_and(|mut c| matches!(c.try_wait(), Ok(None)))
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        if let Ok(mut child) = self.child.lock() {
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A byte stream to a board with a read timeout.
pub trait Line: Read + Write + Send {
    /// Sets how long a read waits.
    ///
    /// # Errors
    /// The transport's.
    fn set_read_timeout(&mut self, timeout: Duration) -> std::io::Result<()>;
}

struct TcpLine(TcpStream);

impl Read for TcpLine {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.0.read(buf)
    }
}
impl Write for TcpLine {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}
impl Line for TcpLine {
    fn set_read_timeout(&mut self, timeout: Duration) -> std::io::Result<()> {
        self.0.set_read_timeout(Some(timeout))
    }
}

struct SerialLine(Box<dyn serialport::SerialPort>);

impl Read for SerialLine {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.0.read(buf)
    }
}
impl Write for SerialLine {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}
impl Line for SerialLine {
    fn set_read_timeout(&mut self, timeout: Duration) -> std::io::Result<()> {
        self.0.set_timeout(timeout).map_err(std::io::Error::other)
    }
}

/// A real board on a serial port, from `CALLBOARD_HIL_SERIAL=DEVICE[@BAUD]`, if set.
///
/// # Errors
/// When the variable is set but the port does not open.
pub fn real_board() -> Result<Option<Link>, String> {
    let Some(given) = std::env::var_os("CALLBOARD_HIL_SERIAL") else { return Ok(None) };
    let given = given.to_string_lossy().into_owned();
    let (path, baud) = match given.split_once('@') {
        Some((path, baud)) => {
            (path.to_owned(), baud.parse().map_err(|_| format!("bad baud rate in {given}"))?)
        }
        None => (given.clone(), 115_200),
    };
    let port = serialport::new(&path, baud)
        .timeout(Duration::from_millis(50))
        .open()
        .map_err(|e| format!("cannot open {path}: {e}"))?;
    Link::over(Box::new(SerialLine(port))).map(Some)
}

/// The host's end of a board's serial line: requests out, answers in.
pub struct Link {
    line: Box<dyn Line>,
    decoder: FrameDecoder<MAX_FRAME_BYTES>,
    /// Bytes read past the last answer returned, for the next one.
    unread: std::collections::VecDeque<u8>,
    next_sequence: u16,
}

impl std::fmt::Debug for Link {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Link").field("next_sequence", &self.next_sequence).finish_non_exhaustive()
    }
}

impl Link {
    fn over(mut line: Box<dyn Line>) -> Result<Self, String> {
        line.set_read_timeout(Duration::from_millis(20)).map_err(|e| e.to_string())?;
        Ok(Self {
            line,
            decoder: FrameDecoder::new(),
            unread: std::collections::VecDeque::new(),
            next_sequence: 1,
        })
    }

    /// From now on, takes only answers authenticated under `key` (protocol version 3); the
    /// headers of [`Link::next_answer_framed`] then carry the board's session.
    pub fn set_key(&mut self, key: Key) {
        self.decoder.set_key(key, callboard_core::wire::Direction::BoardToHost);
    }

    /// The bytes of `message` to `address` as the next frame, and its sequence.
    #[must_use]
    pub fn frame_bytes(&mut self, address: u8, message: &HostMessage) -> (u16, Vec<u8>) {
        let sequence = self.next_sequence;
        self.next_sequence = self.next_sequence.wrapping_add(1);
        let mut bytes = vec![0; MAX_FRAME_BYTES];
        let len = encode(address, sequence, message, &mut bytes).expect("the message fits a frame");
        bytes.truncate(len);
        (sequence, bytes)
    }

    /// Writes raw bytes to the line.
    ///
    /// # Errors
    /// The line's write error.
    pub fn send_raw(&mut self, bytes: &[u8]) -> Result<(), String> {
        self.line.write_all(bytes).and_then(|()| self.line.flush()).map_err(|e| e.to_string())
    }

    /// Sends `message` to `address`; returns its sequence.
    ///
    /// # Errors
    /// The line's write error.
    pub fn send(&mut self, address: u8, message: &HostMessage) -> Result<u16, String> {
        let (sequence, bytes) = self.frame_bytes(address, message);
        self.send_raw(&bytes)?;
        Ok(sequence)
    }

    /// The next answer the board sends within `patience`, with its sequence.
    ///
    /// # Errors
    /// Nothing within `patience`, an answer that does not decode, or a closed line.
    pub fn next_answer(&mut self, patience: Duration) -> Result<(u16, BoardMessage), String> {
        self.next_answer_framed(patience).map(|(header, message)| (header.sequence, message))
    }

    /// The next answer the board sends within `patience`, with its frame's header.
    ///
    /// # Errors
    /// Nothing within `patience`, an answer that does not decode, or a closed line.
    pub fn next_answer_framed(
        &mut self,
        patience: Duration,
    ) -> Result<(Header, BoardMessage), String> {
        let deadline = Instant::now() + patience;
        let mut chunk = [0_u8; 256];
        loop {
            while let Some(byte) = self.unread.pop_front() {
                match self.decoder.feed::<BoardMessage>(byte, |_| true) {
                    Some(Decoded::Frame(header, message)) => return Ok((header, message)),
                    Some(Decoded::Discarded(why)) => {
                        return Err(format!("the board sent a bad frame: {why:?}"));
                    }
                    None => {}
                }
            }
            if Instant::now() > deadline {
                return Err(format!("no answer within {patience:?}"));
            }
            match self.line.read(&mut chunk) {
                Ok(0) => return Err("the board's line closed".into()),
                Ok(n) => self.unread.extend(&chunk[..n]),
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
                Err(e) => return Err(format!("reading the line: {e}")),
            }
        }
    }

    /// Sends `message` to this board and returns its answer.
    ///
    /// # Errors
    /// No answer, or an answer to another request.
    pub fn ask(&mut self, message: &HostMessage) -> Result<BoardMessage, String> {
        let sequence = self.send(ADDRESS, message)?;
        let (answered, answer) = self.next_answer(ANSWER_TIME)?;
        if answered != sequence {
            return Err(format!("asked as {sequence}, answered as {answered}: {answer:?}"));
        }
        Ok(answer)
    }

    /// Fails if the board says anything within `quiet`.
    ///
    /// # Errors
    /// The answer that came.
    pub fn expect_silence(&mut self, quiet: Duration) -> Result<(), String> {
        match self.next_answer(quiet) {
            Ok(answer) => Err(format!("expected silence, heard {answer:?}")),
            Err(_) => Ok(()),
        }
    }
}

/// The CRC of the host renderer's picture on a 64 × 32 HUB75 panel: `frame` at the instant
/// `at` (the board's `shown_at`) with `settings`, the same function the board runs.
#[must_use]
pub fn host_crc(frame: Option<&BoardFrame>, at: Option<u64>, settings: &BoardSettings) -> u32 {
    let mut framebuffer = Hub75Rgb64x32::blank_framebuffer();
    let scene = Scene { frame, now: at.unwrap_or(0), settings };
    let Ok(_) = render::<Hub75Rgb64x32, _>(&scene, &mut framebuffer);
    framebuffer_crc(Hub75Rgb64x32::framebuffer_bytes(&framebuffer))
}

/// The 311 floor's frame of `examples/data/board-frame-311.json`, made current (`valid_at`) as
/// of `at`.
///
/// # Panics
/// When the sample frame is missing or does not read.
#[must_use]
pub fn floor_frame(at: u64) -> BoardFrame {
    let path = repository().join("examples/data/board-frame-311.json");
    let text = std::fs::read_to_string(&path).expect("the 311 sample frame");
    let mut frame: BoardFrame = serde_json::from_str(&text).expect("a board frame");
    frame.valid_at = at;
    frame
}

/// The CRC of the boot screen of the board at `address`.
#[must_use]
pub fn boot_crc(address: u8) -> u32 {
    let mut framebuffer = Hub75Rgb64x32::blank_framebuffer();
    let Ok(_) = render_boot::<Hub75Rgb64x32, _>(address, &mut framebuffer);
    framebuffer_crc(Hub75Rgb64x32::framebuffer_bytes(&framebuffer))
}

/// What an image takes of a part's memories.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageSize {
    /// Bytes of flash: code, constants, the vector table and the initial values of data.
    pub flash: u64,
    /// Bytes of RAM taken before the stack: data, zeroed and uninitialised statics.
    pub static_ram: u64,
    /// Where the stack ends (its lowest address) and starts (its top), from the image's
    /// `_stack_end` and `_stack_start`.
    pub stack: (u64, u64),
}

/// Reads an image's memory use from its ELF file.
///
/// # Errors
/// When the file is not an ELF image of a Cortex-M program.
pub fn image_size(elf: &Path) -> Result<ImageSize, String> {
    use object::{Object, ObjectSection, ObjectSymbol, SectionFlags, SectionKind};
    let bytes = std::fs::read(elf).map_err(|e| format!("cannot read {}: {e}", elf.display()))?;
    let file = object::File::parse(&*bytes).map_err(|e| format!("{}: {e}", elf.display()))?;
    let (mut flash, mut static_ram) = (0, 0);
    for section in file.sections() {
        let SectionFlags::Elf { sh_flags } = section.flags() else { continue };
        if sh_flags & u64::from(object::elf::SHF_ALLOC) == 0 || section.size() == 0 {
            continue;
        }
        let in_ram = section.address() >= 0x2000_0000;
        let stored = !matches!(section.kind(), SectionKind::UninitializedData);
        if in_ram {
            static_ram += section.size();
        }
        if stored {
            flash += section.size();
        }
    }
    let symbol = |name: &str| {
        file.symbols()
            .find(|s| s.name() == Ok(name))
            .map(|s| s.address())
            .ok_or_else(|| format!("{} has no {name}", elf.display()))
    };
    Ok(ImageSize { flash, static_ram, stack: (symbol("_stack_end")?, symbol("_stack_start")?) })
}

/// The bytes of the stack the board has ever used, from its painted stack (cortex-m-rt paints
/// it with `0xCCCC_CCCC` at reset): from the lowest word not still painted to the top.
///
/// # Errors
/// When the memory cannot be read.
pub fn stack_peak(emulator: &Emulator, size: &ImageSize) -> Result<u64, String> {
    let (end, start) = size.stack;
    let len = u32::try_from(start - end).map_err(|_| "stack larger than 4 GiB")?;
    let memory = emulator.memory(u32::try_from(end).map_err(|_| "stack above 4 GiB")?, len)?;
    let untouched = memory
        .chunks_exact(4)
        .take_while(|w| u32::from_le_bytes([w[0], w[1], w[2], w[3]]) == 0xCCCC_CCCC)
        .count() as u64;
    Ok(u64::from(len) - untouched * 4)
}

/// Reads the board's stack high-water mark ([`stack_peak`]), prints it with what was done to
/// reach it (`after`, for BENCHMARKS.md), and fails if the stack reached the statics.
///
/// # Panics
/// When the memory cannot be read, or the stack reached the statics.
pub fn check_stack(emulator: &Emulator, size: &ImageSize, after: &str) -> u64 {
    let peak = stack_peak(emulator, size).expect("the board's stack");
    let room = size.stack.1 - size.stack.0;
    eprintln!(
        "stack used at most {peak} bytes of {room} {after}; static RAM {} bytes",
        size.static_ram
    );
    assert!(peak < room, "the stack reached the statics");
    peak
}

/// One row of `firmware/images/budget.txt`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Budget {
    /// The image (package name).
    pub image: String,
    /// Flash allowed, bytes.
    pub flash_limit: u64,
    /// RAM allowed (statics and stack), bytes.
    pub ram_limit: u64,
    /// Flash measured when the file was last updated.
    pub flash: u64,
    /// Static RAM measured when the file was last updated.
    pub static_ram: u64,
}

/// The budget file.
#[must_use]
pub fn budget_file() -> PathBuf {
    firmware_workspace().join("budget.txt")
}

/// Reads the budget file: one image a line, `#` comments.
///
/// # Errors
/// A line that is not `image flash_limit ram_limit flash static_ram`.
pub fn read_budget() -> Result<Vec<Budget>, String> {
    let path = budget_file();
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    text.lines()
        .map(|line| line.split('#').next().unwrap_or("").trim())
        .filter(|line| !line.is_empty())
        .map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let number = |i: usize| -> Result<u64, String> {
                fields.get(i).and_then(|f| f.replace('_', "").parse().ok()).ok_or_else(|| {
                    format!(
                        "{}: expected image flash_limit ram_limit flash static_ram: {line}",
                        path.display()
                    )
                })
            };
            Ok(Budget {
                image: (*fields.first().ok_or("empty line")?).to_owned(),
                flash_limit: number(1)?,
                ram_limit: number(2)?,
                flash: number(3)?,
                static_ram: number(4)?,
            })
        })
        .collect()
}
