//! Requests from one area of the screen to another: a consultation outcome offers a ticket,
//! the legal-aid check or a lawyer on video; a ticket or a call asks for a rating. The area
//! that owns the page handles the request; the one asking does not know it.

use crate::domain::rating::ServiceKind;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Intent {
    /// The services with their waiting counts (取号).
    OpenServices,
    /// A ticket for this service, now.
    TakeTicket { service: String },
    /// A ticket issued elsewhere (an appointment's check-in): show it and print it.
    ShowTicket(Box<crate::services::Ticket>),
    /// The legal-aid self-check; `suggested` highlights the rule items a consultation
    /// outcome rests on.
    LegalAidCheck { suggested: Vec<String> },
    /// A video call with a lawyer about this consultation category.
    VideoCall { category: Option<String> },
    /// The video call of a booked consultation the citizen just checked in for (it waits
    /// ahead of calls without a booking).
    BookedVideoCall,
    /// Rate a service event; `subject` names it for the citizen (else the kind's name).
    Rate {
        kind: ServiceKind,
        id: String,
        subject: Option<String>,
    },
    /// A service event was rated (its page shows it as rated).
    Rated { kind: ServiceKind, id: String },
    /// The institutions of a kind near this terminal (an outcome's "go to a notary office");
    /// `kind` is the catalogue's institution kind id. Not handled when the terminal's
    /// directory has no institution of that kind.
    FindInstitutions { kind: String },
    /// 预约签到: check in for an appointment (from the booking page, when booking cannot be
    /// done now).
    CheckIn,
    /// The staff PIN pad (a key switch, a gesture).
    OpenPinPad,
    /// Staff to follow a consultation up by telephone (`summary` names the matter, in
    /// Chinese for the centre's staff): a request the citizen agrees to first.
    FollowUp { summary: String },
}
