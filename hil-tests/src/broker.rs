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
    /// With TLS: the authority's PEM file the clients are given.
    tls: Option<PathBuf>,
}

/// Makes, with `openssl`, in `dir`: a certificate authority (`ca.pem`), a certificate for
/// 127.0.0.1 signed by it (`server.pem`, `server.key`) and a client certificate signed by it
/// (`client.pem`, `client.key`, mode 600); P-256 keys, valid two days.
fn make_certificates(dir: &Path) {
    let run = |args: &[&str]| {
        let out = Command::new("openssl").current_dir(dir).args(args).output().expect("openssl");
        assert!(out.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    };
    let key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
    let request = |subject: &str, name: &str| {
        let (key_file, csr) = (format!("{name}.key"), format!("{name}.csr"));
        let mut args = vec!["req", "-subj", subject, "-keyout", &key_file, "-out", &csr];
        args.extend_from_slice(&key);
        run(&args);
    };
    // Version 3 certificates (an extensions file makes them so): webpki takes no other.
    let sign = |name: &str, extensions: &str| {
        let (csr, pem) = (format!("{name}.csr"), format!("{name}.pem"));
        let mut args = vec!["x509", "-req", "-days", "2", "-in", &csr, "-out", &pem];
        args.extend_from_slice(&["-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial"]);
        args.extend_from_slice(&["-extfile", extensions]);
        run(&args);
    };
    let mut authority = vec!["req", "-x509", "-days", "2", "-subj", "/CN=callboard test authority"];
    authority.extend_from_slice(&key);
    authority.extend_from_slice(&["-keyout", "ca.key", "-out", "ca.pem"]);
    run(&authority);
    request("/CN=127.0.0.1", "server");
    std::fs::write(dir.join("server.ext"), "subjectAltName=IP:127.0.0.1\n").expect("server.ext");
    sign("server", "server.ext");
    request("/CN=callboard fleet client", "client");
    std::fs::write(dir.join("client.ext"), "extendedKeyUsage=clientAuth\n").expect("client.ext");
    sign("client", "client.ext");
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir.join("client.key"), std::fs::Permissions::from_mode(0o600))
            .expect("chmod 600 client.key");
    }
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
    /// Starts a broker in `dir` on a free port, plain TCP.
    ///
    /// # Panics
    /// When mosquitto is not installed or does not start.
    #[must_use]
    pub fn start(dir: &Path) -> Self {
        Self::start_with(dir, false)
    }

    /// Starts a broker in `dir` on a free port that speaks only TLS, with a certificate for
    /// 127.0.0.1 from an authority made for it, and requires of every client a certificate
    /// from that authority as well as its password.
    ///
    /// # Panics
    /// As [`Mosquitto::start`], and when `openssl` cannot make the certificates.
    #[must_use]
    pub fn start_tls(dir: &Path) -> Self {
        Self::start_with(dir, true)
    }

    fn start_with(dir: &Path, tls: bool) -> Self {
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
        let mut text = format!(
            "listener {port} 127.0.0.1\nallow_anonymous false\npassword_file {}\n\
             persistence false\nuser root\nlog_dest file {}\n",
            passwords.display(),
            dir.join("mosquitto.log").display()
        );
        if tls {
            make_certificates(dir);
            text += &format!(
                "cafile {}\ncertfile {}\nkeyfile {}\nrequire_certificate true\n",
                dir.join("ca.pem").display(),
                dir.join("server.pem").display(),
                dir.join("server.key").display()
            );
        }
        std::fs::write(&conf, text).expect("write mosquitto.conf");
        let mut broker =
            Self { port, dir: dir.to_owned(), child: None, tls: tls.then(|| dir.join("ca.pem")) };
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
    /// comes within 3 s; with TLS, the authority's file and the client certificate).
    pub fn section(&self, name: &str) -> String {
        let password = self.dir.join(format!("{name}.password"));
        std::fs::write(&password, format!("{PASSWORD}\n")).expect("write a password file");
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&password, std::fs::Permissions::from_mode(0o600))
                .expect("chmod 600");
        }
        let mut section = format!(
            "[mqtt]\nbroker = \"127.0.0.1:{}\"\nname = \"{name}\"\nusername = \"{USER}\"\n\
             password_file = \"{}\"\nkeep_alive_seconds = 2\n",
            self.port,
            password.display()
        );
        if let Some(ca) = &self.tls {
            section += &format!(
                "ca_file = \"{}\"\ncertificate_file = \"{}\"\nkey_file = \"{}\"\n",
                ca.display(),
                self.dir.join("client.pem").display(),
                self.dir.join("client.key").display()
            );
        }
        section
    }
}

impl Mosquitto {
    /// Publishes `payload` on `topic` (QoS 1) as a client with the fleet's credentials, and
    /// waits until the broker has it: what anyone holding a password can do.
    ///
    /// # Panics
    /// When the broker does not take it within 10 s.
    pub fn publish(&self, client: &str, topic: &str, payload: Vec<u8>, retain: bool) {
        let mut options = rumqttc::MqttOptions::new(client, "127.0.0.1", self.port);
        options.set_credentials(USER, PASSWORD);
        self.secure(&mut options);
        let (sender, mut connection) = rumqttc::Client::new(options, 8);
        sender.publish(topic, rumqttc::QoS::AtLeastOnce, retain, payload).expect("publish");
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Ok(rumqttc::Event::Incoming(rumqttc::Packet::PubAck(_)))) =
                connection.recv_timeout(Duration::from_millis(200))
            {
                let _ = sender.disconnect();
                return;
            }
        }
        panic!("the broker never took the message on {topic}");
    }

    /// With TLS, the client's transport: the authority and the client certificate.
    fn secure(&self, options: &mut rumqttc::MqttOptions) {
        if let Some(ca) = &self.tls {
            options.set_transport(rumqttc::Transport::tls_with_config(
                rumqttc::TlsConfiguration::Simple {
                    ca: std::fs::read(ca).expect("the authority's PEM"),
                    alpn: None,
                    client_auth: Some((
                        std::fs::read(self.dir.join("client.pem")).expect("client.pem"),
                        std::fs::read(self.dir.join("client.key")).expect("client.key"),
                    )),
                },
            ));
        }
    }

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
        self.secure(&mut options);
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
