//! `callboard gateway --config FILE.toml`: the boards of a room driven from the fleet's broker.
//!
//! A gateway runs next to its boards' lines (serial or TCP). It subscribes to the frames the
//! sites' `callboard serve` publish for the boards it owns
//! (`callboard/<site>/lines/<line>/boards/<address>/frame`), drives each line exactly as
//! `serve` does (the same writer: boards in turn, answers awaited, a silent board passed over,
//! a broken line reconnected), and publishes each board's health back
//! (`.../health`, every second). A frame already past its time-to-live when it arrives (a
//! retained one, from a site that has since gone quiet) is not sent: while the broker or the
//! site is away the boards get nothing, and their own time-to-live turns them to "no data"
//! rather than freezing stale numbers. When they return, the gateway resumes by itself.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use callboard_core::wire::{
    BROADCAST_ADDRESS, BoardSettings, Decoded, FrameDecoder, HostMessage, MAX_FRAME_BYTES,
};
use callboard_floor::feed::Link;
use serde::Deserialize;

use crate::config::Line;
use crate::line::{self, Health};
use crate::mqtt::{self, Broker, BrokerFile, Connection, topic};

/// The whole gateway file, as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    mqtt: BrokerFile,
    #[serde(rename = "line")]
    lines: Vec<LineFile>,
    #[serde(rename = "board")]
    boards: Vec<BoardFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LineFile {
    /// The site whose frames this line carries (its `[mqtt] name`).
    site: String,
    /// The line's name in that site's file (a `gateway = true` line there).
    name: String,
    tcp: Option<String>,
    serial: Option<String>,
    #[serde(default = "crate::config::baud")]
    baud: u32,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BoardFile {
    line: String,
    address: u8,
    #[serde(default = "five")]
    page_seconds: u8,
    #[serde(default = "full")]
    brightness: u8,
    /// The board requires authenticated frames, which its site seals: the gateway sends it
    /// only sealed frames, as they come, and no settings of its own.
    #[serde(default)]
    sealed: bool,
}

const fn five() -> u8 {
    5
}
const fn full() -> u8 {
    255
}

/// A gateway file, checked.
#[derive(Debug, Clone)]
pub struct GatewayConfig {
    /// The broker.
    pub broker: Broker,
    /// The gateway's name in the topics.
    pub name: String,
    /// Its lines, each with the site it carries.
    pub lines: Vec<(String, Line)>,
    /// Its boards: the line's index, the address, the settings sent on each connection (none
    /// for a board that takes only sealed frames).
    pub boards: Vec<(usize, u8, Option<BoardSettings>)>,
}

/// Reads a gateway file.
///
/// # Errors
/// What is wrong, naming the key.
pub fn parse(text: &str) -> Result<GatewayConfig, String> {
    let file: File = toml::from_str(text).map_err(|e| e.to_string())?;
    let name = file.mqtt.name.clone().ok_or("mqtt.name: the gateway's name in the topics")?;
    mqtt::topic_level("mqtt.name", &name)?;
    let broker = Broker::from_file(&file.mqtt)?;
    let mut lines = Vec::new();
    let mut index = HashMap::new();
    for l in &file.lines {
        mqtt::topic_level("line.site", &l.site)?;
        mqtt::topic_level("line.name", &l.name)?;
        let link = match (&l.tcp, &l.serial) {
            (Some(to), None) => Link::Tcp(to.clone()),
            (None, Some(path)) => Link::Serial { path: path.clone(), baud: l.baud },
            _ => {
                return Err(format!(
                    "line {:?}: give tcp = \"HOST:PORT\" or serial = \"DEVICE\"",
                    l.name
                ));
            }
        };
        if index.insert(l.name.clone(), lines.len()).is_some() {
            return Err(format!("line {:?} is declared twice", l.name));
        }
        lines.push((l.site.clone(), Line { name: l.name.clone(), link: Some(link) }));
    }
    let mut boards: Vec<(usize, u8, Option<BoardSettings>)> = Vec::new();
    for b in &file.boards {
        let where_ = format!("board {} on line {:?}", b.address, b.line);
        let line = *index.get(&b.line).ok_or_else(|| format!("{where_}: no such line"))?;
        if b.address == 0 || b.address == BROADCAST_ADDRESS {
            return Err(format!("{where_}: an address is 1 to 254"));
        }
        if boards.iter().any(|&(l, a, _)| l == line && a == b.address) {
            return Err(format!("{where_}: two boards with one address on one line"));
        }
        if b.page_seconds == 0 {
            return Err(format!("{where_}: page_seconds is at least 1"));
        }
        let settings = BoardSettings {
            brightness: b.brightness,
            page_seconds: b.page_seconds,
            ..BoardSettings::DEFAULT
        };
        boards.push((line, b.address, (!b.sealed).then_some(settings)));
    }
    if boards.is_empty() {
        return Err("no board: add a [[board]]".into());
    }
    Ok(GatewayConfig { broker, name, lines, boards })
}

/// Reads `path` and checks it.
///
/// # Errors
/// As [`parse`], the file named.
pub fn read(path: &PathBuf) -> Result<GatewayConfig, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    parse(&text).map_err(|e| format!("{}: {e}", path.display()))
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// How often the boards' health is published.
const HEALTH_EVERY: Duration = Duration::from_secs(1);

/// Runs the gateway until `stop` is set; what it did, when it stops.
///
/// # Errors
/// When a line's writer cannot be started.
pub fn run(config: &GatewayConfig, stop: &Arc<AtomicBool>) -> Result<String, String> {
    let health = Arc::new(Mutex::new(Vec::new()));
    let lines_stop = Arc::new(AtomicBool::new(false));
    let mut running = Vec::new();
    // Each board: its line writer, its slot there, its site, line and address.
    let mut owned: HashMap<String, (usize, usize, u8)> = HashMap::new();
    let mut boards_of = Vec::new();
    let mut answers = Vec::new();
    // The boards that take only sealed frames: their line and slot.
    let mut sealed = std::collections::HashSet::new();
    for (l, (site, line)) in config.lines.iter().enumerate() {
        let on_line: Vec<(u8, Option<BoardSettings>)> = config
            .boards
            .iter()
            .filter(|&&(line_index, _, _)| line_index == l)
            .map(|&(_, address, settings)| (address, settings))
            .collect();
        let first = health.lock().map_or(0, |h| h.len());
        // The answers to frames the site sealed, back from this line's writer.
        let (answered, answers_here) = std::sync::mpsc::channel();
        answers.push((answers_here, first));
        for (slot, &(address, settings)) in on_line.iter().enumerate() {
            if settings.is_none() {
                sealed.insert((running.len(), slot));
            }
            owned.insert(topic::frame(site, &line.name, address), (running.len(), slot, address));
            boards_of.push((site.clone(), line.name.clone(), address));
            if let Ok(mut h) = health.lock() {
                h.push(Health { line: line.name.clone(), address, up: true, ..Health::default() });
            }
        }
        running.push(line::start(
            line.clone(),
            on_line.iter().map(|&(a, _)| a).collect(),
            vec![None; on_line.len()],
            vec![None; on_line.len()],
            on_line.iter().map(|&(_, s)| s).collect(),
            Arc::clone(&health),
            first,
            Arc::clone(&lines_stop),
            Some(answered),
        )?);
    }
    let (heard_tx, heard) = std::sync::mpsc::channel();
    let connection = Connection::start(
        &config.broker,
        &format!("callboard-gateway-{}", config.name),
        topic::gateway_status(&config.name),
        // One subscription a line (its boards' frames), however many boards it has.
        config.lines.iter().map(|(site, line)| topic::line_frames(site, &line.name)).collect(),
        Some(heard_tx),
        "gateway",
    );
    let started = Instant::now();
    let mut forwarded = 0_u64;
    let mut stale = 0_u64;
    let mut unsealed = 0_u64;
    let mut health_at = Instant::now();
    while !stop.load(Ordering::SeqCst) {
        match heard.recv_timeout(Duration::from_millis(100)) {
            Ok((topic, payload)) => {
                let Some(&(l, slot, owner)) = owned.get(&topic) else { continue };
                // A frame the site sealed for a board that requires authentication: sent as it
                // is; the gateway holds no key, and a frame it cannot read it cannot change.
                if let Some((address, sequence)) = line::sealed_header(&payload) {
                    if address == owner
                        && let Some(line) = running.get(l)
                    {
                        line.slots.put_outgoing(
                            slot,
                            line::Outgoing::Sealed { bytes: payload, sequence },
                        );
                        forwarded += 1;
                    }
                    continue;
                }
                if sealed.contains(&(l, slot)) {
                    // Unsealed, for a board that takes only sealed frames: not sent.
                    unsealed += 1;
                    continue;
                }
                match display(&payload) {
                    Some((address, message)) => {
                        let HostMessage::Display(frame) = &message else { continue };
                        let expires = frame.valid_at.saturating_add(u64::from(frame.ttl_s) * 1000);
                        if now_ms() > expires {
                            // A retained frame from a site gone quiet: the board is left to
                            // time out to "no data".
                            stale += 1;
                            continue;
                        }
                        // A frame is for the board whose topic it came on, and no other.
                        if address == owner
                            && let Some(line) = running.get(l)
                        {
                            line.slots.put(slot, message);
                            forwarded += 1;
                        }
                    }
                    None => eprintln!("callboard gateway: {topic}: not a board's frame; ignored"),
                }
            }
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
        }
        // The boards' sealed answers, back to their sites as they came.
        for (receiver, first) in &answers {
            while let Ok((slot, answer)) = receiver.try_recv() {
                if let Some((site, line, address)) = boards_of.get(first + slot) {
                    connection.publish(
                        &topic::answer(site, line, *address),
                        answer,
                        rumqttc::QoS::AtLeastOnce,
                        false,
                    );
                }
            }
        }
        if health_at.elapsed() >= HEALTH_EVERY {
            health_at = Instant::now();
            let table = health.lock().map(|h| h.clone()).unwrap_or_default();
            for ((site, line, address), h) in boards_of.iter().zip(&table) {
                if let Ok(body) = serde_json::to_vec(h) {
                    connection.publish(
                        &topic::health(site, line, *address),
                        body,
                        rumqttc::QoS::AtMostOnce,
                        true,
                    );
                }
            }
        }
    }
    connection.stop();
    lines_stop.store(true, Ordering::SeqCst);
    for line in running {
        line.join();
    }
    let mut summary = format!(
        "stopped after {:.1} s: {forwarded} frames forwarded, {stale} past their time-to-live \
         not sent, {unsealed} unsealed for boards that take only sealed frames not sent\n",
        started.elapsed().as_secs_f64()
    );
    for h in health.lock().map(|h| h.clone()).unwrap_or_default() {
        summary += &format!(
            "board {} on {}: {} sent, {} acknowledged, {} refused, {} unanswered\n",
            h.address, h.line, h.sent, h.acknowledged, h.refused, h.unanswered
        );
    }
    Ok(summary)
}

/// The board address and message of a published frame: one whole frame, a `Display`.
fn display(payload: &[u8]) -> Option<(u8, HostMessage)> {
    let mut decoder = FrameDecoder::<MAX_FRAME_BYTES>::new();
    let mut found = None;
    for &byte in payload {
        if let Some(Decoded::Frame(header, message @ HostMessage::Display(_))) =
            decoder.feed::<HostMessage>(byte, |_| true)
        {
            found = Some((header.address, message));
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = r#"
        [mqtt]
        broker = "127.0.0.1:1883"
        name = "storm-room"

        [[line]]
        site = "main"
        name = "storm-room"
        tcp = "127.0.0.1:4001"

        [[board]]
        line = "storm-room"
        address = 3
    "#;

    #[test]
    fn a_gateway_file_is_read_and_checked() {
        let config = parse(FILE).unwrap();
        assert_eq!(config.name, "storm-room");
        assert_eq!(config.boards.len(), 1);
        assert_eq!(config.lines[0].0, "main");
        let unknown = FILE.replace("address = 3", "address = 3\ncolour = 1");
        assert!(parse(&unknown).unwrap_err().contains("colour"));
        let no_line =
            FILE.replace("line = \"storm-room\"\n        address", "line = \"x\"\n        address");
        assert!(parse(&no_line).unwrap_err().contains("no such line"));
        let wildcard = FILE.replace("site = \"main\"", "site = \"main/#\"");
        assert!(parse(&wildcard).unwrap_err().contains("topic level"));
    }

    #[test]
    fn only_a_whole_display_frame_is_taken() {
        let frame = callboard_core::board::BoardFrame::EMPTY;
        let mut bytes = [0_u8; MAX_FRAME_BYTES];
        let len =
            callboard_core::wire::encode(3, 9, &HostMessage::Display(frame), &mut bytes).unwrap();
        let whole = &bytes[..len];
        assert!(matches!(display(whole), Some((3, HostMessage::Display(_)))));
        assert!(display(&whole[..len - 3]).is_none());
        assert!(display(b"not a frame").is_none());
        let len = callboard_core::wire::encode(3, 9, &HostMessage::Ping, &mut bytes).unwrap();
        assert!(display(&bytes[..len]).is_none());
    }
}
