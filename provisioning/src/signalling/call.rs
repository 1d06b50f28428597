//! One call as the registry sees it: waiting in its region's queue, answered by a lawyer
//! (the peers negotiate), connected (media flows), ended. Pure state; the registry's hub
//! applies transitions and sends the frames they imply.

use serde::{Deserialize, Serialize};

/// A side of the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Party {
    /// The citizen at the terminal.
    Citizen,
    /// The lawyer at the console.
    Lawyer,
    /// The registry itself (shutdown).
    Registry,
}

impl Party {
    /// The name used in events and logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Citizen => "citizen",
            Self::Lawyer => "lawyer",
            Self::Registry => "registry",
        }
    }
}

/// Why a call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HangupReason {
    /// Someone pressed hang up.
    Normal,
    /// The citizen left the queue before an answer.
    Cancelled,
    /// Nobody answered within the terminal's waiting time.
    NoAnswer,
    /// The terminal lost the media connection and could not restore it in time.
    NetworkLost,
    /// Media could not be set up (ICE or DTLS failed).
    MediaFailed,
    /// A side's signalling connection dropped.
    PeerGone,
    /// The registry is stopping.
    Shutdown,
}

impl HangupReason {
    /// The name used in events and logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Normal => "normal",
            Self::Cancelled => "cancelled",
            Self::NoAnswer => "no_answer",
            Self::NetworkLost => "network_lost",
            Self::MediaFailed => "media_failed",
            Self::PeerGone => "peer_gone",
            Self::Shutdown => "shutdown",
        }
    }
}

/// Where a call is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallPhase {
    /// In the region's queue.
    Waiting,
    /// A lawyer took it; offer, answer and candidates are being exchanged.
    Answered {
        /// The lawyer's account name.
        lawyer: String,
    },
    /// The terminal reported media flowing.
    Connected {
        /// The lawyer's account name.
        lawyer: String,
    },
    /// Over.
    Ended {
        /// Who ended it.
        by: Party,
        /// Why.
        reason: HangupReason,
    },
}

/// Something that happens to a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallTransition {
    /// A lawyer answers.
    Answer {
        /// The lawyer's account name.
        lawyer: String,
    },
    /// The terminal reports media flowing.
    MediaConnected,
    /// A side hangs up (or its connection dropped: reason `PeerGone`).
    Hangup {
        /// Who.
        by: Party,
        /// Why.
        reason: HangupReason,
    },
    /// The terminal sends its offer.
    Offer,
    /// The lawyer sends the answer.
    AnswerSdp,
    /// A side sends a candidate.
    Candidate {
        /// Whose.
        from: Party,
    },
}

/// A transition the call's phase does not allow.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{transition} is not allowed while the call is {phase}")]
pub struct InvalidTransition {
    /// The phase's name.
    pub phase: &'static str,
    /// The transition's name.
    pub transition: &'static str,
}

impl CallPhase {
    /// The phase's name (`waiting`, `answered`, `connected`, `ended`).
    pub fn name(&self) -> &'static str {
        match self {
            Self::Waiting => "waiting",
            Self::Answered { .. } => "answered",
            Self::Connected { .. } => "connected",
            Self::Ended { .. } => "ended",
        }
    }

    /// The lawyer on the call, once answered.
    pub fn lawyer(&self) -> Option<&str> {
        match self {
            Self::Answered { lawyer } | Self::Connected { lawyer } => Some(lawyer),
            _ => None,
        }
    }

    /// The phase after `transition`, or why it is refused. Relay transitions (offer, answer,
    /// candidates) leave the phase as it is when allowed.
    pub fn apply(&self, transition: &CallTransition) -> Result<CallPhase, InvalidTransition> {
        use CallTransition as T;
        let refuse = || InvalidTransition {
            phase: self.name(),
            transition: transition_name(transition),
        };
        match (self, transition) {
            (Self::Ended { .. }, _) => Err(refuse()),
            (Self::Waiting, T::Answer { lawyer }) => Ok(Self::Answered {
                lawyer: lawyer.clone(),
            }),
            (Self::Answered { lawyer }, T::MediaConnected) => Ok(Self::Connected {
                lawyer: lawyer.clone(),
            }),
            (Self::Connected { .. }, T::MediaConnected) => Ok(self.clone()),
            (
                Self::Waiting,
                T::Hangup {
                    by: Party::Lawyer, ..
                },
            ) => Err(refuse()),
            (_, T::Hangup { by, reason }) => Ok(Self::Ended {
                by: *by,
                reason: *reason,
            }),
            (Self::Answered { .. } | Self::Connected { .. }, T::Offer | T::AnswerSdp) => {
                Ok(self.clone())
            }
            (
                Self::Answered { .. } | Self::Connected { .. },
                T::Candidate {
                    from: Party::Citizen | Party::Lawyer,
                },
            ) => Ok(self.clone()),
            _ => Err(refuse()),
        }
    }
}

fn transition_name(t: &CallTransition) -> &'static str {
    match t {
        CallTransition::Answer { .. } => "answer",
        CallTransition::MediaConnected => "media_connected",
        CallTransition::Hangup { .. } => "hangup",
        CallTransition::Offer => "offer",
        CallTransition::AnswerSdp => "answer sdp",
        CallTransition::Candidate { .. } => "ice candidate",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answered() -> CallPhase {
        CallPhase::Answered {
            lawyer: "wang".into(),
        }
    }

    #[test]
    fn a_call_goes_waiting_answered_connected_ended() {
        let p = CallPhase::Waiting
            .apply(&CallTransition::Answer {
                lawyer: "wang".into(),
            })
            .unwrap();
        assert_eq!(p, answered());
        assert_eq!(p.lawyer(), Some("wang"));
        let p = p.apply(&CallTransition::Offer).unwrap();
        let p = p.apply(&CallTransition::AnswerSdp).unwrap();
        let p = p
            .apply(&CallTransition::Candidate {
                from: Party::Lawyer,
            })
            .unwrap();
        let p = p.apply(&CallTransition::MediaConnected).unwrap();
        assert_eq!(p.name(), "connected");
        let p = p
            .apply(&CallTransition::Hangup {
                by: Party::Lawyer,
                reason: HangupReason::Normal,
            })
            .unwrap();
        assert_eq!(
            p,
            CallPhase::Ended {
                by: Party::Lawyer,
                reason: HangupReason::Normal
            }
        );
    }

    #[test]
    fn media_cannot_be_negotiated_before_a_lawyer_answers() {
        for t in [
            CallTransition::Offer,
            CallTransition::AnswerSdp,
            CallTransition::MediaConnected,
            CallTransition::Candidate {
                from: Party::Citizen,
            },
        ] {
            let err = CallPhase::Waiting.apply(&t).unwrap_err();
            assert_eq!(err.phase, "waiting");
        }
    }

    #[test]
    fn a_waiting_call_is_answered_once() {
        let err = answered()
            .apply(&CallTransition::Answer {
                lawyer: "li".into(),
            })
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "answer is not allowed while the call is answered"
        );
    }

    #[test]
    fn the_citizen_may_leave_the_queue_but_nothing_happens_after_the_end() {
        let ended = CallPhase::Waiting
            .apply(&CallTransition::Hangup {
                by: Party::Citizen,
                reason: HangupReason::Cancelled,
            })
            .unwrap();
        assert_eq!(ended.name(), "ended");
        for t in [
            CallTransition::Answer {
                lawyer: "wang".into(),
            },
            CallTransition::Hangup {
                by: Party::Lawyer,
                reason: HangupReason::Normal,
            },
            CallTransition::Offer,
        ] {
            assert!(ended.apply(&t).is_err(), "{t:?} after the end");
        }
        // A lawyer cannot hang up a call that is not theirs yet.
        assert!(
            CallPhase::Waiting
                .apply(&CallTransition::Hangup {
                    by: Party::Lawyer,
                    reason: HangupReason::Normal
                })
                .is_err()
        );
    }
}
