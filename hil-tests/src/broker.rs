//! A real MQTT broker for the fleet tests: Debian's `mosquitto` (installed by `scripts/test`),
//! on a loopback port, users and passwords required, killed when dropped. It can be killed and
//! started again on the same port, as a broker that goes away and comes back.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What an observer heard: the newest payload of each topic.
pub type Heard = Arc<Mutex<HashMap<String, Vec<u8>>>>;

/// The user the sites and gateways connect as, and its password.
pub const USER: &str = "fleet";
/// Its password.
pub const PASSWORD: &str = "third-ring-311";

/// A broker, running or stopped.
#[derive(Debug)]
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
    ///
    /// # Panics
    /// When mosquitto is not installed or does not start.
    #[must_use]
    pub fn start(dir: &Path) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free loopback port")
            .port();
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
    ///
    /// # Panics
    /// When it does not start.
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

impl Mosquitto {
    /// An observer of everything under `callboard/#`, retained messages included, as the
    /// fleet's view would subscribe. Its subscription does not outlive the broker: after a
    /// [`Mosquitto::resume`], observe again.
    ///
    /// # Panics
    /// When the subscription cannot be queued.
    #[must_use]
    pub fn observe(&self, name: &str) -> Heard {
        let heard: Heard = Arc::new(Mutex::new(HashMap::new()));
        let mut options = rumqttc::MqttOptions::new(name, "127.0.0.1", self.port);
        options.set_credentials(USER, PASSWORD);
        options.set_keep_alive(Duration::from_secs(5));
        let (client, mut connection) = rumqttc::Client::new(options, 64);
        client.subscribe("callboard/#", rumqttc::QoS::AtLeastOnce).expect("subscribe");
        let kept = Arc::clone(&heard);
        std::thread::spawn(move || {
            let _client = client;
            for event in connection.iter() {
                match event {
                    Ok(rumqttc::Event::Incoming(rumqttc::Packet::Publish(p))) => {
                        kept.lock()
                            .unwrap_or_else(std::sync::PoisonError::into_inner)
                            .insert(p.topic, p.payload.to_vec());
                    }
                    Ok(_) => {}
                    Err(_) => std::thread::sleep(Duration::from_millis(200)),
                }
            }
        });
        heard
    }
}

impl Drop for Mosquitto {
    fn drop(&mut self) {
        self.kill();
    }
}
