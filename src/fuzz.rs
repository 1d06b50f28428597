//! Entry points for the firmware's fuzz targets in `fuzz/` (cargo-fuzz, feature `kiosk` of
//! the fuzz crate): the real parsers on bytes from outside the terminal. The unit tests
//! below replay the committed corpora (`fuzz/corpus/<target>`) and past crashes
//! (`fuzz/regressions/<target>`) on every `cargo test`.

use std::sync::{Arc, OnceLock};

use crate::domain::legal_aid::cli::evaluate_answers;
use crate::domain::legal_aid::rules::Rules;

/// `legal_aid_answers`: a `legal-kiosk legal-aid --answers` file. The first byte picks its
/// format (bit 0: JSON, else TOML) and the report's (bit 1: JSON); the rest is the file,
/// evaluated under the shipped rules. A report must be readable text (and JSON when asked).
pub fn legal_aid_answers(data: &[u8]) {
    static RULES: OnceLock<Arc<Rules>> = OnceLock::new();
    let Some((&format, file)) = data.split_first() else {
        return;
    };
    // The CLI reads the file as UTF-8 and refuses anything else before parsing.
    let Ok(text) = std::str::from_utf8(file) else {
        return;
    };
    let rules = RULES
        .get_or_init(|| Arc::new(Rules::jilin_default().expect("the shipped rules are valid")));
    let json_out = format & 2 != 0;
    let source = crate::domain::content::RulesSource::BuiltIn;
    if let Ok(report) = evaluate_answers(
        rules.clone(),
        &source,
        text,
        format & 1 != 0,
        "fuzz",
        json_out,
    ) {
        assert!(!report.is_empty());
        if json_out {
            serde_json::from_str::<serde_json::Value>(&report).expect("a JSON report");
        }
    }
}

/// The queue API served on 127.0.0.1 over a store in a temporary folder, with a member of
/// staff logged in and a client terminal's token.
struct QueueApi {
    addr: std::net::SocketAddr,
    cookie: String,
    terminal_token: String,
    worker: crate::store::worker::Worker,
}

fn queue_api_server() -> &'static QueueApi {
    use crate::clock::{Clock, SystemClock};
    use crate::domain::maintenance::auth::Authenticator;
    use crate::domain::queue::{Catalogue, Policy};
    use crate::events::Events;
    use crate::services::QueueShared;
    use crate::store::Store;
    use crate::store::worker::Worker;

    static API: OnceLock<QueueApi> = OnceLock::new();
    API.get_or_init(|| {
        // tmpfs when there is one: the store syncs every commit. One folder per process.
        let base = if std::path::Path::new("/dev/shm").is_dir() {
            std::path::PathBuf::from("/dev/shm")
        } else {
            std::env::temp_dir()
        };
        const PREFIX: &str = "legal-kiosk-queue-api-fuzz-";
        // Folders of earlier runs whose process has ended (libFuzzer exits without cleanup).
        for entry in std::fs::read_dir(&base).into_iter().flatten().flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if let Some(pid) = name.strip_prefix(PREFIX)
                && !std::path::Path::new("/proc").join(pid).exists()
            {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
        let dir = base.join(format!("{PREFIX}{}", std::process::id()));
        let path = Store::path_in(&dir);
        let worker = Worker::spawn(Store::open(&path).expect("a store")).expect("a store thread");
        let reader = QueueShared::open_reader(&path).expect("a reading connection");
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let shared = QueueShared::new(
            worker.clone(),
            reader,
            clock.clone(),
            Events::new(),
            "朝阳区公共法律服务中心".into(),
            "http://127.0.0.1:8080/t/".into(),
            Vec::new(),
            Policy::default(),
            Arc::new(Catalogue::built_in()),
        );
        let login = Authenticator::spawn(worker.clone(), clock, Default::default())
            .expect("a login thread");
        let (terminal_token, digest) = crate::queue_api::auth::new_terminal_token();
        let (router, cookie) = crate::queue_api::routes::fuzz_router(shared, login, digest);
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a loopback port");
        listener.set_nonblocking(true).expect("non-blocking");
        let addr = listener.local_addr().expect("an address");
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime");
            runtime.block_on(async move {
                let listener =
                    tokio::net::TcpListener::from_std(listener).expect("a tokio listener");
                let _ = axum::serve(listener, router).await;
            });
        });
        QueueApi {
            addr,
            cookie,
            terminal_token,
            worker,
        }
    })
}

/// `queue_api`: a request body to the kiosk's queue API, served for real on 127.0.0.1 with
/// a member of staff logged in and a client terminal's token. The first byte picks the
/// endpoint (login, a counter's transfer/call/action, priority, the hall notice, a client
/// terminal's issue and import), the second the counter; the rest is the JSON body. Bad
/// input must get a clear refusal, never a server error.
pub fn queue_api(data: &[u8]) {
    use std::io::{Read as _, Write as _};
    use std::sync::atomic::{AtomicU32, Ordering};

    const ACTIONS: [&str; 9] = [
        "open",
        "close",
        "pause",
        "resume",
        "call-next",
        "recall",
        "start",
        "finish",
        "no-show",
    ];
    let [endpoint, counter, body @ ..] = data else {
        return;
    };
    let api = queue_api_server();
    let counter = (counter % 4) + 1;
    let (method, path) = match endpoint % 8 {
        0 => ("POST", "/api/login".to_string()),
        1 => ("POST", format!("/api/counters/{counter}/transfer")),
        2 => ("POST", format!("/api/counters/{counter}/call")),
        3 => ("POST", "/api/priority".to_string()),
        4 => ("PUT", "/api/notice".to_string()),
        5 => ("POST", "/api/issue".to_string()),
        6 => ("POST", "/api/import".to_string()),
        _ => (
            "POST",
            format!(
                "/api/counters/{counter}/{}",
                ACTIONS[usize::from(endpoint / 8) % ACTIONS.len()]
            ),
        ),
    };
    // Every few hundred requests the queue starts a new day, so numbering never runs out.
    static REQUESTS: AtomicU32 = AtomicU32::new(0);
    if REQUESTS.fetch_add(1, Ordering::Relaxed) % 500 == 499 {
        let _ = api.worker.call(|s| {
            s.conn()
                .execute_batch("DELETE FROM tickets; DELETE FROM outbox; DELETE FROM audit_log;")
        });
    }
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\
         content-type: application/json\r\ncookie: {}\r\nx-kiosk-request: 1\r\n\
         authorization: Bearer {}\r\ncontent-length: {}\r\n\r\n",
        api.cookie,
        api.terminal_token,
        body.len()
    )
    .into_bytes();
    request.extend_from_slice(body);
    let mut stream = std::net::TcpStream::connect(api.addr).expect("the API is listening");
    stream.write_all(&request).expect("the request is sent");
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).expect("an answer");
    let answer = String::from_utf8_lossy(&answer);
    let status: u16 = answer
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP answer: {answer}"));
    assert!(
        status < 500 || status == 503,
        "{method} {path} with {:?} answered {answer}",
        String::from_utf8_lossy(body)
    );
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use provisioning::fuzz_corpus::{fuzz_dir, replay_committed_inputs as replay};

    #[test]
    fn legal_aid_answers_corpus_replays() {
        replay("legal_aid_answers", super::legal_aid_answers);
    }

    #[test]
    fn queue_api_corpus_replays() {
        replay("queue_api", super::queue_api);
    }

    #[test]
    #[ignore = "writes the seed corpus into fuzz/corpus; run once after changing the examples"]
    fn write_seed_corpus() {
        // The rule authors' examples, each as TOML or JSON, with a text and a JSON report.
        let examples =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("content/legal-aid-rules/examples");
        // The queue API: what the counter page and a client terminal send.
        let queue = fuzz_dir().join("corpus/queue_api");
        std::fs::create_dir_all(&queue).unwrap();
        let requests: [(u8, u8, &str); 10] = [
            (0, 0, r#"{"name":"王芳","pin":"739152"}"#),
            (7, 0, ""),
            (15, 0, ""),
            (1, 1, r#"{"service_id":"notary"}"#),
            (2, 1, r#"{"number":"A001"}"#),
            (3, 0, r#"{"number":"A002","group":"elderly"}"#),
            (4, 0, r#"{"text":"请在二楼等候"}"#),
            (
                5,
                0,
                r#"{"service_id":"legal-aid","priority":"disabled","one_per_person":true,"identity":{"masked_id":"220***********1234","id_hash":"ab12","age_band":"60-69","elderly":true}}"#,
            ),
            (
                6,
                0,
                r#"{"tickets":[{"token":"t1","service_id":"legal-aid","seq":901,"number":"A901","issued_at":"2026-12-01T09:00:00+08:00","priority":null,"identity":null}]}"#,
            ),
            (63, 2, ""),
        ];
        for (i, (endpoint, counter, body)) in requests.into_iter().enumerate() {
            let mut bytes = vec![endpoint, counter];
            bytes.extend(body.as_bytes());
            std::fs::write(queue.join(format!("seed-{i}")), bytes).unwrap();
        }
        let dir = fuzz_dir().join("corpus/legal_aid_answers");
        std::fs::create_dir_all(&dir).unwrap();
        for entry in std::fs::read_dir(examples).unwrap() {
            let path = entry.unwrap().path();
            let json = path.extension().is_some_and(|e| e == "json");
            for report in [0u8, 2] {
                let mut bytes = vec![u8::from(json) | report];
                bytes.extend(std::fs::read(&path).unwrap());
                let stem = path.file_stem().unwrap().to_string_lossy();
                std::fs::write(dir.join(format!("seed-{stem}-{report}")), bytes).unwrap();
            }
        }
    }
}
