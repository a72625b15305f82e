//! `callboard serve` run as an operator runs it: a scratch directory, the service started on
//! a site file, its `figures.json` waited for, SIGTERM to stop it.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// A new, empty directory for one test.
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("callboard-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch directory");
    dir
}

/// `callboard serve --config CONFIG`, its output captured.
pub fn start(config: &Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_callboard"))
        .args(["serve", "--config", config.to_str().expect("a UTF-8 path")])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start callboard serve")
}

/// The service's `figures.json` in `state`, once it says `ready` (waited for up to 90 s).
pub fn wait_for(state: &Path, what: &str, ready: impl Fn(&Value) -> bool) -> Value {
    let read = || {
        std::fs::read(state.join("figures.json"))
            .ok()
            .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
    };
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        if let Some(figures) = read().filter(|f| ready(f)) {
            return figures;
        }
        assert!(Instant::now() < deadline, "the service never reached {what}: {:?}", read());
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Stops the service with SIGTERM, as systemd does, and waits for it.
pub fn stop(child: Child) -> Output {
    let term = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
    assert!(term.is_ok_and(|s| s.success()), "kill -TERM");
    child.wait_with_output().expect("wait for callboard serve")
}
