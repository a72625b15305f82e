//! The manager's queue events, translated into the `queue_log` records the replay already
//! counts, so a call reported over AMI is counted exactly as the same call read from the log.
//!
//! | AMI event | `queue_log` record |
//! |---|---|
//! | `QueueCallerJoin` | `ENTERQUEUE` |
//! | `QueueCallerAbandon` | `ABANDON` |
//! | `QueueCallerLeave` | nothing while an agent's phone is ringing for the call (Asterisk sends it just before `AgentConnect`); otherwise, or if no `AgentConnect` follows within [`LEAVE_GRACE_MS`], `EXITWITHTIMEOUT` at the time it left |
//! | `AgentConnect` | `CONNECT` |
//! | `AgentComplete` | `COMPLETECALLER`, `COMPLETEAGENT` or `TRANSFER`, by its `Reason` |
//! | `AgentRingNoAnswer` | `RINGNOANSWER` |
//! | `AgentDump` | `AGENTDUMP` |
//! | `QueueMemberAdded` | `ADDMEMBER` (and `PAUSE` when it joins paused) |
//! | `QueueMemberRemoved` | `REMOVEMEMBER` |
//! | `QueueMemberPause` (`QueueMemberPaused` before Asterisk 12) | `PAUSE` or `UNPAUSE`, by `Paused` |
//! | `QueueMemberStatus` | `PAUSE` or `UNPAUSE` when its `Paused` differs from what is known; its device state is not counted |
//! | `AgentCalled` | nothing counted; remembered, so a `QueueCallerLeave` after it waits for the connect |
//!
//! Older Asterisk names things differently and is read too: `QueueMemberPaused` (before 12),
//! members by `MemberName` and `Location` in events and by `Name` and `Location` in
//! `QueueStatus`, no `InCall` (a member in a call has `Status: 2`, in use). The layouts are
//! Asterisk's documentation and `apps/app_queue.c`, checked against the public AMI captures in
//! the `panoramisk` project's tests (MIT; read, not copied).
//!
//! Every other event (channels, bridges, `Newexten`, `VarSet`, ...) is ignored: the figures are
//! the queues'. Times: an event's `Timestamp` field when the manager sends one
//! (`timestampevents = yes` in `manager.conf`, which a site should set), else the moment it was
//! received. Waits and talk times come from these times, never from the events' `HoldTime` and
//! `TalkTime`, as on the log path. What AMI cannot say: why a caller left without an agent
//! (timeout, no agents, a key pressed: the log's `EXITWITHTIMEOUT`, `EXITEMPTY` and
//! `EXITWITHKEY` are all one `QueueCallerLeave`), so such calls are counted as dequeued by
//! timeout; their total is right, the split by reason is not.
//!
//! After a gap in the connection, [`Translator::resync`] compares what `QueueStatus` lists with
//! what it knew: callers it never saw join are entered with the wait Asterisk reports, callers
//! who left during the gap are ended as withdrawn (their outcome is unknown), calls it thought
//! connected whose agent is no longer in a call are completed, and members are added, removed,
//! paused and unpaused to match. Each is counted in [`Resynced`].

use std::collections::BTreeMap;

use callboard_core::calendar::Timestamp;
use callboard_queue_log::{Record, Verb};
use serde::{Deserialize, Serialize};

use crate::protocol::Message;

/// How long after a `QueueCallerLeave` an `AgentConnect` for the call is waited for.
pub const LEAVE_GRACE_MS: u64 = 10_000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Waiting {
    queue: String,
    /// An agent's phone is ringing for it.
    ringing: bool,
    /// It left the queue (without an agent, as far as is known yet) at this time.
    left_at: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Connected {
    queue: String,
    member: String,
}

/// What a resynchronisation found different.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resynced {
    /// Callers waiting that were never seen joining.
    pub found_waiting: usize,
    /// Callers thought waiting who left during the gap, outcome unknown (ended as withdrawn).
    pub lost_waiting: usize,
    /// Calls thought connected that ended during the gap (completed at the resync).
    pub ended_connected: usize,
    /// Members added, removed, paused or unpaused to match.
    pub members_changed: usize,
}

/// The translator and what it knows: the callers waiting, the calls connected, the members and
/// whether each is paused. Serializable, so a service's checkpoint keeps it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Translator {
    waiting: BTreeMap<String, Waiting>,
    connected: BTreeMap<String, Connected>,
    /// (queue, member name) → paused; a list in JSON, whose object keys must be strings.
    #[serde(with = "as_list")]
    members: BTreeMap<(String, String), bool>,
    sequence: usize,
    /// Unknown outcomes and other repairs, since the start.
    pub resynced: Resynced,
}

/// A map with pair keys, written as a list of entries.
mod as_list {
    use std::collections::BTreeMap;

    use serde::{Deserialize, Deserializer, Serializer};

    type Members = BTreeMap<(String, String), bool>;

    pub(super) fn serialize<S: Serializer>(
        map: &Members,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(map)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Members, D::Error> {
        let entries = Vec::<((String, String), bool)>::deserialize(deserializer)?;
        Ok(entries.into_iter().collect())
    }
}

/// An event's time: its `Timestamp` field (seconds, with a fraction), else `received`.
#[must_use]
pub fn event_time(message: &Message, received: Timestamp) -> Timestamp {
    message
        .get("Timestamp")
        .and_then(|t| {
            let (whole, fraction) = t.trim().split_once('.').unwrap_or((t.trim(), ""));
            let seconds: u64 = whole.parse().ok()?;
            let millis: u64 = format!("{fraction:0<3}").get(..3)?.parse().ok()?;
            seconds.checked_mul(1000)?.checked_add(millis)
        })
        .unwrap_or(received)
}

fn field<'a>(message: &'a Message, key: &str) -> &'a str {
    message.get(key).unwrap_or("").trim()
}

/// The member's name as the log writes it (`MemberName`, else the interface).
fn member_of(message: &Message) -> String {
    ["MemberName", "Name", "Interface", "Location", "Member"]
        .iter()
        .map(|k| field(message, k))
        .find(|v| !v.is_empty())
        .unwrap_or("NONE")
        .to_owned()
}

impl Translator {
    /// A translator that knows nothing yet.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    fn record(
        &mut self,
        at: Timestamp,
        call: &str,
        queue: &str,
        agent: &str,
        verb: Verb,
        data: &[&str],
    ) -> Record {
        self.sequence += 1;
        Record {
            line: self.sequence,
            at,
            callid: call.to_owned(),
            queue: queue.to_owned(),
            agent: agent.to_owned(),
            verb,
            data: data.iter().map(|d| (*d).to_owned()).collect(),
        }
    }

    /// Callers who left without an agent more than [`LEAVE_GRACE_MS`] before `now`: dequeued.
    pub fn tick(&mut self, now: Timestamp) -> Vec<Record> {
        let due: Vec<(String, String, Timestamp)> = self
            .waiting
            .iter()
            .filter_map(|(call, w)| {
                let left = w.left_at?;
                (now >= left.saturating_add(LEAVE_GRACE_MS))
                    .then(|| (call.clone(), w.queue.clone(), left))
            })
            .collect();
        due.into_iter()
            .map(|(call, queue, left)| {
                self.waiting.remove(&call);
                self.record(left, &call, &queue, "NONE", Verb::ExitWithTimeout, &["1", "1", "0"])
            })
            .collect()
    }

    /// The records one event means (none for most events), at `at`.
    pub fn event(&mut self, message: &Message, at: Timestamp) -> Vec<Record> {
        let mut out = self.tick(at);
        let Some(name) = message.event() else { return out };
        let call = field(message, "Uniqueid").to_owned();
        let queue = field(message, "Queue").to_owned();
        match name.to_ascii_lowercase().as_str() {
            "queuecallerjoin" | "join" => {
                // A join heard after a QueueStatus that already listed the call is not news.
                if call.is_empty() || queue.is_empty() || self.waiting.contains_key(&call) {
                    return out;
                }
                self.waiting.insert(
                    call.clone(),
                    Waiting { queue: queue.clone(), ringing: false, left_at: None },
                );
                let position = field(message, "Position");
                let caller = field(message, "CallerIDNum");
                out.push(self.record(
                    at,
                    &call,
                    &queue,
                    "NONE",
                    Verb::EnterQueue,
                    &["", caller, position],
                ));
            }
            "queuecallerabandon" => {
                let was_waiting = self.waiting.remove(&call).is_some();
                if was_waiting {
                    let data = [
                        field(message, "Position"),
                        field(message, "OriginalPosition"),
                        field(message, "HoldTime"),
                    ];
                    out.push(self.record(at, &call, &queue, "NONE", Verb::Abandon, &data));
                }
            }
            "queuecallerleave" | "leave" => {
                if let Some(waiting) = self.waiting.get_mut(&call) {
                    if waiting.ringing {
                        waiting.left_at = Some(at);
                    } else {
                        self.waiting.remove(&call);
                        out.push(self.record(
                            at,
                            &call,
                            &queue,
                            "NONE",
                            Verb::ExitWithTimeout,
                            &["", "", ""],
                        ));
                    }
                }
            }
            "agentcalled" => {
                if let Some(waiting) = self.waiting.get_mut(&call) {
                    waiting.ringing = true;
                }
            }
            "agentringnoanswer" => {
                if let Some(waiting) = self.waiting.get_mut(&call) {
                    waiting.ringing = false;
                }
                let ring = field(message, "RingTime");
                let ring_ms =
                    ring.parse::<u64>().map(|s| (s * 1000).to_string()).unwrap_or_default();
                let member = member_of(message);
                out.push(self.record(at, &call, &queue, &member, Verb::RingNoAnswer, &[&ring_ms]));
            }
            "agentdump" => {
                let member = member_of(message);
                out.push(self.record(at, &call, &queue, &member, Verb::AgentDump, &[]));
            }
            "agentconnect" => {
                if self.waiting.remove(&call).is_none() {
                    return out;
                }
                let member = member_of(message);
                self.connected.insert(
                    call.clone(),
                    Connected { queue: queue.clone(), member: member.clone() },
                );
                let data = [
                    field(message, "HoldTime"),
                    field(message, "DestUniqueid"),
                    field(message, "RingTime"),
                ];
                out.push(self.record(at, &call, &queue, &member, Verb::Connect, &data));
            }
            "agentcomplete" => {
                let Some(connected) = self.connected.remove(&call) else { return out };
                let (hold, talk) = (field(message, "HoldTime"), field(message, "TalkTime"));
                let (verb, data) = match field(message, "Reason").to_ascii_lowercase().as_str() {
                    "agent" => (Verb::CompleteAgent, vec![hold, talk, ""]),
                    "transfer" => (Verb::Transfer, vec!["", "", hold, talk]),
                    _ => (Verb::CompleteCaller, vec![hold, talk, ""]),
                };
                out.push(self.record(at, &call, &connected.queue, &connected.member, verb, &data));
            }
            "queuememberadded" => {
                let member = member_of(message);
                let paused = field(message, "Paused") == "1";
                self.members.insert((queue.clone(), member.clone()), paused);
                out.push(self.record(at, "NONE", &queue, &member, Verb::AddMember, &[""]));
                if paused {
                    let reason = field(message, "PausedReason");
                    out.push(self.record(at, "NONE", &queue, &member, Verb::Pause, &[reason]));
                }
            }
            "queuememberremoved" => {
                let member = member_of(message);
                if self.members.remove(&(queue.clone(), member.clone())).is_some() {
                    out.push(self.record(at, "NONE", &queue, &member, Verb::RemoveMember, &[""]));
                }
            }
            "queuememberpause" | "queuememberpaused" | "queuememberstatus" => {
                let member = member_of(message);
                let paused = match field(message, "Paused") {
                    "1" => true,
                    "0" => false,
                    _ => return out,
                };
                let key = (queue.clone(), member.clone());
                let known = self.members.get(&key).copied();
                if known == Some(paused) {
                    return out;
                }
                if known.is_none() {
                    // A static member (no login event) first heard of here.
                    out.push(self.record(at, "NONE", &queue, &member, Verb::AddMember, &[""]));
                }
                self.members.insert(key, paused);
                let reason = field(message, "PausedReason");
                let verb = if paused { Verb::Pause } else { Verb::Unpause };
                out.push(self.record(at, "NONE", &queue, &member, verb, &[reason]));
            }
            _ => {}
        }
        out
    }

    /// Brings what it knows in line with a `QueueStatus` answer (its `QueueMember` and
    /// `QueueEntry` events) taken at `now`, after a gap in which events may have been missed.
    /// `queues`: the queues the answer covers (those named in its `QueueParams`); what is known
    /// of other queues is left alone.
    pub fn resync(&mut self, status: &[Message], now: Timestamp) -> Vec<Record> {
        let mut out = self.tick(now);
        let covered: Vec<String> = status
            .iter()
            .filter(|m| m.event().is_some_and(|e| e.eq_ignore_ascii_case("QueueParams")))
            .map(|m| field(m, "Queue").to_owned())
            .collect();
        let entries: Vec<&Message> = status
            .iter()
            .filter(|m| m.event().is_some_and(|e| e.eq_ignore_ascii_case("QueueEntry")))
            .collect();
        let members: Vec<&Message> = status
            .iter()
            .filter(|m| m.event().is_some_and(|e| e.eq_ignore_ascii_case("QueueMember")))
            .collect();
        // Callers who left while no one was listening.
        let listed: Vec<&str> = entries.iter().map(|m| field(m, "Uniqueid")).collect();
        let gone: Vec<(String, String)> = self
            .waiting
            .iter()
            .filter(|(call, w)| covered.contains(&w.queue) && !listed.contains(&call.as_str()))
            .map(|(call, w)| (call.clone(), w.queue.clone()))
            .collect();
        for (call, queue) in gone {
            self.waiting.remove(&call);
            self.resynced.lost_waiting += 1;
            out.push(self.record(
                now,
                &call,
                &queue,
                "NONE",
                Verb::Withdraw,
                &["lost while the manager was away"],
            ));
        }
        // Callers who joined while no one was listening.
        for entry in entries {
            let call = field(entry, "Uniqueid");
            let queue = field(entry, "Queue");
            if call.is_empty() || queue.is_empty() || self.waiting.contains_key(call) {
                continue;
            }
            let waited_ms = field(entry, "Wait").parse::<u64>().unwrap_or(0).saturating_mul(1000);
            self.waiting.insert(
                call.to_owned(),
                Waiting { queue: queue.to_owned(), ringing: false, left_at: None },
            );
            self.resynced.found_waiting += 1;
            let data = ["", field(entry, "CallerIDNum"), field(entry, "Position")];
            out.push(self.record(
                now.saturating_sub(waited_ms),
                call,
                queue,
                "NONE",
                Verb::EnterQueue,
                &data,
            ));
        }
        // Calls whose agent is no longer in a call.
        let busy: Vec<(String, String)> = members
            .iter()
            .filter(|m| field(m, "InCall") == "1" || matches!(field(m, "Status"), "2" | "3" | "8"))
            .map(|m| (field(m, "Queue").to_owned(), member_of(m)))
            .collect();
        let ended: Vec<(String, Connected)> = self
            .connected
            .iter()
            .filter(|(_, c)| {
                covered.contains(&c.queue) && !busy.contains(&(c.queue.clone(), c.member.clone()))
            })
            .map(|(call, c)| (call.clone(), c.clone()))
            .collect();
        for (call, c) in ended {
            self.connected.remove(&call);
            self.resynced.ended_connected += 1;
            out.push(self.record(
                now,
                &call,
                &c.queue,
                &c.member,
                Verb::CompleteCaller,
                &["", "", ""],
            ));
        }
        // Members, and whether each is paused.
        let listed: Vec<((String, String), bool, String)> = members
            .iter()
            .map(|m| {
                (
                    (field(m, "Queue").to_owned(), member_of(m)),
                    field(m, "Paused") == "1",
                    field(m, "PausedReason").to_owned(),
                )
            })
            .collect();
        let removed: Vec<(String, String)> = self
            .members
            .keys()
            .filter(|(queue, _)| covered.contains(queue))
            .filter(|key| !listed.iter().any(|(k, _, _)| k == *key))
            .cloned()
            .collect();
        for (queue, member) in removed {
            self.members.remove(&(queue.clone(), member.clone()));
            self.resynced.members_changed += 1;
            out.push(self.record(now, "NONE", &queue, &member, Verb::RemoveMember, &[""]));
        }
        for ((queue, member), paused, reason) in listed {
            let known = self.members.insert((queue.clone(), member.clone()), paused);
            if known == Some(paused) {
                continue;
            }
            self.resynced.members_changed += 1;
            if known.is_none() {
                out.push(self.record(now, "NONE", &queue, &member, Verb::AddMember, &[""]));
            }
            if paused {
                out.push(self.record(now, "NONE", &queue, &member, Verb::Pause, &[&reason]));
            } else if known == Some(true) {
                out.push(self.record(now, "NONE", &queue, &member, Verb::Unpause, &[""]));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(fields: &[(&str, &str)]) -> Message {
        Message::new(fields.iter().copied())
    }

    fn verbs(records: &[Record]) -> Vec<(&str, &str)> {
        records.iter().map(|r| (r.verb.as_str(), r.agent.as_str())).collect()
    }

    #[test]
    fn older_asterisk_names_its_members_and_pauses_differently() {
        // Asterisk 11: `QueueMemberPaused` with `Location` and no `PausedReason`; `QueueStatus`
        // members by `Name` and `Location`, with no `InCall` (in a call: `Status: 2`).
        let mut t = Translator::new();
        let status = [
            event(&[("Event", "QueueParams"), ("Queue", "potholes")]),
            event(&[
                ("Event", "QueueMember"),
                ("Queue", "potholes"),
                ("Name", "Agent/31"),
                ("Location", "Local/31@agents"),
                ("Status", "1"),
                ("Paused", "0"),
            ]),
            event(&[
                ("Event", "QueueMember"),
                ("Queue", "potholes"),
                ("Name", "Agent/32"),
                ("Location", "Local/32@agents"),
                ("Status", "2"),
                ("Paused", "1"),
            ]),
            event(&[("Event", "QueueStatusComplete")]),
        ];
        let found = t.resync(&status, 1_000);
        assert_eq!(
            verbs(&found),
            [("ADDMEMBER", "Agent/31"), ("ADDMEMBER", "Agent/32"), ("PAUSE", "Agent/32")]
        );
        assert_eq!(t.resynced.members_changed, 2);
        // What it knows goes into a service's JSON checkpoint and comes back the same.
        let saved = serde_json::to_string(&t).unwrap();
        assert_eq!(serde_json::from_str::<Translator>(&saved).unwrap(), t);
        let unpaused = t.event(
            &event(&[
                ("Event", "QueueMemberPaused"),
                ("Queue", "potholes"),
                ("Location", "Local/32@agents"),
                ("MemberName", "Agent/32"),
                ("Paused", "0"),
            ]),
            2_000,
        );
        assert_eq!(verbs(&unpaused), [("UNPAUSE", "Agent/32")]);
        // A status that repeats what is known changes nothing.
        let same = t.event(
            &event(&[
                ("Event", "QueueMemberStatus"),
                ("Queue", "potholes"),
                ("MemberName", "Agent/32"),
                ("Status", "2"),
                ("Paused", "0"),
            ]),
            3_000,
        );
        assert!(same.is_empty());
    }

    #[test]
    fn a_leave_while_ringing_waits_for_the_connect_and_one_without_is_a_dequeue() {
        let mut t = Translator::new();
        let call = |name: &str, extra: &[(&str, &str)]| {
            let mut fields = vec![("Event", name), ("Queue", "permits"), ("Uniqueid", "7.1")];
            fields.extend_from_slice(extra);
            event(&fields)
        };
        t.event(&call("QueueCallerJoin", &[]), 0);
        t.event(&call("AgentCalled", &[("MemberName", "Agent/4")]), 5_000);
        assert!(t.event(&call("QueueCallerLeave", &[]), 9_000).is_empty());
        let connect = t.event(&call("AgentConnect", &[("MemberName", "Agent/4")]), 9_000);
        assert_eq!(verbs(&connect), [("CONNECT", "Agent/4")]);
        // The next caller rings an agent, then the queue's timeout ends the wait: no connect
        // follows, and the leave becomes a dequeue at the time it left.
        let second =
            |name: &str| event(&[("Event", name), ("Queue", "permits"), ("Uniqueid", "7.2")]);
        t.event(&second("QueueCallerJoin"), 10_000);
        t.event(&second("AgentCalled"), 11_000);
        assert!(t.event(&second("QueueCallerLeave"), 40_000).is_empty());
        let later = t.tick(40_000 + LEAVE_GRACE_MS);
        assert_eq!(verbs(&later), [("EXITWITHTIMEOUT", "NONE")]);
        assert_eq!(later[0].at, 40_000);
        // Without a phone ringing, a leave is a dequeue at once.
        let third =
            |name: &str| event(&[("Event", name), ("Queue", "permits"), ("Uniqueid", "7.3")]);
        t.event(&third("QueueCallerJoin"), 50_000);
        assert_eq!(
            verbs(&t.event(&third("QueueCallerLeave"), 60_000)),
            [("EXITWITHTIMEOUT", "NONE")]
        );
    }

    #[test]
    fn event_times_come_from_the_timestamp_field() {
        let m = event(&[("Event", "QueueCallerJoin"), ("Timestamp", "1795438800.250713")]);
        assert_eq!(event_time(&m, 5), 1_795_438_800_250);
        assert_eq!(event_time(&event(&[("Event", "X")]), 5), 5);
        assert_eq!(event_time(&event(&[("Timestamp", "soon")]), 5), 5);
    }
}
