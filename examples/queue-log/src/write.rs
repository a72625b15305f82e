//! Writing `queue_log` lines as Asterisk does, for the simulator and the converters:
//! `epoch|callid|queue|agent|VERB|data1|data2|…`.

use std::fmt;

use callboard_core::calendar::Timestamp;

use crate::verb::Verb;

/// One line to write. `NONE` is what Asterisk writes for a call id, queue or agent a line is
/// not about.
#[derive(Debug, Clone, Copy)]
pub struct Line<'a> {
    /// When, milliseconds since the Unix epoch: written as whole seconds, with `.mmm` when the
    /// milliseconds are not zero (as Asterisk writes sub-second times).
    pub at: Timestamp,
    /// The call's unique id, or `NONE`.
    pub callid: &'a str,
    /// The queue, or `NONE`.
    pub queue: &'a str,
    /// The agent (queue member), or `NONE`.
    pub agent: &'a str,
    /// What happened.
    pub verb: &'a Verb,
    /// data1, data2, … as the verb has them (empty fields included).
    pub data: &'a [&'a str],
}

impl fmt::Display for Line<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (seconds, millis) = (self.at / 1000, self.at % 1000);
        if millis == 0 {
            write!(f, "{seconds}")?;
        } else {
            write!(f, "{seconds}.{millis:03}")?;
        }
        write!(f, "|{}|{}|{}|{}", self.callid, self.queue, self.agent, self.verb)?;
        for field in self.data {
            write!(f, "|{field}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use callboard_core::calendar::SiteCalendar;

    #[test]
    fn written_lines_read_back() {
        let connect = Line {
            at: 1_795_420_812_250,
            callid: "1795420800.7",
            queue: "STREETS",
            agent: "Agent/1001",
            verb: &Verb::Connect,
            data: &["12", "1795420800.7", "0"],
        };
        let text = connect.to_string();
        assert_eq!(
            text,
            "1795420812.250|1795420800.7|STREETS|Agent/1001|CONNECT|12|1795420800.7|0"
        );
        let pause = Line {
            at: 1_795_420_800_000,
            callid: "NONE",
            agent: "Agent/7",
            verb: &Verb::Pause,
            data: &["Break"],
            queue: "NONE",
        };
        assert_eq!(pause.to_string(), "1795420800|NONE|NONE|Agent/7|PAUSE|Break");
        let parsed = crate::parse(format!("{pause}\n{text}\n").as_bytes(), &SiteCalendar::UTC);
        assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
        assert_eq!(parsed.records[0].verb, Verb::Pause);
        assert_eq!(parsed.records[1].at, 1_795_420_812_250);
        assert_eq!(parsed.records[1].verb, Verb::Connect);
        assert_eq!(parsed.records[1].data, ["12", "1795420800.7", "0"]);
    }
}
