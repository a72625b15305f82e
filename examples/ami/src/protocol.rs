//! The Asterisk Manager Interface's wire format, sans I/O: bytes in, messages out; messages in,
//! bytes out. No socket here, so it can be fed anything (the fuzz target does).
//!
//! On connecting, Asterisk sends one banner line (`Asterisk Call Manager/9.0.0`). After it,
//! everything is a message: lines of `Key: Value` ended by CR LF, a blank line ending the
//! message; a message is a response (`Response: Success`), an event (`Event: QueueCallerJoin`)
//! or, from the client, an action (`Action: Login`). Keys are case-insensitive and may repeat
//! (`Variable:`); values run to the end of the line. (Asterisk's `main/manager.c`,
//! `astman_append` and `get_input`; the AMI pages of the Asterisk documentation.)
//!
//! Survived, and said: lines ended by a bare LF, a line without a colon (kept with an empty
//! key), a message or line longer than any Asterisk sends ([`MAX_MESSAGE_BYTES`]), which is
//! dropped up to its blank line, and bytes that are not UTF-8 (replaced).

/// The longest message kept. Asterisk's own input buffer is 1 KiB a line and its events a few
/// hundred bytes; a `QueueStatus` entry is under 1 KiB.
pub const MAX_MESSAGE_BYTES: usize = 64 * 1024;

/// One message: its fields in the order they came.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Message {
    /// `(key, value)`, as written.
    pub fields: Vec<(String, String)>,
}

impl Message {
    /// A message of these fields.
    #[must_use]
    pub fn new<'a>(fields: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        Self { fields: fields.into_iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect() }
    }

    /// The first value of `key`, whatever its case.
    #[must_use]
    pub fn get(&self, key: &str) -> Option<&str> {
        self.fields.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v.as_str())
    }

    /// The event's name, for an event.
    #[must_use]
    pub fn event(&self) -> Option<&str> {
        self.get("Event")
    }

    /// The response (`Success`, `Error`, `Follows`, `Goodbye`), for a response.
    #[must_use]
    pub fn response(&self) -> Option<&str> {
        self.get("Response")
    }

    /// The bytes of this message on the wire.
    #[must_use]
    pub fn encode(&self) -> Vec<u8> {
        let mut bytes = Vec::new();
        for (key, value) in &self.fields {
            // A value cannot hold a line break: it would end the field (and could start a new
            // one). Asterisk's own writers have the same rule.
            let value: String = value.chars().filter(|c| *c != '\r' && *c != '\n').collect();
            bytes.extend_from_slice(key.as_bytes());
            bytes.extend_from_slice(b": ");
            bytes.extend_from_slice(value.as_bytes());
            bytes.extend_from_slice(b"\r\n");
        }
        bytes.extend_from_slice(b"\r\n");
        bytes
    }
}

/// What the decoder found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decoded {
    /// The banner line: the manager's name and protocol version.
    Banner(String),
    /// A whole message.
    Message(Message),
    /// A message dropped, and why.
    Dropped(Dropped),
}

/// Why a message was dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dropped {
    /// It was longer than [`MAX_MESSAGE_BYTES`].
    TooLong,
}

/// The decoder: feed it bytes as they arrive, in any pieces.
#[derive(Debug, Default)]
pub struct Decoder {
    line: Vec<u8>,
    message: Message,
    size: usize,
    banner_read: bool,
    discarding: bool,
    /// Lines without a colon, and lines not UTF-8, seen so far.
    pub odd_lines: u64,
}

impl Decoder {
    /// A decoder for a new connection (the banner comes first).
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// A decoder for a stream with no banner (a transcript cut from the middle of a session).
    #[must_use]
    pub fn without_banner() -> Self {
        Self { banner_read: true, ..Self::default() }
    }

    /// Reads `bytes`, returning what they complete.
    pub fn feed(&mut self, bytes: &[u8]) -> Vec<Decoded> {
        let mut out = Vec::new();
        for &byte in bytes {
            if byte != b'\n' {
                if self.line.len() < MAX_MESSAGE_BYTES {
                    self.line.push(byte);
                } else {
                    self.discarding = true;
                }
                continue;
            }
            let mut line = std::mem::take(&mut self.line);
            if line.last() == Some(&b'\r') {
                line.pop();
            }
            self.end_line(&line, &mut out);
        }
        out
    }

    fn end_line(&mut self, line: &[u8], out: &mut Vec<Decoded>) {
        let text = match std::str::from_utf8(line) {
            Ok(text) => text.to_owned(),
            Err(_) => {
                self.odd_lines += 1;
                String::from_utf8_lossy(line).into_owned()
            }
        };
        if !self.banner_read {
            self.banner_read = true;
            if !text.contains(':') || text.starts_with("Asterisk Call Manager") {
                out.push(Decoded::Banner(text));
                return;
            }
        }
        if text.is_empty() {
            let message = std::mem::take(&mut self.message);
            let size = std::mem::take(&mut self.size);
            if std::mem::take(&mut self.discarding) || size > MAX_MESSAGE_BYTES {
                out.push(Decoded::Dropped(Dropped::TooLong));
            } else if !message.fields.is_empty() {
                out.push(Decoded::Message(message));
            }
            return;
        }
        self.size += text.len() + 2;
        if self.discarding || self.size > MAX_MESSAGE_BYTES {
            self.discarding = true;
            self.message.fields.clear();
            return;
        }
        match text.split_once(':') {
            Some((key, value)) => self
                .message
                .fields
                .push((key.trim().to_owned(), value.strip_prefix(' ').unwrap_or(value).to_owned())),
            None => {
                self.odd_lines += 1;
                self.message.fields.push((String::new(), text));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(decoded: &[Decoded]) -> Vec<&Message> {
        decoded
            .iter()
            .filter_map(|d| match d {
                Decoded::Message(m) => Some(m),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_banner_then_messages_in_any_pieces() {
        let wire = b"Asterisk Call Manager/9.0.0\r\nResponse: Success\r\nMessage: Authentication accepted\r\n\r\nEvent: QueueCallerJoin\r\nQueue: STREETS\r\nUniqueid: 1795.1\r\nPosition: 1\r\n\r\n";
        for piece in [1, 2, 7, wire.len()] {
            let mut decoder = Decoder::new();
            let mut decoded = Vec::new();
            for chunk in wire.chunks(piece) {
                decoded.extend(decoder.feed(chunk));
            }
            assert_eq!(decoded[0], Decoded::Banner("Asterisk Call Manager/9.0.0".into()));
            let got = messages(&decoded);
            assert_eq!(got.len(), 2, "pieces of {piece}");
            assert_eq!(got[0].response(), Some("Success"));
            assert_eq!(got[1].event(), Some("QueueCallerJoin"));
            assert_eq!(got[1].get("uniqueid"), Some("1795.1"));
        }
    }

    #[test]
    fn odd_input_is_survived() {
        let mut decoder = Decoder::without_banner();
        let mut wire = b"Event: A\nno colon here\n\xff: x\n\n".to_vec();
        wire.extend(b"Event: B\r\nData: ".iter());
        wire.extend(std::iter::repeat_n(b'x', MAX_MESSAGE_BYTES + 10));
        wire.extend(b"\r\n\r\nEvent: C\r\nValue: a: b\r\n\r\n");
        let decoded = decoder.feed(&wire);
        assert_eq!(decoded.len(), 3, "{decoded:?}");
        let Decoded::Message(a) = &decoded[0] else { panic!("{decoded:?}") };
        assert_eq!(a.fields[1], (String::new(), "no colon here".into()));
        assert_eq!(decoded[1], Decoded::Dropped(Dropped::TooLong));
        let Decoded::Message(c) = &decoded[2] else { panic!("{decoded:?}") };
        assert_eq!(c.get("Value"), Some("a: b"));
        assert_eq!(decoder.odd_lines, 2);
    }

    proptest::proptest! {
        /// Any bytes, in any pieces: the same messages as read in one piece, and no panic.
        #[test]
        fn pieces_do_not_matter(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..600), piece in 1_usize..40) {
            let whole = Decoder::new().feed(&bytes);
            let mut decoder = Decoder::new();
            let pieces: Vec<Decoded> = bytes.chunks(piece).flat_map(|c| decoder.feed(c)).collect();
            proptest::prop_assert_eq!(pieces, whole);
        }
    }

    #[test]
    fn a_message_round_trips_and_cannot_smuggle_a_line() {
        let action = Message::new([("Action", "Login"), ("Username", "wall\r\nAction: Originate")]);
        let bytes = action.encode();
        assert_eq!(bytes, b"Action: Login\r\nUsername: wallAction: Originate\r\n\r\n");
        let decoded = Decoder::without_banner().feed(&bytes);
        assert_eq!(decoded.len(), 1);
    }
}
