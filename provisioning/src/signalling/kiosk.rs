//! The terminal's view of its call: what the citizen's screen shows and what the terminal
//! tells the registry at each step. Pure state: the call engine feeds it what happens
//! (frames, media state, timers) and sends the frames it returns.

use super::call::{HangupReason, Party};
use super::messages::KioskToServer;

/// Where the terminal's call is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KioskCallState {
    /// No call.
    Idle,
    /// Opening the signalling connection.
    Connecting,
    /// In the queue.
    Waiting {
        /// The call's id.
        call_id: String,
        /// 1 = next.
        position: u32,
        /// Lawyers on duty for the region.
        lawyers_online: u32,
    },
    /// A lawyer answered; media is being set up.
    Negotiating {
        /// The call's id.
        call_id: String,
    },
    /// Talking.
    InCall {
        /// The call's id.
        call_id: String,
    },
    /// Media stopped flowing; waiting a few seconds for it to come back.
    Interrupted {
        /// The call's id.
        call_id: String,
    },
    /// Over.
    Ended {
        /// Who ended it.
        by: Party,
        /// Why.
        reason: HangupReason,
        /// Whether a lawyer had answered (then the citizen is asked to rate).
        answered: bool,
    },
}

/// What happens to the terminal's call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KioskCallStep {
    /// The citizen asked for a call; the terminal connects.
    Start,
    /// The registry queued the call (or updated its position).
    Queued {
        /// The call's id.
        call_id: String,
        /// 1 = next.
        position: u32,
        /// Lawyers on duty.
        lawyers_online: u32,
    },
    /// A lawyer answered.
    Answered {
        /// The call's id.
        call_id: String,
    },
    /// ICE connected: media flows.
    MediaConnected,
    /// ICE disconnected or failed during the call.
    MediaInterrupted,
    /// Media came back within the grace time.
    MediaRestored,
    /// Media did not come back within the grace time.
    RestoreTimedOut,
    /// Nobody answered within the waiting time.
    AnswerTimedOut,
    /// The citizen pressed cancel or hang up.
    CitizenHangup,
    /// The registry says the call is over.
    RemoteEnded {
        /// Who ended it.
        by: Party,
        /// Why.
        reason: HangupReason,
    },
    /// The signalling connection dropped or could not be opened.
    SignallingLost,
    /// Media could not be set up.
    MediaFailed,
}

impl KioskCallState {
    /// Whether a call is in progress (anything but idle or ended).
    pub fn is_active(&self) -> bool {
        !matches!(self, Self::Idle | Self::Ended { .. })
    }

    fn answered(&self) -> bool {
        matches!(
            self,
            Self::Negotiating { .. } | Self::InCall { .. } | Self::Interrupted { .. }
        )
    }

    /// The state after `step` and the frame to send to the registry, if any. Steps that do
    /// not apply (a late frame after the end, a second start) leave the state unchanged.
    pub fn apply(&self, step: KioskCallStep) -> (KioskCallState, Option<KioskToServer>) {
        use KioskCallStep as S;
        let ended = |by: Party, reason: HangupReason| KioskCallState::Ended {
            by,
            reason,
            answered: self.answered(),
        };
        let hangup = |reason: HangupReason| Some(KioskToServer::Hangup { reason });
        match (self, step) {
            (Self::Idle | Self::Ended { .. }, S::Start) => (Self::Connecting, None),
            (Self::Idle | Self::Ended { .. }, _) => (self.clone(), None),
            (
                Self::Connecting | Self::Waiting { .. },
                S::Queued {
                    call_id,
                    position,
                    lawyers_online,
                },
            ) => (
                Self::Waiting {
                    call_id,
                    position,
                    lawyers_online,
                },
                None,
            ),
            (Self::Waiting { .. } | Self::Connecting, S::Answered { call_id }) => {
                (Self::Negotiating { call_id }, None)
            }
            (Self::Negotiating { call_id } | Self::Interrupted { call_id }, S::MediaConnected)
            | (Self::Interrupted { call_id }, S::MediaRestored) => (
                Self::InCall {
                    call_id: call_id.clone(),
                },
                Some(KioskToServer::MediaConnected),
            ),
            (Self::InCall { call_id }, S::MediaInterrupted) => (
                Self::Interrupted {
                    call_id: call_id.clone(),
                },
                None,
            ),
            (Self::Interrupted { .. }, S::RestoreTimedOut) => (
                ended(Party::Citizen, HangupReason::NetworkLost),
                hangup(HangupReason::NetworkLost),
            ),
            (Self::Connecting | Self::Waiting { .. }, S::AnswerTimedOut) => (
                ended(Party::Citizen, HangupReason::NoAnswer),
                hangup(HangupReason::NoAnswer),
            ),
            (Self::Connecting | Self::Waiting { .. }, S::CitizenHangup) => (
                ended(Party::Citizen, HangupReason::Cancelled),
                hangup(HangupReason::Cancelled),
            ),
            (_, S::CitizenHangup) => (
                ended(Party::Citizen, HangupReason::Normal),
                hangup(HangupReason::Normal),
            ),
            (_, S::RemoteEnded { by, reason }) => (ended(by, reason), None),
            (_, S::SignallingLost) => (ended(Party::Registry, HangupReason::PeerGone), None),
            (Self::Negotiating { .. } | Self::Interrupted { .. }, S::MediaFailed) => (
                ended(Party::Citizen, HangupReason::MediaFailed),
                hangup(HangupReason::MediaFailed),
            ),
            (state, _) => (state.clone(), None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn waiting(position: u32) -> KioskCallStep {
        KioskCallStep::Queued {
            call_id: "c1".into(),
            position,
            lawyers_online: 1,
        }
    }

    fn run(steps: Vec<KioskCallStep>) -> (KioskCallState, Vec<KioskToServer>) {
        let mut state = KioskCallState::Idle;
        let mut sent = Vec::new();
        for step in steps {
            let (next, frame) = state.apply(step);
            state = next;
            sent.extend(frame);
        }
        (state, sent)
    }

    #[test]
    fn a_normal_call_ends_answered_and_reports_media() {
        use KioskCallStep as S;
        let (state, sent) = run(vec![
            S::Start,
            waiting(2),
            waiting(1),
            S::Answered {
                call_id: "c1".into(),
            },
            S::MediaConnected,
            S::CitizenHangup,
        ]);
        assert_eq!(
            state,
            KioskCallState::Ended {
                by: Party::Citizen,
                reason: HangupReason::Normal,
                answered: true
            }
        );
        assert_eq!(
            sent,
            vec![
                KioskToServer::MediaConnected,
                KioskToServer::Hangup {
                    reason: HangupReason::Normal
                }
            ]
        );
    }

    #[test]
    fn waiting_too_long_ends_unanswered_and_tells_the_registry() {
        let (state, sent) = run(vec![
            KioskCallStep::Start,
            waiting(3),
            KioskCallStep::AnswerTimedOut,
        ]);
        assert_eq!(
            state,
            KioskCallState::Ended {
                by: Party::Citizen,
                reason: HangupReason::NoAnswer,
                answered: false
            }
        );
        assert_eq!(
            sent,
            vec![KioskToServer::Hangup {
                reason: HangupReason::NoAnswer
            }]
        );
    }

    #[test]
    fn a_short_interruption_is_survived_and_a_long_one_ends_the_call() {
        use KioskCallStep as S;
        let start = vec![
            S::Start,
            waiting(1),
            S::Answered {
                call_id: "c1".into(),
            },
            S::MediaConnected,
            S::MediaInterrupted,
        ];
        let (state, _) = run(start.clone());
        assert!(state.is_active());
        let mut restored = start.clone();
        restored.push(S::MediaRestored);
        assert!(matches!(run(restored).0, KioskCallState::InCall { .. }));
        let mut lost = start;
        lost.push(S::RestoreTimedOut);
        let (state, sent) = run(lost);
        assert_eq!(
            state,
            KioskCallState::Ended {
                by: Party::Citizen,
                reason: HangupReason::NetworkLost,
                answered: true
            }
        );
        assert_eq!(
            sent.last(),
            Some(&KioskToServer::Hangup {
                reason: HangupReason::NetworkLost
            })
        );
    }

    #[test]
    fn cancel_while_waiting_and_late_frames_after_the_end() {
        use KioskCallStep as S;
        let (state, sent) = run(vec![S::Start, waiting(1), S::CitizenHangup]);
        assert!(matches!(
            state,
            KioskCallState::Ended {
                reason: HangupReason::Cancelled,
                ..
            }
        ));
        assert_eq!(sent.len(), 1);
        // An answer racing the cancel does not reopen the call.
        let (after, frame) = state.apply(S::Answered {
            call_id: "c1".into(),
        });
        assert_eq!(after, state);
        assert_eq!(frame, None);
    }

    #[test]
    fn the_lawyer_hanging_up_or_the_registry_vanishing_ends_the_call() {
        use KioskCallStep as S;
        let answered = vec![
            S::Start,
            waiting(1),
            S::Answered {
                call_id: "c1".into(),
            },
        ];
        let mut by_lawyer = answered.clone();
        by_lawyer.push(S::RemoteEnded {
            by: Party::Lawyer,
            reason: HangupReason::Normal,
        });
        assert_eq!(
            run(by_lawyer).0,
            KioskCallState::Ended {
                by: Party::Lawyer,
                reason: HangupReason::Normal,
                answered: true
            }
        );
        let mut lost = answered;
        lost.push(S::SignallingLost);
        let (state, sent) = run(lost);
        assert!(matches!(
            state,
            KioskCallState::Ended {
                reason: HangupReason::PeerGone,
                ..
            }
        ));
        assert!(
            sent.is_empty(),
            "nothing can be sent on a dropped connection"
        );
    }
}
