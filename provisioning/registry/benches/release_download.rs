//! A release of 20 MiB downloaded by 500 terminals at the same moment from one registry on
//! loopback (issue 18): the total time, the throughput, and the registry's resident memory
//! (it streams the package in 256 KiB chunks from the database, so memory must stay far
//! below terminals × package size).
//!
//! Run: `cargo bench -p kiosk-registry --bench release_download` (RELEASE_TERMINALS and
//! RELEASE_MIB change the size).

#[path = "support/mod.rs"]
mod support;

use provisioning::client::{Stores, SyncClient};
use provisioning::identity::DeviceIdentity;
use provisioning::protocol::paths;
use provisioning::release::{RELEASE_FORMAT, ReleaseManifest, sign_release};
use sha2::{Digest as _, Sha256};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

fn main() {
    let terminals = support::env_or("RELEASE_TERMINALS", 500);
    let mib = support::env_or("RELEASE_MIB", 20);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    println!("machine: {}", support::machine());
    let registry = support::Registry::start(30);
    let pid = registry.pid();

    // The release: random bytes (incompressible), signed with a registered key.
    let mut package = vec![0u8; mib << 20];
    getrandom::fill(&mut package).unwrap();
    let key = provisioning::keys::generate_signing_key().unwrap();
    let store = kiosk_registry::store::Store::open_blocking(&registry.db).unwrap();
    store
        .register_key(
            "bench",
            &provisioning::keys::public_key_to_base64(&key.verifying_key()),
        )
        .unwrap();
    let manifest = ReleaseManifest {
        format: RELEASE_FORMAT,
        package: "legal-kiosk".into(),
        version: "9.0.0".into(),
        architecture: "arm64".into(),
        size: package.len() as u64,
        sha256: hex::encode(Sha256::digest(&package)),
        min_from_version: None,
        notes_zh: "基准测试".into(),
        issued_at: chrono::Utc::now(),
    };
    let release = sign_release(&manifest, &key);
    kiosk_registry::store::wait(|| store.release_publish(&release, package)).unwrap();
    let rss_idle = support::rss_mib(pid);

    let codes = registry.codes(terminals);
    let started = Instant::now();
    let clients: Vec<Arc<SyncClient>> = runtime.block_on(async {
        let mut out = Vec::with_capacity(terminals);
        for code in &codes {
            let identity = Arc::new(DeviceIdentity::from_signing_key(
                provisioning::keys::generate_signing_key().unwrap(),
            ));
            let enrolment = registry.enrol(&identity, code).await;
            let quiet = Arc::new(support::IdleTerminal);
            let stores = Stores {
                outbox: quiet.clone(),
                bundles: quiet.clone(),
                commands: quiet.clone(),
                health: quiet,
            };
            let mut config = registry.config();
            config.request_timeout = Duration::from_secs(600);
            out.push(Arc::new(
                SyncClient::new(config, identity, enrolment, stores).unwrap(),
            ));
        }
        out
    });
    println!(
        "enrolled {terminals} terminals in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    // Everyone at once; the registry's memory sampled every 100 ms meanwhile.
    let done = Arc::new(AtomicBool::new(false));
    let sampler = {
        let done = done.clone();
        std::thread::spawn(move || {
            let mut peak = 0.0f64;
            while !done.load(Ordering::Relaxed) {
                peak = peak.max(support::rss_mib(pid));
                std::thread::sleep(Duration::from_millis(100));
            }
            peak
        })
    };
    let path = paths::release_package(&manifest.version);
    let cpu_before = support::cpu_time(pid);
    let burst = Instant::now();
    let (bytes, slowest) = runtime.block_on(async {
        let tasks: Vec<_> = clients
            .iter()
            .cloned()
            .map(|c| {
                let path = path.clone();
                tokio::spawn(async move {
                    let t = Instant::now();
                    let mut response = c.http().get_from(&path, 0).await.unwrap();
                    let mut n = 0u64;
                    while let Some(chunk) = response.chunk().await.unwrap() {
                        n += chunk.len() as u64;
                    }
                    (n, t.elapsed())
                })
            })
            .collect();
        let (mut bytes, mut slowest) = (0u64, Duration::ZERO);
        for task in tasks {
            let (n, t) = task.await.unwrap();
            assert_eq!(n, manifest.size, "a terminal got a short package");
            bytes += n;
            slowest = slowest.max(t);
        }
        (bytes, slowest)
    });
    let total = burst.elapsed();
    let cpu = support::cpu_time(pid) - cpu_before;
    done.store(true, Ordering::Relaxed);
    let peak = sampler.join().unwrap();
    println!(
        "{terminals} terminals × {mib} MiB at once: all complete in {:.1} s (slowest {:.1} s), {:.0} MiB/s in total, registry CPU {:.1} s",
        total.as_secs_f64(),
        slowest.as_secs_f64(),
        bytes as f64 / (1u64 << 20) as f64 / total.as_secs_f64(),
        cpu.as_secs_f64()
    );
    println!(
        "registry resident memory: {rss_idle:.0} MiB before, peak {peak:.0} MiB during (buffering every download would need {} MiB)",
        terminals * mib
    );
}
