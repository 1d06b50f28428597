//! The offline map's page, as rules: which pins the directory's map shows. The viewport
//! itself (tiles composited into an RGBA frame, pan, zoom, pins drawn in the tiles' datum)
//! is plain Rust in `provisioning::map::view`, shared with the registry's tests and benches;
//! the file it opens comes from `sync::map::map_in_force`.

use provisioning::institutions::{Institution, InstitutionsFile};
pub use provisioning::map::view::{Frame, MapView, Pin, PinKind};

/// The pins for a map showing `shown` institutions: "you are here" at this platform (when
/// the institutions bundle knows its coordinates), every shown institution that has
/// coordinates, and `selected` (by id) highlighted. The view converts each pin's datum to
/// the tiles'.
pub fn pins<'a>(
    file: &InstitutionsFile,
    platform_id: &str,
    shown: impl IntoIterator<Item = &'a Institution>,
    selected: Option<&str>,
) -> Vec<Pin> {
    let mut pins: Vec<Pin> = shown
        .into_iter()
        .filter_map(|i| {
            let kind = if selected == Some(i.id.as_str()) {
                PinKind::Selected
            } else {
                PinKind::Institution
            };
            i.location.map(|location| Pin { location, kind })
        })
        .collect();
    if let Some(location) = file.platform_location(platform_id) {
        pins.push(Pin {
            location,
            kind: PinKind::Here,
        });
    }
    pins
}

#[cfg(test)]
mod tests {
    use super::*;
    use provisioning::institutions::bundle::PlatformLocation;
    use provisioning::institutions::{Location, synthetic};

    #[test]
    fn the_platform_and_the_selected_institution_are_marked() {
        let mut file = synthetic::province(50, 7);
        file.platforms.push(PlatformLocation {
            id: "cc-centre".into(),
            location: Location::gcj02(43.8868, 125.3245),
        });
        let platform = &file.platforms[0];
        let shown: Vec<&Institution> = file
            .institutions
            .iter()
            .filter(|i| i.location.is_some())
            .take(3)
            .collect();
        let selected = shown[1].id.clone();
        let marked = pins(&file, &platform.id, shown.iter().copied(), Some(&selected));
        assert_eq!(marked.len(), 4);
        assert_eq!(
            marked
                .iter()
                .filter(|p| p.kind == PinKind::Selected)
                .count(),
            1
        );
        assert_eq!(marked[1].kind, PinKind::Selected);
        let here = marked.iter().find(|p| p.kind == PinKind::Here).unwrap();
        assert_eq!(here.location, platform.location);
        assert!(pins(&file, "no-such-platform", [], None).is_empty());
    }
}
