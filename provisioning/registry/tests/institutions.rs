//! `kiosk-registry institutions import` and `publish` (issue 19), through the real binary,
//! on SQLite or PostgreSQL (whichever this run tests): a file with bad lines is reported
//! line by line and nothing is imported; a good one is imported, published, and the bundle
//! verifies with the operations key and holds the institutions with GCJ-02 coordinates.

use kiosk_registry::testkit::{Database, Pilot, platform};
use provisioning::bundle::{BundleVerifier, PinnedKeys, SignedBundle};
use provisioning::institutions::bundle::{FILE, STREAM};
use provisioning::institutions::geo::{haversine_m, wgs84_to_gcj02};
use provisioning::institutions::{Datum, Directory, InstitutionKind, InstitutionsFile, Query};
use provisioning::keys::write_private_key;
use provisioning::scope::TerminalPlacement;
use std::path::Path;
use std::process::Output;

const HEADER: &str = "id,kind,name,name_ko,name_en,region,address,lat,lon,datum,phone,hours,hours_note,services,free_services,wheelchair\n";

/// Three institutions: WGS-84 (GPS) coordinates, GCJ-02 (Amap) ones, none.
const GOOD: &str = "cy-legal-aid,法律援助中心,示例区法律援助中心,시범구 법률원조센터,Example Legal Aid Centre,220104,示例路 1 号,43.8868,125.3245,wgs84,0431-12348,\"Mo-Fr 08:30-11:30,13:00-16:30\",节假日预约,法律咨询;法律援助申请,法律咨询;法律援助申请,yes
gz-notary,notary-office,示例公证处,,Example Notary Office,220102,示例路 2 号,43.9000,125.3000,gcj02,0431-0000000,Mo-Fr 09:00-17:00; PH off,,公证咨询;遗嘱公证,公证咨询,limited
cy-room,pls-room,示例村公共法律服务工作室,,,220104,示例村,,,,,,,法律咨询,法律咨询,
";

fn exe() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_kiosk-registry"))
}

fn run(pilot: &Pilot, args: &[&str]) -> Output {
    pilot.command(exe()).args(args).output().unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn count(pilot: &Pilot) -> usize {
    pilot
        .store()
        .sql_text("SELECT id FROM institutions", &[])
        .unwrap()
        .len()
}

#[test]
fn import_reports_bad_lines_then_publish_signs_gcj02_institutions() {
    let pilot = Pilot::new(
        Database::OfThisRun,
        &[platform(
            "cy-centre",
            "示例区公共法律服务中心",
            "220104",
            "示例路 9 号",
        )],
    );
    let dir = pilot.dir.path();

    // Good and bad lines: every bad one reported by number, nothing imported.
    let mixed = format!(
        "{HEADER}{GOOD}bad-kind,court,示例法院,,,220104,示例路,,,,,,,,,\n\
         bad-coords,law-firm,示例律师事务所,,,220104,示例路,125.3,43.8,wgs84,,,,,,\n\
         bad-hours,law-firm,示例律师事务所,,,220104,示例路,,,,,周一至周五 9:00-17:00,,,,\n\
         gz-notary,law-firm,重复,,,220104,示例路,,,,,,,,,\n"
    );
    std::fs::write(dir.join("mixed.csv"), mixed).unwrap();
    let out = run(
        &pilot,
        &[
            "institutions",
            "import",
            &dir.join("mixed.csv").to_string_lossy(),
        ],
    );
    let report = text(&out);
    assert!(!out.status.success(), "{report}");
    for expected in [
        "mixed.csv:5: kind \"court\"",
        "mixed.csv:6: coordinates 125.3,43.8 are not in China",
        "mixed.csv:7: opening hours",
        "mixed.csv:8: id gz-notary already on line 3",
        "4 bad line(s)",
        "nothing imported",
    ] {
        assert!(report.contains(expected), "{expected:?} not in:\n{report}");
    }
    assert_eq!(count(&pilot), 0, "nothing half-imported");

    // Publishing nothing is refused.
    write_private_key(&dir.join("ops.key"), &pilot.ops_key).unwrap();
    let key = dir.join("ops.key").to_string_lossy().into_owned();
    let out = run(&pilot, &["institutions", "publish", "--key", &key]);
    assert!(!out.status.success());
    assert!(text(&out).contains("no institutions"), "{}", text(&out));

    // A good file.
    std::fs::write(dir.join("good.csv"), format!("{HEADER}{GOOD}")).unwrap();
    let out = run(
        &pilot,
        &[
            "institutions",
            "import",
            &dir.join("good.csv").to_string_lossy(),
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("imported 3 institution(s)"));
    assert_eq!(count(&pilot), 3);

    // The platform's coordinates, as the console's directory import stores them (WGS-84).
    pilot
        .store()
        .sql_execute(
            "UPDATE platforms SET lat = '43.8868', lon = '125.3245' WHERE id = 'cy-centre'",
            &[],
        )
        .unwrap();
    std::fs::write(
        dir.join("calendar.json"),
        r#"{"holidays": [{"date": "2025-10-01", "name": "国庆节"}],
            "workdays": [{"date": "2025-09-28", "as": "Mo", "name": "国庆节调休"}]}"#,
    )
    .unwrap();
    let out = run(
        &pilot,
        &[
            "institutions",
            "publish",
            "--key",
            &key,
            "--calendar",
            &dir.join("calendar.json").to_string_lossy(),
            "--navigation-url",
            "https://api.map.baidu.com/marker?location={lat},{lng}&title={name}&output=html&src=webapp.legal.kiosk&coord_type=gcj02",
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("published institutions v1 for all (3 institutions, 1 holidays"),
        "{}",
        text(&out)
    );

    // The stored bundle verifies with the operations key, as a terminal checks it.
    let body = pilot
        .store()
        .sql_text(
            "SELECT body FROM bundles WHERE stream = ?1 AND version = 1",
            &[STREAM.into()],
        )
        .unwrap();
    let bundle: SignedBundle = serde_json::from_str(body[0].as_deref().unwrap()).unwrap();
    let verifier = BundleVerifier {
        pinned: PinnedKeys::from_base64(&[pilot.ops_pub.as_str()]).unwrap(),
        max_payload_bytes: 8 * 1024 * 1024,
        placement: TerminalPlacement {
            device_id: "t-1".into(),
            platform_id: "cy-centre".into(),
            region: "220104".into(),
        },
    };
    let verified = verifier
        .verify(STREAM, &bundle, None, chrono::Utc::now())
        .unwrap();
    assert_eq!(verified.payload.files.len(), 1);
    let file = InstitutionsFile::parse(&verified.payload.files[FILE]).unwrap();
    assert_eq!(file.datum, Datum::Gcj02);
    assert_eq!(file.holidays.len(), 1);
    assert_eq!(file.institutions.len(), 3);

    // WGS-84 input is converted to GCJ-02 (the reference algorithm, ~500 m here).
    let aid = file
        .institutions
        .iter()
        .find(|i| i.id == "cy-legal-aid")
        .unwrap();
    let l = aid.location.unwrap();
    assert_eq!(l.datum, Datum::Gcj02);
    let (g_lat, g_lng) = wgs84_to_gcj02(43.8868, 125.3245);
    assert!(haversine_m(l.lat, l.lng, g_lat, g_lng) < 0.001, "{l:?}");
    assert!(
        haversine_m(l.lat, l.lng, 43.8868, 125.3245) > 100.0,
        "shifted"
    );
    assert_eq!(aid.name.ko_kr.as_deref(), Some("시범구 법률원조센터"));
    assert_eq!(aid.free_services, ["法律咨询", "法律援助申请"]);
    // GCJ-02 input comes back as given (stored as WGS-84, converted back within 1 mm).
    let notary = file
        .institutions
        .iter()
        .find(|i| i.id == "gz-notary")
        .unwrap();
    let n = notary.location.unwrap();
    assert!(haversine_m(n.lat, n.lng, 43.9, 125.3) < 0.001, "{n:?}");
    assert_eq!(notary.kind, InstitutionKind::NotaryOffice);
    // No coordinates stay none.
    let room = file
        .institutions
        .iter()
        .find(|i| i.id == "cy-room")
        .unwrap();
    assert!(room.location.is_none());

    // The navigation link is the centre's pattern, in GCJ-02.
    let link = file.navigation_link(notary).unwrap();
    assert!(
        link.starts_with(
            "https://api.map.baidu.com/marker?location=43.900000,125.300000&title=%E7%A4%BA"
        ),
        "{link}"
    );

    // The platform's coordinates travel too (GCJ-02), and the terminal's search finds the
    // institutions nearest first from there.
    let here = file.platform_location("cy-centre").unwrap();
    assert_eq!(here.datum, Datum::Gcj02);
    assert!(haversine_m(here.lat, here.lng, g_lat, g_lng) < 0.001);
    let directory = Directory::new(file);
    let hits = directory.search(&Query {
        near: Some(here),
        ..Default::default()
    });
    assert_eq!(hits[0].institution.id, "cy-legal-aid");
    assert!(hits[0].distance_m.unwrap() < 0.01);

    // The next publish takes the next version.
    let out = run(&pilot, &["institutions", "publish", "--key", &key]);
    assert!(text(&out).contains("institutions v2"), "{}", text(&out));
}

#[test]
fn rows_the_console_imported_without_a_kind_are_not_published() {
    let pilot = Pilot::new(Database::OfThisRun, &[]);
    let dir = pilot.dir.path();
    pilot
        .store()
        .sql_execute(
            "INSERT INTO institutions (id, name, level, region, created_at) VALUES ('old', '旧机构', '县区', '220104', '2026-01-01T00:00:00Z')",
            &[],
        )
        .unwrap();
    write_private_key(&dir.join("ops.key"), &pilot.ops_key).unwrap();
    let out = run(
        &pilot,
        &[
            "institutions",
            "publish",
            "--key",
            &dir.join("ops.key").to_string_lossy(),
        ],
    );
    assert!(!out.status.success());
    let report = text(&out);
    assert!(report.contains("institution old: no kind"), "{report}");
    assert!(report.contains("nothing published"), "{report}");
    assert!(pilot.store().bundles().unwrap().is_empty());
}
