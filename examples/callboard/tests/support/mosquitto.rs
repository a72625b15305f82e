//! A real MQTT broker for a test: Debian's `mosquitto` (installed by `scripts/test`), on a
//! loopback port, users and passwords required, killed when dropped. It can be killed and
//! started again on the same port, as a broker that goes away and comes back.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The user the sites and gateways connect as, and its password.
pub const USER: &str = "fleet";
/// Its password.
pub const PASSWORD: &str = "third-ring-311";

/// A broker, running or stopped.
pub struct Mosquitto {
    /// Its port on 127.0.0.1.
    pub port: u16,
    dir: PathBuf,
    child: Option<Child>,
}

fn binary() -> PathBuf {
    ["/usr/sbin/mosquitto", "/usr/bin/mosquitto"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
        .unwrap_or_else(|| {
            panic!(
                "mosquitto is not installed: run scripts/test, which installs Debian's mosquitto"
            )
        })
}

impl Mosquitto {
    /// Starts a broker in `dir` on a free port.
    pub fn start(dir: &Path) -> Self {
        let port = super::serve::free_port();
        let passwords = dir.join("passwd");
        let made = Command::new("mosquitto_passwd")
            .args(["-b", "-c"])
            .arg(&passwords)
            .args([USER, PASSWORD])
            .status()
            .expect("run mosquitto_passwd");
        assert!(made.success(), "mosquitto_passwd failed");
        let conf = dir.join("mosquitto.conf");
        std::fs::write(
            &conf,
            format!(
                "listener {port} 127.0.0.1\nallow_anonymous false\npassword_file {}\n\
                 persistence false\nuser root\nlog_dest file {}\n",
                passwords.display(),
                dir.join("mosquitto.log").display()
            ),
        )
        .expect("write mosquitto.conf");
        let mut broker = Self { port, dir: dir.to_owned(), child: None };
        broker.resume();
        broker
    }

    /// Starts it again on its port (after [`Mosquitto::kill`]).
    pub fn resume(&mut self) {
        let child = Command::new(binary())
            .arg("-c")
            .arg(self.dir.join("mosquitto.conf"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start mosquitto");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(Instant::now() < deadline, "mosquitto never listened on {}", self.port);
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Kills it outright, as a crash or a lost machine does.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// `[mqtt]` lines for a client named `name` (keep-alive 2 s, so that a lost client's will
    /// comes within 3 s).
    pub fn section(&self, name: &str) -> String {
        let password = self.dir.join(format!("{name}.password"));
        std::fs::write(&password, format!("{PASSWORD}\n")).expect("write a password file");
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&password, std::fs::Permissions::from_mode(0o600))
                .expect("chmod 600");
        }
        format!(
            "[mqtt]\nbroker = \"127.0.0.1:{}\"\nname = \"{name}\"\nusername = \"{USER}\"\n\
             password_file = \"{}\"\nkeep_alive_seconds = 2\n",
            self.port,
            password.display()
        )
    }
}

impl Drop for Mosquitto {
    fn drop(&mut self) {
        self.kill();
    }
}
