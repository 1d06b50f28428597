//! The registry's connections to PostgreSQL over TLS (`sslmode=verify-full&sslrootcert=`):
//! a registry on a database reached only by TLS enrols a terminal and stores its events; a
//! connection without TLS is refused by the server; a server whose certificate does not
//! chain to the CA given is refused by the registry, saying why. On SQLite there is nothing
//! to check.

mod common;

use common::{Pilot, Terminal, on_postgres, tickets};
use kiosk_registry::store::{DbTarget, Store};
use kiosk_registry::testkit::Database;

/// The test server's TLS listener (`scripts/with-postgres.sh`), only TLS accepted there.
fn tls_admin_url() -> Option<String> {
    if !on_postgres() {
        eprintln!("skipped: TLS to PostgreSQL needs scripts/with-postgres.sh");
        return None;
    }
    Some(std::env::var("KIOSK_TEST_PG_TLS").expect("KIOSK_TEST_PG_TLS (scripts/with-postgres.sh)"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_registry_on_a_database_reached_by_tls_serves_terminals() {
    let Some(admin) = tls_admin_url() else {
        return;
    };
    let mut pilot = Pilot::with_database(Database::Postgres(admin));
    assert!(
        pilot.target.arg().contains("sslmode=verify-full"),
        "the pilot's database is reached by TLS: {}",
        pilot.target.arg()
    );
    pilot.start();
    let t = Terminal::enrolled(&pilot).await;
    t.store
        .enqueue_many(&tickets(50, "mediation", "2026-11-20"))
        .unwrap();
    t.client(&pilot).deliver_outbox().await.unwrap();
    assert_eq!(pilot.events_count(), 50);
}

/// What the command line prints: the error and its causes.
fn said(e: kiosk_registry::store::StoreError) -> String {
    format!("{:#}", anyhow::Error::from(e))
}

#[test]
fn without_tls_the_server_refuses_and_with_a_foreign_ca_the_registry_does() {
    let Some(admin) = tls_admin_url() else {
        return;
    };
    let (plain, _) = admin.split_once('?').unwrap();
    let refused = said(
        Store::open_blocking(&DbTarget::Postgres(plain.to_string()))
            .err()
            .expect("a connection in clear to the TLS-only listener is refused"),
    );
    assert!(refused.contains("no encryption"), "{refused}");

    let other = tempfile::tempdir().unwrap();
    let foreign = kiosk_registry::tls::init_pki(other.path(), &["127.0.0.1".to_string()]).unwrap();
    let url = format!(
        "{plain}?sslmode=verify-full&sslrootcert={}",
        foreign.ca_cert.display()
    );
    let refused = said(
        Store::open_blocking(&DbTarget::Postgres(url))
            .err()
            .expect("a server whose certificate another CA signed is refused"),
    );
    assert!(refused.contains("UnknownIssuer"), "{refused}");
}
