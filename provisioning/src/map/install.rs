//! The map on the terminal's disk: the file under its hash (`map-<sha256>.mbtiles`) and
//! `map.json`, the manifest of the one in force, which points at it. A new map is checked
//! whole before `map.json` is replaced (one atomic rename), so a refused or interrupted map
//! never takes the place of the previous one; files of maps no longer in force are removed
//! afterwards.

use super::mbtiles::check_file;
use super::{FILE, MapError, MapManifest};
use std::path::{Path, PathBuf};

/// Tiles decoded at install, spread over the file (the hash already proved the bytes are
/// the published ones, which the registry decoded whole at publish).
pub const SAMPLE_TILES: usize = 64;

/// The map in force on this terminal.
#[derive(Debug, Clone, PartialEq)]
pub struct InstalledMap {
    /// The MBTiles file, for [`super::view::MapView::open`].
    pub path: PathBuf,
    /// Its manifest (datum, bounds, zooms).
    pub manifest: MapManifest,
}

/// The file of `manifest`'s map in `dir`.
pub fn file_path(dir: &Path, manifest: &MapManifest) -> PathBuf {
    dir.join(format!("map-{}.mbtiles", manifest.sha256))
}

/// Where `manifest`'s map is downloaded to (by hash: a partial file of another map is never
/// resumed as this one).
pub fn partial_path(dir: &Path, manifest: &MapManifest) -> PathBuf {
    dir.join(format!("map-{}.part", manifest.sha256))
}

/// The map in force, if one is installed and its file is there with its size: the
/// directory's "is there a map?" (no: it shows a plain list).
pub fn installed(dir: &Path) -> Option<InstalledMap> {
    let manifest = MapManifest::parse(&std::fs::read(dir.join(FILE)).ok()?).ok()?;
    let path = file_path(dir, &manifest);
    let size = std::fs::metadata(&path).ok()?.len();
    (size == manifest.size).then_some(InstalledMap { path, manifest })
}

/// Checks a downloaded file (its hash and size are checked by the download) as a map
/// (metadata as the manifest says, a sample of tiles decodes), then puts it in force. On
/// refusal the downloaded file is removed and the previous map stays.
pub fn install(
    dir: &Path,
    manifest: &MapManifest,
    downloaded: &Path,
) -> Result<InstalledMap, MapError> {
    let checked = check_file(downloaded, Some(SAMPLE_TILES)).and_then(|metadata| {
        if metadata == manifest.metadata {
            Ok(())
        } else {
            Err(MapError::Invalid(
                "the file's metadata is not what its signed manifest says".into(),
            ))
        }
    });
    if let Err(e) = checked {
        let _ = std::fs::remove_file(downloaded);
        return Err(e);
    }
    let io = |e: std::io::Error| MapError::Unreadable(format!("installing the map: {e}"));
    let path = file_path(dir, manifest);
    std::fs::rename(downloaded, &path).map_err(io)?;
    crate::files::replace_atomically(&dir.join(FILE), &manifest.to_json(), 0o644).map_err(io)?;
    remove_others(dir, manifest);
    Ok(InstalledMap {
        path,
        manifest: manifest.clone(),
    })
}

/// Removes map files and partial downloads other than `keep`'s (a superseded map; a partial
/// download of a map no longer offered).
fn remove_others(dir: &Path, keep: &MapManifest) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let keep_name = format!("map-{}.mbtiles", keep.sha256);
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        let ours =
            name.starts_with("map-") && (name.ends_with(".mbtiles") || name.ends_with(".part"));
        if ours && name != keep_name {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}
