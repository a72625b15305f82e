//! `callboard serve` drives a board that requires authenticated frames: the site file names the
//! board's key file; the service asks the board's session, seals every frame for it, and follows
//! the board into a new session when it restarts. The board is the firmware's own controller
//! (`callboard-board`) on a socket; a key file open to others stops `--check`.

mod support;

use std::io::Read;
use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use callboard_board::{Controller, Hub75Rgb64x32, Panel};
use callboard_core::wire::{AuthCounts, BoardMessage, Key};
use support::callboard;
use support::serve::{sample_floor, scratch, start, stop};

const KEY: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

/// What the software board saw: each frame it drew (its valid_at) and the session it was in,
/// its refusals and its decoder's counts.
#[derive(Default)]
struct Seen {
    shown: Vec<u64>,
    sessions: Vec<u32>,
    refused: AuthCounts,
    decoded: Option<callboard_core::wire::DecodeCounts>,
}

/// A board at address 1 with `KEY` on a local socket: session 1 until `restart` is set, then
/// (as a board does after a reset) session 2 with everything forgotten, on the same line.
fn software_board(
    seen: Arc<Mutex<Seen>>,
    restart: Arc<AtomicBool>,
    done: Arc<AtomicBool>,
) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap().to_string();
    std::thread::spawn(move || {
        let Ok((mut line, _)) = listener.accept() else { return };
        line.set_read_timeout(Some(Duration::from_millis(20))).unwrap();
        let started = Instant::now();
        let key = Key::from_hex(KEY).unwrap();
        let mut framebuffer = Hub75Rgb64x32::blank_framebuffer();
        let mut session = 1;
        let mut board = Controller::<Hub75Rgb64x32>::new(1, &mut framebuffer, 0);
        board.require_authentication(key.clone(), session);
        let mut chunk = [0_u8; 512];
        let mut last_shown = None;
        while !done.load(Ordering::SeqCst) {
            if restart.swap(false, Ordering::SeqCst) {
                session += 1;
                drop(board);
                board = Controller::<Hub75Rgb64x32>::new(1, &mut framebuffer, 0);
                board.require_authentication(key.clone(), session);
            }
            let n = match line.read(&mut chunk) {
                Ok(0) => return,
                Ok(n) => n,
                Err(_) => 0,
            };
            let now = started.elapsed().as_millis() as u64;
            let mut answers: Vec<u8> = Vec::new();
            for &byte in &chunk[..n] {
                board.take(byte, now, &mut answers).unwrap();
            }
            if !answers.is_empty() && std::io::Write::write_all(&mut line, &answers).is_err() {
                return;
            }
            board.refresh(now);
            // A display frame accepted is drawn: its sequence is what the board shows.
            let showing = match board.showing() {
                BoardMessage::Showing { shown_sequence, .. } => shown_sequence,
                _ => None,
            };
            if showing.is_some() && showing != last_shown {
                last_shown = showing;
                let mut seen = seen.lock().unwrap();
                seen.shown.push(board.frame().map_or(0, |f| f.valid_at));
                seen.sessions.push(session);
            }
            let mut kept = seen.lock().unwrap();
            kept.refused = *board.auth_counts();
            kept.decoded = Some(*board.counts());
        }
    });
    address
}

#[test]
fn serve_seals_for_the_boards_session_and_follows_its_restart() {
    let dir = scratch("serve-keyed");
    let log = dir.join("queue_log");
    std::fs::copy(support::sample_log(), &log).unwrap();
    let key_file = dir.join("board-1.key");
    std::fs::write(&key_file, format!("{KEY}\n")).unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let seen = Arc::new(Mutex::new(Seen::default()));
    let (restart, done) = (Arc::new(AtomicBool::new(false)), Arc::new(AtomicBool::new(false)));
    let board = software_board(Arc::clone(&seen), Arc::clone(&restart), Arc::clone(&done));
    let (config, _state) = sample_floor(
        &dir,
        &format!("queue_log = \"{}\"", log.display()),
        &board,
        &format!("key = \"{}\"", key_file.display()),
    );
    let out = callboard(&["serve", "--config", config.to_str().unwrap(), "--check"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    let service = start(&config);
    let shown =
        |session: u32| seen.lock().unwrap().sessions.iter().filter(|&&s| s == session).count();
    let deadline = Instant::now() + Duration::from_secs(60);
    while shown(1) < 3 {
        if Instant::now() > deadline {
            let out = stop(service);
            let seen = seen.lock().unwrap();
            panic!(
                "no authentic frames shown in session 1: {:?} {:?} {}",
                seen.refused,
                seen.decoded,
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    // The board restarts on the same line: the service is told the new session and goes on.
    restart.store(true, Ordering::SeqCst);
    while shown(2) < 3 {
        assert!(Instant::now() < deadline, "no authentic frames shown after the restart");
        std::thread::sleep(Duration::from_millis(50));
    }
    done.store(true, Ordering::SeqCst);
    let out = stop(service);
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("refused (OtherSession)"), "{said}");
    // Nothing the service sent was refused for want of authentication, forged or replayed.
    let refused = seen.lock().unwrap().refused;
    assert_eq!(
        (refused.unauthenticated, refused.forged, refused.replayed),
        (0, 0, 0),
        "{refused:?}"
    );
    // Frames shown in order, never an older one after a newer.
    let shown = seen.lock().unwrap().shown.clone();
    assert!(shown.windows(2).all(|w| w[0] <= w[1]), "{shown:?}");

    // A key file others can read stops the check, naming the board.
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o640)).unwrap();
    }
    let out = callboard(&["serve", "--config", config.to_str().unwrap(), "--check"]);
    assert_eq!(out.status.code(), Some(1));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("open to others") && said.contains("board"), "{said}");
}

/// A board that could not count its start (its boot log failed: session 0) takes no display;
/// `board check --key` says so and fails rather than report it healthy.
#[test]
fn board_check_says_when_a_board_could_not_count_its_start() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap().to_string();
    let board = std::thread::spawn(move || {
        let (mut line, _) = listener.accept().unwrap();
        line.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let mut framebuffer = Hub75Rgb64x32::blank_framebuffer();
        let mut board = Controller::<Hub75Rgb64x32>::new(1, &mut framebuffer, 0);
        board.require_authentication(Key::from_hex(KEY).unwrap(), 0);
        let mut chunk = [0_u8; 512];
        while let Ok(n @ 1..) = line.read(&mut chunk) {
            let mut answers: Vec<u8> = Vec::new();
            for &byte in &chunk[..n] {
                board.take(byte, 0, &mut answers).unwrap();
            }
            std::io::Write::write_all(&mut line, &answers).unwrap();
        }
    });
    let dir = scratch("session-zero");
    let key = dir.join("board-1.key");
    std::fs::write(&key, format!("{KEY}\n")).unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let key = key.to_str().unwrap();
    let out = callboard(&["board", "check", "--address", "1", "--tcp", &address, "--key", key]);
    let said = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(said.contains("could not count its start"), "{said}");
    board.join().unwrap();
}
