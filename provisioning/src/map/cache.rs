//! Decoded tiles kept for panning: a small least-recently-used cache, so a frame that shows
//! the same tiles as the last one copies pixels instead of decoding PNGs again. Tiles the file
//! does not have are cached as `None` too (no query per frame for the sea around a city).

use super::decode::Tile;
use std::collections::HashMap;
use std::sync::Arc;

/// Tile address: zoom, column, row (XYZ).
pub type TileKey = (u8, u32, u32);

/// The cache.
#[derive(Debug)]
pub struct TileCache {
    capacity: usize,
    tick: u64,
    entries: HashMap<TileKey, (u64, Option<Arc<Tile>>)>,
}

impl TileCache {
    /// A cache of at most `capacity` tiles (a 1080×1920 viewport shows up to 6×9 = 54).
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            tick: 0,
            entries: HashMap::new(),
        }
    }

    /// A cached tile (`Some(None)`: known missing), marked as just used.
    pub fn get(&mut self, key: TileKey) -> Option<Option<Arc<Tile>>> {
        self.tick += 1;
        let tick = self.tick;
        self.entries.get_mut(&key).map(|(used, tile)| {
            *used = tick;
            tile.clone()
        })
    }

    /// Stores a tile, evicting the least recently used one when full.
    pub fn put(&mut self, key: TileKey, tile: Option<Arc<Tile>>) {
        if self.entries.len() >= self.capacity && !self.entries.contains_key(&key) {
            // A linear scan over ≤ capacity entries, once per decoded tile: cheap next to
            // the decode it follows.
            if let Some(oldest) = self
                .entries
                .iter()
                .min_by_key(|(_, (t, _))| *t)
                .map(|(k, _)| *k)
            {
                self.entries.remove(&oldest);
            }
        }
        self.tick += 1;
        self.entries.insert(key, (self.tick, tile));
    }

    /// How many tiles are held.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether nothing is held.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evicts_the_least_recently_used() {
        let mut c = TileCache::new(2);
        c.put((1, 0, 0), None);
        c.put((1, 1, 0), None);
        assert!(c.get((1, 0, 0)).is_some());
        c.put((1, 1, 1), None);
        assert_eq!(c.len(), 2);
        assert!(c.get((1, 1, 0)).is_none(), "the least recently used went");
        assert!(c.get((1, 0, 0)).is_some());
    }
}
