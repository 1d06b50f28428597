//! Helpers for the guidance tests (consultation, legal aid, ratings) on the headless kiosk.
#![allow(dead_code)]

use crate::common::Kiosk;

/// The usual portrait panel, so that pages lay out as on the terminal.
pub fn portrait(kiosk: &Kiosk) {
    use slint::ComponentHandle;
    kiosk
        .app
        .window()
        .set_size(slint::PhysicalSize::new(1080, 1920));
}

/// The payloads of the outbox events of `kind`, oldest first.
pub fn outbox(kiosk: &Kiosk, kind: &'static str) -> Vec<serde_json::Value> {
    kiosk.query(move |c| {
        let mut stmt = c
            .prepare("SELECT payload FROM outbox WHERE kind = ?1 ORDER BY seq")
            .unwrap();
        stmt.query_map([kind], |r| r.get::<_, String>(0))
            .unwrap()
            .map(|p| serde_json::from_str(&p.unwrap()).unwrap())
            .collect()
    })
}

/// Waits until the store thread has written everything asked of it so far.
pub fn store_idle(kiosk: &Kiosk) {
    kiosk.query(|_| ());
}

/// Taps each character's key on an on-screen keyboard or number pad.
pub fn type_keys(kiosk: &Kiosk, keys: &str) {
    for c in keys.chars() {
        kiosk.tap(&c.to_string());
    }
}

/// The text shown in the typed field (keyboard or number pad).
pub fn typed(kiosk: &Kiosk) -> String {
    kiosk
        .find("typed")
        .first()
        .and_then(|e| e.accessible_value())
        .map(|v| v.to_string())
        .unwrap_or_default()
}

/// Whether some element's label contains `part` (for texts assembled from several pieces).
pub fn shows_containing(kiosk: &Kiosk, part: &str) -> bool {
    let part = part.to_owned();
    !i_slint_backend_testing::ElementQuery::from_root(&kiosk.app)
        .match_descendants()
        .match_predicate(move |e| e.accessible_label().is_some_and(|l| l.contains(&part)))
        .find_all()
        .is_empty()
}
