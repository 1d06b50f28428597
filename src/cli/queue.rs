//! `legal-kiosk queue …`: setting up terminals that share one queue.

use anyhow::Result;
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum QueueCommand {
    /// Make a token for a client terminal: the token and this host's ID hash key go into
    /// the client's [queue.host], the token's SHA-256 into the host's [queue.clients]
    /// token_sha256.
    ClientToken {
        /// Print JSON instead of plain text.
        #[arg(long)]
        json: bool,
    },
}

pub fn queue(config: Option<&std::path::Path>, command: &QueueCommand) -> Result<()> {
    match command {
        QueueCommand::ClientToken { json } => {
            let (token, digest) = crate::queue_api::auth::new_terminal_token();
            // The host's ID hash key, if the kiosk made it already (never made here: as
            // root this command would leave a key the kiosk cannot read).
            let config = crate::config::Config::load(config)?;
            let key_path = config.data_dir().join("keys/id-hash.key");
            let key = crate::session::HashKey::read_hex(&key_path).ok();
            if *json {
                println!(
                    "{}",
                    serde_json::json!({ "token": token, "token_sha256": digest, "id_hash_key": key })
                );
            } else {
                println!("client terminal, [queue.host]:     token = \"{token}\"");
                match &key {
                    Some(key) => {
                        println!("client terminal, [queue.host]:     id_hash_key = \"{key}\"")
                    }
                    None => println!(
                        "(no id_hash_key yet: start the kiosk once, then run this again as its user)"
                    ),
                }
                println!("host terminal, [queue.clients]:    token_sha256 = [\"{digest}\"]");
            }
            Ok(())
        }
    }
}
