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
    /// Print the SHA-256 of this (host) terminal's queue API certificate: it goes into each
    /// client's [queue.host] cert_sha256. Makes the self-signed certificate if there is none.
    CertFingerprint {
        /// Print JSON instead of plain text.
        #[arg(long)]
        json: bool,
    },
}

pub fn queue(config: Option<&std::path::Path>, command: &QueueCommand) -> Result<()> {
    match command {
        QueueCommand::CertFingerprint { json } => {
            use crate::queue_api::tls;
            let config = crate::config::Config::load(config)?;
            let server = &config.queue.server;
            let cert = match &server.tls_cert {
                Some(c) => c.clone(),
                None => {
                    let (c, k) = tls::default_paths(&config.data_dir());
                    tls::ensure_self_signed(&c, &k, server.listen, &server.host_names)?;
                    c
                }
            };
            let digest = tls::fingerprint(&cert)?;
            if *json {
                println!("{}", serde_json::json!({ "cert_sha256": digest }));
            } else {
                println!("client terminals, [queue.host]:   cert_sha256 = \"{digest}\"");
            }
            Ok(())
        }
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
