//! The verbs of Asterisk's `queue_log`: what each line says happened. One type for the reader,
//! the replay, the simulator and the converters, so a verb is spelled in exactly one place.
//!
//! The names are Asterisk's (`apps/app_queue.c`, and QueueMetrics' `CALLOUTBOUND`); what each
//! means to the figures is in [`crate::replay`]. A verb this list does not know is kept as it
//! was written ([`Verb::Other`]), and the replay counts it once per verb.

use std::fmt;

macro_rules! verbs {
    ($($(#[$doc:meta])* $variant:ident = $text:literal,)*) => {
        /// One `queue_log` verb.
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Verb {
            $($(#[$doc])* $variant,)*
            /// A verb not in this list (a custom application's), upper case as read.
            Other(String),
        }

        impl Verb {
            /// The verb as Asterisk writes it.
            #[must_use]
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $text,)*
                    Self::Other(text) => text,
                }
            }

            /// The verb a log's field names: case and surrounding spaces are ignored.
            #[must_use]
            pub fn read(field: &str) -> Self {
                let upper = field.trim().to_ascii_uppercase();
                match upper.as_str() {
                    $($text => Self::$variant,)*
                    _ => Self::Other(upper),
                }
            }
        }
    };
}

verbs! {
    /// A caller joined a queue.
    EnterQueue = "ENTERQUEUE",
    /// An agent answered the caller.
    Connect = "CONNECT",
    /// The caller hung up a connected call.
    CompleteCaller = "COMPLETECALLER",
    /// The agent hung up a connected call.
    CompleteAgent = "COMPLETEAGENT",
    /// The agent blind-transferred a connected call.
    BlindTransfer = "BLINDTRANSFER",
    /// The agent transferred a connected call after talking to the other side.
    AttendedTransfer = "ATTENDEDTRANSFER",
    /// A connected call transferred (older Asterisk).
    Transfer = "TRANSFER",
    /// The caller hung up while waiting.
    Abandon = "ABANDON",
    /// The queue's maximum wait ran out.
    ExitWithTimeout = "EXITWITHTIMEOUT",
    /// The queue had no agents able to take the call.
    ExitEmpty = "EXITEMPTY",
    /// The caller pressed a key to leave.
    ExitWithKey = "EXITWITHKEY",
    /// The call was withdrawn by an application.
    Withdraw = "WITHDRAW",
    /// An agent logged in (chan_agent).
    AgentLogin = "AGENTLOGIN",
    /// An agent logged in for call-back (old chan_agent).
    AgentCallbackLogin = "AGENTCALLBACKLOGIN",
    /// A member was added to a queue.
    AddMember = "ADDMEMBER",
    /// An agent logged off (chan_agent).
    AgentLogoff = "AGENTLOGOFF",
    /// A call-back agent logged off (old chan_agent).
    AgentCallbackLogoff = "AGENTCALLBACKLOGOFF",
    /// A member was removed from a queue.
    RemoveMember = "REMOVEMEMBER",
    /// A member paused, with a reason.
    Pause = "PAUSE",
    /// A member paused in every queue.
    PauseAll = "PAUSEALL",
    /// A member unpaused.
    Unpause = "UNPAUSE",
    /// A member unpaused in every queue.
    UnpauseAll = "UNPAUSEALL",
    /// Asterisk (re)started.
    QueueStart = "QUEUESTART",
    /// QueueMetrics' outbound dialling: the call is not a queue call.
    CallOutbound = "CALLOUTBOUND",
    /// A member's phone rang and was not answered.
    RingNoAnswer = "RINGNOANSWER",
    /// A ring attempt was cancelled.
    RingCanceled = "RINGCANCELED",
    /// An agent dumped the caller.
    AgentDump = "AGENTDUMP",
    /// A member's compatibility check.
    SysCompat = "SYSCOMPAT",
    /// A member was called.
    AgentCalled = "AGENTCALLED",
    /// The number the caller dialled.
    Did = "DID",
    /// The queue configuration was reloaded.
    ConfigReload = "CONFIGRELOAD",
    /// Free-form information.
    Info = "INFO",
    /// A caller was refused: the queue was empty.
    JoinEmpty = "JOINEMPTY",
    /// A caller was refused: the queue was full.
    Full = "FULL",
    /// A caller was refused: the queue was closed.
    Closed = "CLOSED",
    /// The caller was put on hold.
    CallerOnHold = "CALLERONHOLD",
    /// The caller was taken off hold.
    CallerOffHold = "CALLEROFFHOLD",
}

impl fmt::Display for Verb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

// Written and read as the log writes the verb: a saved replay (`Stepper::checkpoint`) reads like
// the log it came from.
impl serde::Serialize for Verb {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for Verb {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Ok(Self::read(&text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_as_written_and_written_as_read() {
        assert_eq!(Verb::read(" enterqueue "), Verb::EnterQueue);
        assert_eq!(Verb::EnterQueue.as_str(), "ENTERQUEUE");
        assert_eq!(Verb::read("MyApp_Step"), Verb::Other("MYAPP_STEP".into()));
        for verb in [Verb::Connect, Verb::ExitWithKey, Verb::CallerOffHold] {
            assert_eq!(Verb::read(verb.as_str()), verb);
        }
    }
}
