//! Second-generation resident ID card readers (GA 467 "SAM" serial protocol).
//!
//! Layers, bottom up: [`frame`] (preamble, length, XOR, reassembly), [`status`] (SW3
//! codes), [`command`] (host commands and their timeouts), [`text`] and [`read`] (the
//! 256-byte text block of the four card layouts, the read payload), [`id_number`] and
//! [`nation`] (GB 11643 check, GB 3304 and GB/T 2261.1 tables), [`driver`] (one blocking
//! serial port), [`probe`] (finding the port and rate), [`poller`] (the polling thread and
//! its events) and [`sim`] (a simulated module on a pseudo-terminal).
//!
//! Facts come from `reference/idcard.md`. Card data is personal: [`IdCard`] wipes itself
//! on drop, prints nothing personal in `Debug`, and is not `Serialize`; logs carry status
//! codes and card types only.
//!
//! ```no_run
//! use hardware::idcard::{ReaderConfig, ReaderEvent, spawn_poller, sim::Simulator};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // Desktop: a simulated reader behind a link in the data folder.
//! let link = std::path::Path::new("/tmp/kiosk-data/idcard-reader");
//! let sim = Simulator::start_linked(link)?;
//! let (poller, events) = spawn_poller(ReaderConfig::for_device(link))?;
//! sim.place_sample("resident-ouyang")?;
//! for event in events.iter() {
//!     match event {
//!         ReaderEvent::CardRead(read) => {
//!             let card = &read.card;
//!             println!("{} card, valid number: {}", card.card_type(), card.id_number_valid());
//!             break;
//!         }
//!         ReaderEvent::Fault(fault) if fault.is_reader_down() => eprintln!("reader down: {fault:?}"),
//!         _ => {}
//!     }
//! }
//! poller.stop();
//! # Ok(())
//! # }
//! ```

pub mod card;
pub mod command;
pub mod config;
pub mod driver;
pub mod frame;
pub mod id_number;
pub mod nation;
pub mod poller;
pub mod probe;
pub mod read;
pub mod sam;
pub mod sim;
pub mod status;
pub mod text;

pub use card::{CardRead, CardType, IdCard, Photo};
pub use command::{Command, CommandTimeouts};
pub use config::{PresenceProbe, ProbeConfig, ReaderConfig};
pub use driver::{Reader, ReaderError};
pub use id_number::IdNumberCheck;
pub use nation::{Gender, Nation};
pub use poller::{
    CardProblem, PollerHandle, ProtocolFault, ReaderEvent, ReaderFault, ReaderInfo, spawn_poller,
    spawn_poller_with,
};
pub use probe::open_reader;
pub use sam::SamId;
pub use status::{Status, StatusClass};
