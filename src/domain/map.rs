//! The offline map's page, as rules: which pins the directory's map shows. The viewport
//! itself (tiles composited into an RGBA frame, pan, zoom, pins drawn in the tiles' datum)
//! is plain Rust in `provisioning::map::view`, shared with the registry's tests and benches;
//! the file it opens comes from `sync::map::map_in_force`.

use provisioning::institutions::Location;
pub use provisioning::map::view::{Frame, MapView, Pin, PinKind};

use crate::domain::institutions::Place;

/// The pins for a map showing `shown` places: every one that has coordinates, `selected`
/// (by id) highlighted, and "you are here" at this platform when its coordinates are known.
/// The view converts each pin's datum to the tiles'.
pub fn pins<'a>(
    here: Option<Location>,
    shown: impl IntoIterator<Item = &'a Place>,
    selected: Option<&str>,
) -> Vec<Pin> {
    let mut pins: Vec<Pin> = shown
        .into_iter()
        .filter_map(|p| {
            let kind = if selected == Some(p.id.as_str()) {
                PinKind::Selected
            } else {
                PinKind::Institution
            };
            p.location.map(|location| Pin { location, kind })
        })
        .collect();
    pins.extend(here.map(|location| Pin {
        location,
        kind: PinKind::Here,
    }));
    pins
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::institutions::sample::{sample, sample_here};
    use crate::i18n::Lang;

    #[test]
    fn the_platform_and_the_selected_institution_are_marked() {
        let directory = sample();
        let now = chrono::NaiveDate::from_ymd_opt(2026, 11, 26)
            .and_then(|d| d.and_hms_opt(10, 0, 0))
            .unwrap();
        let shown: Vec<Place> = ["sample-notary-1", "sample-notary-2", "sample-law-firm"]
            .iter()
            .map(|id| directory.find(id, &sample_here(), now, Lang::ZhCn).unwrap())
            .collect();
        let here = directory.location_of(&sample_here());
        let marked = pins(here, &shown, Some("sample-notary-2"));
        assert_eq!(marked.len(), 4);
        let kinds: Vec<PinKind> = marked.iter().map(|p| p.kind).collect();
        assert_eq!(
            kinds,
            [
                PinKind::Institution,
                PinKind::Selected,
                PinKind::Institution,
                PinKind::Here
            ]
        );
        assert_eq!(Some(marked[3].location), here);
        assert_eq!(marked[1].location, shown[1].location.unwrap());
        assert!(pins(None, [], None).is_empty());
    }
}
