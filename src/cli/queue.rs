//! `legal-kiosk queue …`: setting up terminals that share one queue.

use anyhow::Result;
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum QueueCommand {
    /// Make a token for a client terminal: the token goes into the client's [queue.host],
    /// its SHA-256 into the host's [queue.clients] token_sha256.
    ClientToken {
        /// Print JSON instead of plain text.
        #[arg(long)]
        json: bool,
    },
}

pub fn queue(command: &QueueCommand) -> Result<()> {
    match command {
        QueueCommand::ClientToken { json } => {
            let (token, digest) = crate::queue_api::auth::new_terminal_token();
            if *json {
                println!(
                    "{}",
                    serde_json::json!({ "token": token, "token_sha256": digest })
                );
            } else {
                println!("client terminal, [queue.host]:     token = \"{token}\"");
                println!("host terminal, [queue.clients]:    token_sha256 = [\"{digest}\"]");
            }
            Ok(())
        }
    }
}
