//! What a frame costs the board, measured on the emulated Cortex-M4 (instructions, counted by
//! QEMU's `-icount`): printed for BENCHMARKS.md, never asserted against a time.

use std::process::Command;
use std::time::Duration;

use callboard_hil_tests::{COST_METER, build, qemu};

#[test]
fn the_cost_of_a_frame_is_measured_on_the_board() {
    let elf = build(COST_METER).unwrap();
    let mut child = Command::new(qemu().unwrap())
        .args(["-machine", "mps2-an386", "-cpu", "cortex-m4", "-display", "none"])
        .args(["-nodefaults", "-no-user-config", "-nic", "none", "-icount", "shift=0"])
        .args(["-semihosting-config", "enable=on,target=native", "-kernel"])
        .arg(&elf)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("the cost meter did not finish within 120 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut printed = String::new();
    std::io::Read::read_to_string(&mut child.stdout.take().unwrap(), &mut printed).unwrap();
    eprintln!("{printed}");
    assert!(status.success(), "the cost meter exited with {status}");
    for measured in [
        "decode + acknowledge:",
        "decode + acknowledge, authenticated",
        "render",
        "scan buffer load",
        "framebuffer CRC",
    ] {
        let line = printed
            .lines()
            .find(|l| l.starts_with(measured))
            .unwrap_or_else(|| panic!("no {measured} figure in:\n{printed}"));
        let count: u64 = line
            .split_whitespace()
            .rev()
            .nth(1)
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("not a count: {line}"));
        assert!(count > 0, "{line}");
    }
    // Every frame the meter fed was accepted: the work measured is the real path.
    assert!(printed.contains("accepted: 16"), "{printed}");
    assert!(printed.contains("accepted authenticated: 16"), "{printed}");
}
