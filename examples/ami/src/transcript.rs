//! What Asterisk's manager would have sent for the calls of a `queue_log`: the events of each
//! line, in Asterisk 13+'s field layout (the channel snapshot fields, then the event's own,
//! as the Asterisk documentation's `ManagerEvent_QueueCallerJoin`, `_AgentConnect`, ... pages
//! and `apps/app_queue.c` give them), with `Timestamp` fields as `timestampevents = yes` adds,
//! and a `QueueStatus` answer for any moment. A switch played back, for the tests, the
//! benchmarks and a site trying the manager source without a switch.
//!
//! The order is Asterisk's: an answered caller's `QueueCallerLeave` comes after `AgentCalled`
//! and before `AgentConnect` (`try_calling` leaves the queue, "to prepare for next caller",
//! before it logs `CONNECT`); an abandoning caller's `QueueCallerAbandon` before its
//! `QueueCallerLeave`.

use std::collections::BTreeMap;

use callboard_core::calendar::Timestamp;
use callboard_queue_log::{Record, Verb};

use crate::protocol::Message;

#[derive(Debug, Clone)]
struct Caller {
    entered_at: Timestamp,
    number: String,
    channel: String,
}

/// A switch played back from a log: its queues' callers and members as the log has them so
/// far.
#[derive(Debug, Default, Clone)]
pub struct Switch {
    /// Callers waiting, by queue, in order.
    waiting: BTreeMap<String, Vec<(String, Caller)>>,
    /// Calls connected: call → (queue, member, caller, connected at).
    connected: BTreeMap<String, (String, String, Caller, Timestamp)>,
    /// Members: (queue, member) → paused.
    members: BTreeMap<(String, String), bool>,
    channels: usize,
}

fn stamp(at: Timestamp) -> String {
    format!("{}.{:03}000", at / 1000, at % 1000)
}

impl Switch {
    /// A switch with no one on it.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    fn caller_fields(caller: &Caller, call: &str) -> Vec<(String, String)> {
        [
            ("Channel", caller.channel.as_str()),
            ("ChannelState", "6"),
            ("ChannelStateDesc", "Up"),
            ("CallerIDNum", caller.number.as_str()),
            ("CallerIDName", "<unknown>"),
            ("ConnectedLineNum", "<unknown>"),
            ("ConnectedLineName", "<unknown>"),
            ("Language", "en"),
            ("AccountCode", ""),
            ("Context", "from-311"),
            ("Exten", "311"),
            ("Priority", "3"),
            ("Uniqueid", call),
            ("Linkedid", call),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
    }

    fn message(
        event: &str,
        at: Timestamp,
        mut fields: Vec<(String, String)>,
        tail: &[(&str, String)],
    ) -> Message {
        let mut all = vec![
            ("Event".to_owned(), event.to_owned()),
            ("Privilege".to_owned(), "agent,all".to_owned()),
            ("Timestamp".to_owned(), stamp(at)),
        ];
        all.append(&mut fields);
        all.extend(tail.iter().map(|(k, v)| ((*k).to_owned(), v.clone())));
        Message { fields: all }
    }

    fn agent_fields(member: &str, call: &str, at: Timestamp) -> Vec<(&'static str, String)> {
        vec![
            ("DestChannel", format!("{member}-{:08x}", at % 0xffff_ffff)),
            ("DestChannelState", "6".into()),
            ("DestChannelStateDesc", "Up".into()),
            ("DestCallerIDNum", member.rsplit('/').next().unwrap_or(member).to_owned()),
            ("DestUniqueid", format!("{call}.1")),
            ("Interface", member.to_owned()),
            ("MemberName", member.to_owned()),
        ]
    }

    fn member_event(
        event: &str,
        at: Timestamp,
        queue: &str,
        member: &str,
        paused: bool,
        reason: &str,
    ) -> Message {
        Self::message(
            event,
            at,
            Vec::new(),
            &[
                ("Queue", queue.to_owned()),
                ("MemberName", member.to_owned()),
                ("Interface", member.to_owned()),
                ("StateInterface", member.to_owned()),
                ("Membership", "dynamic".into()),
                ("Penalty", "0".into()),
                ("CallsTaken", "0".into()),
                ("LastCall", "0".into()),
                ("LastPause", "0".into()),
                ("InCall", "0".into()),
                ("Status", "1".into()),
                ("Paused", if paused { "1" } else { "0" }.into()),
                ("PausedReason", reason.to_owned()),
                ("Ringinuse", "0".into()),
                ("Wrapuptime", "0".into()),
            ],
        )
    }

    fn leave(
        &mut self,
        queue: &str,
        call: &str,
        at: Timestamp,
    ) -> Option<(Message, Caller, usize)> {
        let line = self.waiting.get_mut(queue)?;
        let index = line.iter().position(|(c, _)| c == call)?;
        let (_, caller) = line.remove(index);
        let count = line.len();
        let mut fields = Self::caller_fields(&caller, call);
        fields.push(("Queue".into(), queue.to_owned()));
        fields.push(("Count".into(), count.to_string()));
        fields.push(("Position".into(), (index + 1).to_string()));
        Some((Self::message("QueueCallerLeave", at, fields, &[]), caller, index + 1))
    }

    /// The events one line of the log means, the switch moved on by it.
    pub fn events(&mut self, record: &Record) -> Vec<Message> {
        let (at, call, queue, agent) =
            (record.at, record.callid.as_str(), record.queue.as_str(), record.agent.as_str());
        let mut out = Vec::new();
        match &record.verb {
            Verb::EnterQueue => {
                self.channels += 1;
                let caller = Caller {
                    entered_at: at,
                    number: record
                        .data
                        .get(1)
                        .cloned()
                        .filter(|n| !n.is_empty())
                        .unwrap_or_else(|| "anonymous".into()),
                    channel: format!("PJSIP/trunk-{:08x}", self.channels),
                };
                let line = self.waiting.entry(queue.to_owned()).or_default();
                line.push((call.to_owned(), caller.clone()));
                let mut fields = Self::caller_fields(&caller, call);
                fields.push(("Queue".into(), queue.to_owned()));
                fields.push(("Position".into(), line.len().to_string()));
                fields.push(("Count".into(), line.len().to_string()));
                out.push(Self::message("QueueCallerJoin", at, fields, &[]));
            }
            Verb::Connect => {
                let caller = self
                    .waiting
                    .get(queue)
                    .and_then(|l| l.iter().find(|(c, _)| c == call))
                    .map(|(_, c)| c.clone());
                let Some(caller) = caller else { return out };
                let mut called = Self::caller_fields(&caller, call);
                called.extend(
                    Self::agent_fields(agent, call, at).into_iter().map(|(k, v)| (k.to_owned(), v)),
                );
                called.push(("Queue".into(), queue.to_owned()));
                out.push(Self::message("AgentCalled", at, called, &[]));
                if let Some((leave, caller, _)) = self.leave(queue, call, at) {
                    out.push(leave);
                    let mut fields = Self::caller_fields(&caller, call);
                    fields.extend(
                        Self::agent_fields(agent, call, at)
                            .into_iter()
                            .map(|(k, v)| (k.to_owned(), v)),
                    );
                    let hold = (at.saturating_sub(caller.entered_at) / 1000).to_string();
                    out.push(Self::message(
                        "AgentConnect",
                        at,
                        fields,
                        &[
                            ("Queue", queue.to_owned()),
                            ("HoldTime", hold),
                            ("RingTime", "0".into()),
                        ],
                    ));
                    self.connected
                        .insert(call.to_owned(), (queue.to_owned(), agent.to_owned(), caller, at));
                }
            }
            Verb::CompleteCaller
            | Verb::CompleteAgent
            | Verb::Transfer
            | Verb::BlindTransfer
            | Verb::AttendedTransfer => {
                let Some((queue, member, caller, connected_at)) = self.connected.remove(call)
                else {
                    return out;
                };
                let reason = match record.verb {
                    Verb::CompleteCaller => "caller",
                    Verb::CompleteAgent => "agent",
                    _ => "transfer",
                };
                let mut fields = Self::caller_fields(&caller, call);
                fields.extend(
                    Self::agent_fields(&member, call, connected_at)
                        .into_iter()
                        .map(|(k, v)| (k.to_owned(), v)),
                );
                let hold = (connected_at.saturating_sub(caller.entered_at) / 1000).to_string();
                let talk = (at.saturating_sub(connected_at) / 1000).to_string();
                out.push(Self::message(
                    "AgentComplete",
                    at,
                    fields,
                    &[
                        ("Queue", queue),
                        ("HoldTime", hold),
                        ("TalkTime", talk),
                        ("Reason", reason.into()),
                    ],
                ));
            }
            Verb::Abandon => {
                let original = self
                    .waiting
                    .get(queue)
                    .and_then(|l| l.iter().position(|(c, _)| c == call))
                    .map_or(1, |i| i + 1);
                if let Some((leave, caller, position)) = self.leave(queue, call, at) {
                    let mut fields = Self::caller_fields(&caller, call);
                    fields.push(("Queue".into(), queue.to_owned()));
                    fields.push(("Position".into(), position.to_string()));
                    fields.push(("OriginalPosition".into(), original.to_string()));
                    fields.push((
                        "HoldTime".into(),
                        (at.saturating_sub(caller.entered_at) / 1000).to_string(),
                    ));
                    out.push(Self::message("QueueCallerAbandon", at, fields, &[]));
                    out.push(leave);
                }
            }
            Verb::ExitWithTimeout | Verb::ExitEmpty | Verb::ExitWithKey | Verb::Withdraw => {
                if let Some((leave, _, _)) = self.leave(queue, call, at) {
                    out.push(leave);
                }
            }
            Verb::RingNoAnswer => {
                out.push(Self::message(
                    "AgentRingNoAnswer",
                    at,
                    Vec::new(),
                    &[
                        ("Queue", queue.to_owned()),
                        ("Uniqueid", call.to_owned()),
                        ("Interface", agent.to_owned()),
                        ("MemberName", agent.to_owned()),
                        ("RingTime", "15".into()),
                    ],
                ));
            }
            Verb::AddMember | Verb::AgentLogin | Verb::AgentCallbackLogin => {
                let added =
                    self.members.insert((queue.to_owned(), agent.to_owned()), false).is_none();
                if added {
                    out.push(Self::member_event("QueueMemberAdded", at, queue, agent, false, ""));
                }
            }
            Verb::RemoveMember | Verb::AgentLogoff | Verb::AgentCallbackLogoff => {
                let removed = self.members.remove(&(queue.to_owned(), agent.to_owned())).is_some();
                if removed {
                    out.push(Self::member_event("QueueMemberRemoved", at, queue, agent, false, ""));
                }
            }
            Verb::Pause | Verb::Unpause | Verb::PauseAll | Verb::UnpauseAll => {
                let paused = matches!(record.verb, Verb::Pause | Verb::PauseAll);
                let reason = if paused {
                    record.data.first().cloned().unwrap_or_default()
                } else {
                    String::new()
                };
                let queues: Vec<String> = if matches!(
                    record.verb,
                    Verb::PauseAll | Verb::UnpauseAll
                ) || queue == "NONE"
                {
                    self.members
                        .keys()
                        .filter(|(_, m)| m == agent)
                        .map(|(q, _)| q.clone())
                        .collect()
                } else {
                    vec![queue.to_owned()]
                };
                for q in queues {
                    self.members.insert((q.clone(), agent.to_owned()), paused);
                    out.push(Self::member_event(
                        "QueueMemberPause",
                        at,
                        &q,
                        agent,
                        paused,
                        &reason,
                    ));
                }
            }
            _ => {}
        }
        out
    }

    /// The answer to `Action: QueueStatus` at `at`, as Asterisk lists it (a response, then
    /// `QueueParams`, its `QueueMember`s and `QueueEntry`s per queue, then
    /// `QueueStatusComplete`), each with `action_id`. The complete event carries a
    /// `Timestamp`, which a played-back switch needs for its clock.
    #[must_use]
    pub fn status(&self, at: Timestamp, action_id: &str) -> Vec<Message> {
        let id = ("ActionID", action_id.to_owned());
        let mut out = vec![Message::new([
            ("Response", "Success"),
            ("ActionID", action_id),
            ("EventList", "start"),
            ("Message", "Queue status will follow"),
        ])];
        let mut queues: Vec<&String> = self.waiting.keys().collect();
        queues.extend(self.members.keys().map(|(q, _)| q));
        queues.sort();
        queues.dedup();
        let mut listed = 0;
        for queue in queues {
            let waiting = self.waiting.get(queue).map_or(&[][..], Vec::as_slice);
            out.push(Self::message(
                "QueueParams",
                at,
                Vec::new(),
                &[
                    ("Queue", queue.clone()),
                    ("Max", "0".into()),
                    ("Strategy", "rrmemory".into()),
                    ("Calls", waiting.len().to_string()),
                    id.clone(),
                ],
            ));
            for ((_, member), paused) in self
                .members
                .range((queue.clone(), String::new())..)
                .take_while(|((q, _), _)| q == queue)
            {
                let in_call = self.connected.values().any(|(q, m, _, _)| q == queue && m == member);
                out.push(Self::message(
                    "QueueMember",
                    at,
                    Vec::new(),
                    &[
                        ("Queue", queue.clone()),
                        ("Name", member.clone()),
                        ("Location", member.clone()),
                        ("StateInterface", member.clone()),
                        ("Membership", "dynamic".into()),
                        ("InCall", if in_call { "1" } else { "0" }.into()),
                        ("Status", if in_call { "2" } else { "1" }.into()),
                        ("Paused", if *paused { "1" } else { "0" }.into()),
                        ("PausedReason", String::new()),
                        id.clone(),
                    ],
                ));
                listed += 1;
            }
            // Members only heard of on a call (static members log no login).
            for (q, member, _, _) in self.connected.values() {
                if q == queue && !self.members.contains_key(&(q.clone(), member.clone())) {
                    out.push(Self::message(
                        "QueueMember",
                        at,
                        Vec::new(),
                        &[
                            ("Queue", queue.clone()),
                            ("Name", member.clone()),
                            ("Location", member.clone()),
                            ("Membership", "static".into()),
                            ("InCall", "1".into()),
                            ("Status", "2".into()),
                            ("Paused", "0".into()),
                            id.clone(),
                        ],
                    ));
                    listed += 1;
                }
            }
            for (position, (call, caller)) in waiting.iter().enumerate() {
                out.push(Self::message(
                    "QueueEntry",
                    at,
                    Vec::new(),
                    &[
                        ("Queue", queue.clone()),
                        ("Position", (position + 1).to_string()),
                        ("Channel", caller.channel.clone()),
                        ("Uniqueid", call.clone()),
                        ("CallerIDNum", caller.number.clone()),
                        ("Wait", (at.saturating_sub(caller.entered_at) / 1000).to_string()),
                        ("Priority", "0".into()),
                        id.clone(),
                    ],
                ));
                listed += 1;
            }
        }
        out.push(Self::message(
            "QueueStatusComplete",
            at,
            Vec::new(),
            &[id.clone(), ("EventList", "Complete".into()), ("ListItems", listed.to_string())],
        ));
        out
    }

    /// The calls waiting now, by their unique ids.
    #[must_use]
    pub fn waiting(&self) -> Vec<String> {
        self.waiting.values().flatten().map(|(call, _)| call.clone()).collect()
    }
}
