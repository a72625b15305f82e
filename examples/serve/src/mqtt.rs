//! The fleet's broker: `callboard serve` publishes each site's board frames and queue figures
//! to an MQTT broker, and `callboard gateway` drives the boards of a room from them (see
//! `docs/fleet.md`). The client is `rumqttc` (MQTT 3.1.1) on a thread of its own, reconnecting
//! by itself; what must be on the broker after every (re)connection (the client's `online`
//! status, its subscriptions) is sent again on each CONNACK.
//!
//! ## Topics
//!
//! | topic | payload | QoS | retained |
//! |---|---|---|---|
//! | `callboard/<site>/status` | `online`, or `offline` (the service's last will, or its goodbye) | 1 | yes |
//! | `callboard/<site>/queues/<queue>` | the queue's JSON, as `GET /api/v1/queues/<queue>` | 0 | yes |
//! | `callboard/<site>/lines/<line>/boards/<address>/frame` | the board's frame: the wire bytes of a `Display` (`PROTOCOL.md`) | 1 | yes |
//! | `callboard/<site>/lines/<line>/boards/<address>/health` | the board's health JSON, as the gateway driving it sees it | 0 | yes |
//! | `callboard/gateways/<gateway>/status` | `online` or `offline` (the gateway's last will) | 1 | yes |
//!
//! Retained, so that a gateway (or a view) that connects gets the newest of each at once. The
//! frames and statuses are QoS 1: a frame lost between the service and the broker would leave
//! a board on the one before until the next step, and a status lost would show a site up that
//! is down; duplicates are harmless (the newest frame wins, a board acknowledges a repeat). The
//! figures and health are QoS 0: each is replaced at the next step, so a lost one costs
//! nothing that a retry would save.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;
use std::time::Duration;

use rumqttc::{Client, Event, LastWill, MqttOptions, Packet, QoS};
use serde::Deserialize;

/// `[mqtt]` of a site or gateway file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BrokerFile {
    /// `HOST:PORT` of the broker (1883 when the port is left out).
    pub broker: String,
    /// This client's name in the topics: the site's (`callboard serve`) or the gateway's.
    pub name: Option<String>,
    /// The user name the broker knows this client by.
    pub username: Option<String>,
    /// A file holding the password (its first line), readable by its owner only.
    pub password_file: Option<std::path::PathBuf>,
    /// Seconds between keep-alive pings; the broker gives up on a silent client after 1.5
    /// times this, and publishes its last will.
    #[serde(default = "five")]
    pub keep_alive_seconds: u16,
    /// TLS: the PEM file of the certificate authority the broker's certificate must chain to.
    /// Without it, the connection is plain TCP.
    pub ca_file: Option<std::path::PathBuf>,
    /// TLS with a client certificate, for a broker that asks for one: its PEM file...
    pub certificate_file: Option<std::path::PathBuf>,
    /// ...and its private key's PEM file, readable by its owner only.
    pub key_file: Option<std::path::PathBuf>,
}

const fn five() -> u16 {
    5
}

/// A broker to connect to, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broker {
    /// Its host.
    pub host: String,
    /// Its port.
    pub port: u16,
    /// User name and password.
    pub credentials: Option<(String, String)>,
    /// The keep-alive interval.
    pub keep_alive: Duration,
    /// TLS, when asked for: the authority's PEM and, for a client certificate, the
    /// certificate's and the key's PEM.
    pub tls: Option<Tls>,
}

/// TLS to the broker.
#[derive(Clone, PartialEq, Eq)]
pub struct Tls {
    /// The certificate authority's PEM.
    pub ca: Vec<u8>,
    /// A client certificate's PEM and its key's PEM.
    pub client: Option<(Vec<u8>, Vec<u8>)>,
}

impl std::fmt::Debug for Tls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the key.
        f.debug_struct("Tls").field("client_certificate", &self.client.is_some()).finish()
    }
}

impl Broker {
    /// Checks `[mqtt]`, reading the password file.
    ///
    /// # Errors
    /// What is wrong, naming the key.
    pub fn from_file(file: &BrokerFile) -> Result<Self, String> {
        let (host, port) = match file.broker.rsplit_once(':') {
            Some((host, port)) if !host.contains(':') || host.starts_with('[') => (
                host.trim_start_matches('[').trim_end_matches(']').to_owned(),
                port.parse::<u16>()
                    .map_err(|_| format!("mqtt.broker: {:?}: a port is 1 to 65535", file.broker))?,
            ),
            _ => (file.broker.clone(), 1883),
        };
        if host.is_empty() || port == 0 {
            return Err(format!("mqtt.broker: {:?}: give HOST:PORT", file.broker));
        }
        if !(1..=3600).contains(&file.keep_alive_seconds) {
            return Err("mqtt.keep_alive_seconds: 1 to 3600".into());
        }
        let credentials = match (&file.username, &file.password_file) {
            (None, None) => None,
            (Some(user), Some(path)) => {
                Some((user.clone(), read_password(path).map_err(|e| format!("mqtt: {e}"))?))
            }
            _ => return Err("mqtt: give both username and password_file, or neither".into()),
        };
        let read = |what: &str, path: &std::path::Path| {
            std::fs::read(path)
                .map_err(|e| format!("mqtt.{what}: cannot read {}: {e}", path.display()))
        };
        let tls = match (&file.ca_file, &file.certificate_file, &file.key_file) {
            (None, None, None) => None,
            (Some(ca), None, None) => Some(Tls { ca: read("ca_file", ca)?, client: None }),
            (Some(ca), Some(certificate), Some(key)) => {
                refuse_open_to_others(key).map_err(|e| format!("mqtt.key_file: {e}"))?;
                Some(Tls {
                    ca: read("ca_file", ca)?,
                    client: Some((read("certificate_file", certificate)?, read("key_file", key)?)),
                })
            }
            (None, _, _) => {
                return Err(
                    "mqtt: a client certificate needs ca_file, the broker's authority".into()
                );
            }
            _ => return Err("mqtt: give both certificate_file and key_file, or neither".into()),
        };
        Ok(Self {
            host,
            port,
            credentials,
            keep_alive: Duration::from_secs(u64::from(file.keep_alive_seconds)),
            tls,
        })
    }
}

/// The password in `path`'s first line; refused when the file is open to others, as a key file
/// is.
fn read_password(path: &std::path::Path) -> Result<String, String> {
    refuse_open_to_others(path)?;
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let password = text.lines().next().unwrap_or("").to_owned();
    if password.is_empty() {
        return Err(format!("{}: the first line is the password, and it is empty", path.display()));
    }
    Ok(password)
}

/// Refuses a secret's file that the group or others may read or write.
fn refuse_open_to_others(path: &std::path::Path) -> Result<(), String> {
    use std::os::unix::fs::PermissionsExt;
    let meta =
        std::fs::metadata(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if meta.permissions().mode() & 0o077 != 0 {
        return Err(format!(
            "{} is open to others (mode {:o}): chmod 600 it",
            path.display(),
            meta.permissions().mode() & 0o777
        ));
    }
    Ok(())
}

/// Checks a name used as one level of a topic: not empty, no `/`, `+` or `#`, printable.
///
/// # Errors
/// What is wrong with it.
pub fn topic_level(what: &str, name: &str) -> Result<(), String> {
    if name.is_empty()
        || name.len() > 64
        || name.chars().any(|c| matches!(c, '/' | '+' | '#') || c.is_control())
    {
        return Err(format!(
            "{what} {name:?}: a topic level is 1 to 64 characters, without /, + or #"
        ));
    }
    Ok(())
}

/// The topics (module docs).
pub mod topic {
    /// A site's status.
    #[must_use]
    pub fn site_status(site: &str) -> String {
        format!("callboard/{site}/status")
    }
    /// A queue's figures.
    #[must_use]
    pub fn queue(site: &str, queue: &str) -> String {
        format!("callboard/{site}/queues/{queue}")
    }
    /// A board's frame.
    #[must_use]
    pub fn frame(site: &str, line: &str, address: u8) -> String {
        format!("callboard/{site}/lines/{line}/boards/{address}/frame")
    }
    /// Every board's frame on a line: what a gateway subscribes to.
    #[must_use]
    pub fn line_frames(site: &str, line: &str) -> String {
        format!("callboard/{site}/lines/{line}/boards/+/frame")
    }
    /// A board's answers to sealed frames, as they came on its line (sealed by the board: only
    /// the site can read them).
    #[must_use]
    pub fn answer(site: &str, line: &str, address: u8) -> String {
        format!("callboard/{site}/lines/{line}/boards/{address}/answer")
    }
    /// Every board's answers of a site.
    #[must_use]
    pub fn answers(site: &str) -> String {
        format!("callboard/{site}/lines/+/boards/+/answer")
    }
    /// A board's health.
    #[must_use]
    pub fn health(site: &str, line: &str, address: u8) -> String {
        format!("callboard/{site}/lines/{line}/boards/{address}/health")
    }
    /// What a fleet view subscribes to: every site's and gateway's status, and the health of
    /// every board every gateway drives.
    #[must_use]
    pub fn fleet() -> Vec<String> {
        vec![
            "callboard/+/status".into(),
            "callboard/gateways/+/status".into(),
            "callboard/+/lines/+/boards/+/health".into(),
        ]
    }
    /// A gateway's status.
    #[must_use]
    pub fn gateway_status(gateway: &str) -> String {
        format!("callboard/gateways/{gateway}/status")
    }
}

/// A message heard from the broker: its topic and payload.
pub type Heard = (String, Vec<u8>);

/// A connection to the broker, kept up on its own thread.
pub struct Connection {
    client: Client,
    status: String,
    connected: Arc<AtomicBool>,
    stop: Arc<AtomicBool>,
    /// Set when the goodbye is said: the connection's end is then no reason to reconnect.
    leaving: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("status", &self.status)
            .field("connected", &self.connected())
            .finish_non_exhaustive()
    }
}

/// The longest wait before connecting again.
const MOST_BACKOFF: Duration = Duration::from_secs(5);

impl Connection {
    /// Connects as `client_id`, its status at `status` (`online` now and after each
    /// reconnection, `offline` as its last will), subscribed to `subscriptions`, what is heard
    /// on them sent to `heard`. `who` names the program in what it says.
    #[must_use]
    pub fn start(
        broker: &Broker,
        client_id: &str,
        status: String,
        subscriptions: Vec<String>,
        heard: Option<Sender<Heard>>,
        who: &'static str,
    ) -> Self {
        let mut options = MqttOptions::new(client_id, broker.host.clone(), broker.port);
        options.set_keep_alive(broker.keep_alive);
        options.set_clean_session(true);
        // A frame is at most a few hundred bytes; the queues' JSON a few kilobytes.
        options.set_max_packet_size(256 * 1024, 256 * 1024);
        options.set_last_will(LastWill::new(status.clone(), "offline", QoS::AtLeastOnce, true));
        if let Some((user, password)) = &broker.credentials {
            options.set_credentials(user.clone(), password.clone());
        }
        if let Some(tls) = &broker.tls {
            options.set_transport(rumqttc::Transport::tls_with_config(
                rumqttc::TlsConfiguration::Simple {
                    ca: tls.ca.clone(),
                    alpn: None,
                    client_auth: tls.client.clone(),
                },
            ));
        }
        // Room for a whole step of a large floor: a site publishes a frame per board at once,
        // and what does not fit is dropped.
        options.set_inflight(1000);
        let (client, mut connection) = Client::new(options, 8192);
        let connected = Arc::new(AtomicBool::new(false));
        let stop = Arc::new(AtomicBool::new(false));
        let leaving = Arc::new(AtomicBool::new(false));
        let thread = {
            let client = client.clone();
            let connected = Arc::clone(&connected);
            let stop = Arc::clone(&stop);
            let leaving = Arc::clone(&leaving);
            let status = status.clone();
            let at = format!(
                "{}:{}{}",
                broker.host,
                broker.port,
                if broker.tls.is_some() { " (TLS)" } else { "" }
            );
            std::thread::spawn(move || {
                let mut said_down = false;
                let mut backoff = Duration::from_millis(250);
                while !stop.load(Ordering::SeqCst) {
                    match connection.recv_timeout(Duration::from_millis(200)) {
                        Err(rumqttc::RecvTimeoutError::Timeout) => {}
                        Err(rumqttc::RecvTimeoutError::Disconnected) => return,
                        Ok(Ok(Event::Incoming(Packet::ConnAck(_)))) => {
                            eprintln!("callboard {who}: mqtt: connected to {at}");
                            connected.store(true, Ordering::SeqCst);
                            backoff = Duration::from_millis(250);
                            said_down = false;
                            let _ = client.try_publish(&status, QoS::AtLeastOnce, true, "online");
                            for topic in &subscriptions {
                                let _ = client.try_subscribe(topic, QoS::AtLeastOnce);
                            }
                        }
                        Ok(Ok(Event::Incoming(Packet::Publish(publish)))) => {
                            if let Some(heard) = &heard {
                                let _ = heard.send((publish.topic, publish.payload.to_vec()));
                            }
                        }
                        Ok(Ok(_)) => {}
                        // The goodbye said: the broker closing the connection is the end.
                        Ok(Err(_)) if leaving.load(Ordering::SeqCst) => return,
                        Ok(Err(e)) => {
                            connected.store(false, Ordering::SeqCst);
                            if !said_down {
                                eprintln!(
                                    "callboard {who}: mqtt: {at}: {e}; connecting again with \
                                     back-off"
                                );
                                said_down = true;
                            }
                            if stop.load(Ordering::SeqCst) {
                                return;
                            }
                            std::thread::sleep(backoff);
                            backoff = (backoff * 2).min(MOST_BACKOFF);
                        }
                    }
                }
            })
        };
        Self { client, status, connected, stop, leaving, thread: Some(thread) }
    }

    /// Whether the broker has the connection now.
    #[must_use]
    pub fn connected(&self) -> bool {
        self.connected.load(Ordering::SeqCst)
    }

    /// Publishes, without waiting: while the broker is away, what cannot be queued is dropped
    /// (the next step publishes newer).
    pub fn publish(&self, topic: &str, payload: Vec<u8>, qos: QoS, retain: bool) {
        if self.connected() {
            let _ = self.client.try_publish(topic, qos, retain, payload);
        }
    }

    /// Says `offline` and disconnects (a clean goodbye: the broker does not send the will).
    pub fn stop(mut self) {
        if self.connected() {
            self.leaving.store(true, Ordering::SeqCst);
            let _ = self.client.try_publish(&self.status, QoS::AtLeastOnce, true, "offline");
            // The goodbye leaves before the disconnect: both go through the one queue.
            let _ = self.client.try_disconnect();
            std::thread::sleep(Duration::from_millis(300));
        }
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(broker: &str) -> BrokerFile {
        BrokerFile {
            broker: broker.into(),
            name: None,
            username: None,
            password_file: None,
            keep_alive_seconds: 5,
            ca_file: None,
            certificate_file: None,
            key_file: None,
        }
    }

    #[test]
    fn brokers_are_host_and_port() {
        let b = Broker::from_file(&file("mqtt.city.example:8883")).unwrap();
        assert_eq!((b.host.as_str(), b.port), ("mqtt.city.example", 8883));
        assert_eq!(Broker::from_file(&file("10.0.0.5")).unwrap().port, 1883);
        assert_eq!(Broker::from_file(&file("[::1]:1884")).unwrap().host, "::1");
        assert!(Broker::from_file(&file("host:0")).is_err());
        assert!(Broker::from_file(&file("host:port")).is_err());
        let mut half = file("host");
        half.username = Some("site".into());
        assert!(Broker::from_file(&half).unwrap_err().contains("both"));
        let mut no_ca = file("host");
        no_ca.certificate_file = Some("client.pem".into());
        no_ca.key_file = Some("client.key".into());
        assert!(Broker::from_file(&no_ca).unwrap_err().contains("ca_file"));
        let mut missing = file("host");
        missing.ca_file = Some("/nonexistent/ca.pem".into());
        assert!(Broker::from_file(&missing).unwrap_err().contains("mqtt.ca_file"));
    }

    #[test]
    fn topic_levels_refuse_wildcards_and_separators() {
        assert!(topic_level("site", "main-311").is_ok());
        for bad in ["", "a/b", "a+", "#", "x\n"] {
            assert!(topic_level("site", bad).is_err(), "{bad:?}");
        }
        assert_eq!(topic::frame("main", "floor", 3), "callboard/main/lines/floor/boards/3/frame");
    }

    #[test]
    fn the_fleet_view_keeps_the_newest_of_each() {
        let mut view = FleetView::default();
        assert!(view.hear("callboard/main/status", b"online"));
        assert!(view.hear("callboard/gateways/storm/status", b"online"));
        assert!(view.hear("callboard/gateways/storm/status", b"offline"));
        assert!(view.hear("callboard/main/lines/storm/boards/2/health", br#"{"up":true}"#));
        assert!(!view.hear("callboard/main/lines/storm/boards/2/health", b"not json"));
        assert!(!view.hear("callboard/main/queues/STREETS", b"{}"));
        assert!(!view.hear("callboard/main/lines/storm/boards/300/health", b"{}"));
        let json = view.json();
        assert_eq!(json["gateways"][0]["status"], "offline");
        assert_eq!(json["sites"][0]["name"], "main");
        assert_eq!(json["boards"][0]["address"], 2);
        assert_eq!(json["boards"][0]["health"]["up"], true);
    }
}

/// The whole fleet as the broker tells it: every site's and gateway's status, and the health of
/// every board a gateway drives, whichever site it is for. `GET /api/v1/fleet` and the web
/// wallboard's fleet table.
#[derive(Debug, Default, Clone)]
pub struct FleetView {
    sites: std::collections::BTreeMap<String, String>,
    gateways: std::collections::BTreeMap<String, String>,
    boards: std::collections::BTreeMap<(String, String, u8), serde_json::Value>,
}

/// What a topic of the fleet is about.
#[derive(Debug, PartialEq, Eq)]
pub enum About<'a> {
    /// A site's status.
    Site(&'a str),
    /// A gateway's status.
    Gateway(&'a str),
    /// A board's health: its site, line and address.
    Board(&'a str, &'a str, u8),
    /// A board's sealed answer: its site, line and address.
    Answer(&'a str, &'a str, u8),
}

/// What `topic` is about, if it is one of the fleet's.
#[must_use]
pub fn about(topic: &str) -> Option<About<'_>> {
    let levels: Vec<&str> = topic.split('/').collect();
    match levels.as_slice() {
        ["callboard", "gateways", gateway, "status"] => Some(About::Gateway(gateway)),
        ["callboard", site, "status"] => Some(About::Site(site)),
        ["callboard", site, "lines", line, "boards", address, "health"] => {
            Some(About::Board(site, line, address.parse().ok()?))
        }
        ["callboard", site, "lines", line, "boards", address, "answer"] => {
            Some(About::Answer(site, line, address.parse().ok()?))
        }
        _ => None,
    }
}

impl FleetView {
    /// Takes in a message heard; `false` when it is not the fleet's.
    pub fn hear(&mut self, topic: &str, payload: &[u8]) -> bool {
        let text = || String::from_utf8_lossy(payload).into_owned();
        match about(topic) {
            Some(About::Site(site)) => {
                self.sites.insert(site.to_owned(), text());
            }
            Some(About::Gateway(gateway)) => {
                self.gateways.insert(gateway.to_owned(), text());
            }
            Some(About::Board(site, line, address)) => {
                let Ok(health) = serde_json::from_slice::<serde_json::Value>(payload) else {
                    return false;
                };
                self.boards.insert((site.to_owned(), line.to_owned(), address), health);
            }
            Some(About::Answer(..)) | None => return false,
        }
        true
    }

    /// As JSON: `{"sites": [{name, status}], "gateways": [...], "boards": [{site, line,
    /// address, health}]}`.
    #[must_use]
    pub fn json(&self) -> serde_json::Value {
        let named = |map: &std::collections::BTreeMap<String, String>| -> Vec<serde_json::Value> {
            map.iter()
                .map(|(name, status)| serde_json::json!({ "name": name, "status": status }))
                .collect()
        };
        let boards: Vec<serde_json::Value> = self
            .boards
            .iter()
            .map(|((site, line, address), health)| {
                serde_json::json!({ "site": site, "line": line, "address": address, "health": health })
            })
            .collect();
        serde_json::json!({
            "sites": named(&self.sites),
            "gateways": named(&self.gateways),
            "boards": boards,
        })
    }
}
