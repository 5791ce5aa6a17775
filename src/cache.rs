//! The screen's cache: verified blobs named by their SHA-256, the manifests of generations, and a
//! pointer to the active one. Everything is written so that a power cut at any moment leaves the
//! cache opening to a complete, verified generation: blobs are downloaded to `.partial` files,
//! verified, flushed and renamed into place; a generation becomes active only when all its blobs
//! are in place, by replacing one small state file atomically. If that file is lost anyway, the
//! newest complete generation plays. One writer at a time holds the lock file.
//!
//! ```text
//! cache/
//!   blobs/sha256/ab/abcdef…      verified blobs
//!   partial/abcdef….partial      downloads in progress (resumed after a restart; removed after a day)
//!   generations/g0123….json      manifests
//!   state.json                   {"active": "g…", "previous": "g…", "etag": …}
//!   lock                         held by the sync writing the cache
//!   local/, catalog/             a standalone screen's picture blobs; catalog copies
//!   renditions/                  large pictures at the screen's size (media/rendition.rs)
//! ```

use std::collections::HashSet;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::fsutil::{PathError, WithPath, commit_file, is_temp_name, write_atomic};
use crate::generation::{Generation, GenerationError, Library};
use crate::media::{BlobRef, LocalMedia, blob_path};

/// Why the cache could not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    #[error(transparent)]
    Io(#[from] PathError),
    #[error("{path}: {source}")]
    Generation {
        path: PathBuf,
        #[source]
        source: GenerationError,
    },
    #[error("blob {sha256}: {reason}")]
    Corrupt { sha256: String, reason: String },
    #[error("{0} is being written by another vitrin; try again when it is done")]
    Busy(PathBuf),
    #[error("generation {0} is not in the cache")]
    NoGeneration(String),
}

/// The small file that says which generation plays.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    pub active: Option<String>,
    pub previous: Option<String>,
    /// The feed the active generation came from.
    pub feed: Option<String>,
    /// The manifest's validators, for conditional requests.
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// What an eviction removed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Evicted {
    pub blobs: usize,
    pub bytes: u64,
}

/// A cache held for writing; let go when dropped (or when the process ends, however it ends).
#[derive(Debug)]
pub struct CacheLock(#[allow(dead_code)] std::fs::File);

/// A cache folder.
#[derive(Debug, Clone)]
pub struct Cache {
    dir: PathBuf,
}

impl Cache {
    /// Opens (creating if needed) a cache folder, clearing temporary files a crash left behind.
    pub fn open(dir: impl Into<PathBuf>) -> Result<Cache, CacheError> {
        let dir = dir.into();
        for sub in ["blobs/sha256", "partial", "generations"] {
            let d = dir.join(sub);
            std::fs::create_dir_all(&d).with_path(&d)?;
        }
        let cache = Cache { dir };
        cache.remove_temporaries()?;
        Ok(cache)
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The folder blobs live under (for [`LocalMedia`]).
    pub fn blob_dir(&self) -> PathBuf {
        self.dir.join("blobs")
    }

    pub fn blob_path(&self, sha256: &str) -> PathBuf {
        blob_path(&self.blob_dir(), sha256)
    }

    /// Where a blob is downloaded to before it is verified.
    pub fn partial_path(&self, sha256: &str) -> PathBuf {
        self.dir.join("partial").join(format!("{sha256}.partial"))
    }

    fn generation_path(&self, generation: &str) -> PathBuf {
        self.dir
            .join("generations")
            .join(format!("{generation}.json"))
    }

    fn remove_temporaries(&self) -> Result<(), CacheError> {
        let mut dirs = vec![self.dir.clone(), self.dir.join("generations")];
        let shards = self.dir.join("blobs/sha256");
        for entry in std::fs::read_dir(&shards).with_path(&shards)? {
            dirs.push(entry.with_path(&shards)?.path());
        }
        for d in dirs {
            let Ok(entries) = std::fs::read_dir(&d) else {
                continue;
            };
            for entry in entries.flatten() {
                if is_temp_name(&entry.file_name().to_string_lossy()) {
                    let path = entry.path();
                    std::fs::remove_file(&path).with_path(&path)?;
                }
            }
        }
        Ok(())
    }

    /// The state file. When it is missing or damaged (a disk that lost its last write), the newest
    /// complete generation in the cache is the active one: whatever is cached keeps playing.
    pub fn state(&self) -> State {
        let read = std::fs::read(self.dir.join("state.json"))
            .ok()
            .and_then(|b| serde_json::from_slice::<State>(&b).ok());
        match read {
            Some(state) => state,
            None => State {
                active: self.newest_complete(),
                ..State::default()
            },
        }
    }

    /// The newest stored generation whose blobs are all in place.
    fn newest_complete(&self) -> Option<String> {
        let mut stored: Vec<(SystemTime, String)> = std::fs::read_dir(self.dir.join("generations"))
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                let id = name.strip_suffix(".json")?.to_string();
                Some((e.metadata().ok()?.modified().ok()?, id))
            })
            .collect();
        stored.sort();
        let found = stored.into_iter().rev().map(|(_, id)| id).find(|id| {
            self.generation(id)
                .is_ok_and(|g| g.blobs.iter().all(|b| self.has_blob(b)))
        });
        if let Some(id) = &found {
            tracing::warn!(generation = %id, cache = %self.dir.display(), "state.json is missing or damaged: playing the newest complete generation");
        }
        found
    }

    /// Holds the cache for one writer: a second sync of the same cache (a timer and a person at
    /// the same time) waits its turn instead of writing beside the first.
    pub fn lock(&self) -> Result<CacheLock, CacheError> {
        let path = self.dir.join("lock");
        let file = std::fs::File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .with_path(&path)?;
        match file.try_lock() {
            Ok(()) => Ok(CacheLock(file)),
            Err(std::fs::TryLockError::WouldBlock) => Err(CacheError::Busy(self.dir.clone())),
            Err(std::fs::TryLockError::Error(e)) => Err(PathError { path, source: e }.into()),
        }
    }

    /// Whether a blob is in place with its size.
    pub fn has_blob(&self, b: &BlobRef) -> bool {
        std::fs::metadata(self.blob_path(&b.sha256)).is_ok_and(|m| m.is_file() && m.len() == b.size)
    }

    /// Verifies a finished download against its hash and size and moves it into place.
    pub fn commit_blob(&self, b: &BlobRef) -> Result<(), CacheError> {
        let partial = self.partial_path(&b.sha256);
        let (size, hash) = hash_file(&partial)?;
        if size != b.size || hash != b.sha256 {
            std::fs::remove_file(&partial).with_path(&partial)?;
            return Err(CacheError::Corrupt {
                sha256: b.sha256.clone(),
                reason: format!(
                    "downloaded {size} bytes with hash {hash}, expected {} bytes",
                    b.size
                ),
            });
        }
        commit_file(&partial, &self.blob_path(&b.sha256))?;
        Ok(())
    }

    /// Keeps a manifest in the cache (not yet active).
    pub fn store_generation(
        &self,
        generation: &Generation,
        bytes: &[u8],
    ) -> Result<(), CacheError> {
        write_atomic(&self.generation_path(&generation.id), bytes)?;
        Ok(())
    }

    /// A stored generation, read and checked.
    pub fn generation(&self, generation: &str) -> Result<Generation, CacheError> {
        let path = self.generation_path(generation);
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(CacheError::NoGeneration(generation.into()));
            }
            Err(e) => return Err(PathError { path, source: e }.into()),
        };
        Generation::parse(&bytes).map_err(|source| CacheError::Generation { path, source })
    }

    /// Makes a generation the one that plays. All its blobs must be in place.
    pub fn activate(
        &self,
        generation: &Generation,
        feed: Option<&str>,
        etag: Option<String>,
        last_modified: Option<String>,
    ) -> Result<(), CacheError> {
        for b in &generation.blobs {
            if !self.has_blob(b) {
                return Err(CacheError::Corrupt {
                    sha256: b.sha256.clone(),
                    reason: "missing, so the generation cannot become active".into(),
                });
            }
        }
        let old = self.state();
        let previous = match old.active {
            Some(a) if a != generation.id => Some(a),
            _ => old.previous,
        };
        let state = State {
            active: Some(generation.id.clone()),
            previous,
            feed: feed.map(str::to_string),
            etag,
            last_modified,
        };
        let bytes = serde_json::to_vec_pretty(&state).expect("state serializes");
        write_atomic(&self.dir.join("state.json"), &bytes)?;
        // Blobs just used are the most recently used.
        let now = SystemTime::now();
        for b in &generation.blobs {
            if let Ok(f) = std::fs::File::options()
                .append(true)
                .open(self.blob_path(&b.sha256))
            {
                let _ = f.set_modified(now);
            }
        }
        Ok(())
    }

    /// The active generation, if it is complete (every blob present with its size).
    pub fn active(&self) -> Result<Option<Generation>, CacheError> {
        let Some(id) = self.state().active else {
            return Ok(None);
        };
        let generation = self.generation(&id)?;
        for b in &generation.blobs {
            if !self.has_blob(b) {
                return Err(CacheError::Corrupt {
                    sha256: b.sha256.clone(),
                    reason: format!("missing from active generation {id}"),
                });
            }
        }
        Ok(Some(generation))
    }

    /// The active generation with its blobs, ready to play without any network.
    pub fn active_library(&self) -> Result<Option<Library>, CacheError> {
        Ok(self.active()?.map(|generation| Library {
            generation,
            store: Arc::new(LocalMedia {
                blob_dir: Some(self.blob_dir()),
            }),
        }))
    }

    /// Checks every blob of a generation against its hash.
    pub fn verify(&self, generation: &Generation) -> Result<(), CacheError> {
        for b in &generation.blobs {
            let (size, hash) = hash_file(&self.blob_path(&b.sha256))?;
            if size != b.size || hash != b.sha256 {
                return Err(CacheError::Corrupt {
                    sha256: b.sha256.clone(),
                    reason: format!("has {size} bytes with hash {hash}"),
                });
            }
        }
        Ok(())
    }

    /// Removes blobs no longer needed, least recently used first, until the cache holds at most
    /// `limit` bytes. Blobs of the active and previous generations are never removed, and nor are
    /// their manifests.
    pub fn evict(&self, limit: u64) -> Result<Evicted, CacheError> {
        let state = self.state();
        let keep_generations: Vec<String> = [state.active, state.previous]
            .into_iter()
            .flatten()
            .collect();
        let mut keep: HashSet<String> = HashSet::new();
        for g in &keep_generations {
            if let Ok(m) = self.generation(g) {
                keep.extend(m.blobs.into_iter().map(|b| b.sha256));
            }
        }
        let mut blobs: Vec<(SystemTime, u64, PathBuf, String)> = Vec::new();
        let shards = self.dir.join("blobs/sha256");
        let mut total = 0u64;
        for shard in std::fs::read_dir(&shards).with_path(&shards)?.flatten() {
            for entry in std::fs::read_dir(shard.path())
                .with_path(&shard.path())?
                .flatten()
            {
                let name = entry.file_name().to_string_lossy().into_owned();
                let Ok(meta) = entry.metadata() else { continue };
                total += meta.len();
                if !keep.contains(&name) {
                    let mtime = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
                    blobs.push((mtime, meta.len(), entry.path(), name));
                }
            }
        }
        blobs.sort();
        let mut evicted = Evicted::default();
        for (_, size, path, _) in blobs {
            if total <= limit {
                break;
            }
            std::fs::remove_file(&path).with_path(&path)?;
            total -= size;
            evicted.blobs += 1;
            evicted.bytes += size;
        }
        self.remove_stale_partials()?;
        // Manifests of generations that can no longer play.
        let gens = self.dir.join("generations");
        for entry in std::fs::read_dir(&gens).with_path(&gens)?.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let generation = name.trim_end_matches(".json");
            if !keep_generations.iter().any(|g| g == generation) {
                let path = entry.path();
                std::fs::remove_file(&path).with_path(&path)?;
            }
        }
        Ok(evicted)
    }

    /// Downloads a sync left a day ago or more: a sync resumes its own within minutes, and one that
    /// was given up on would otherwise hold its bytes for ever.
    fn remove_stale_partials(&self) -> Result<(), CacheError> {
        let partial = self.dir.join("partial");
        let day_ago = SystemTime::now() - std::time::Duration::from_secs(24 * 3600);
        for entry in std::fs::read_dir(&partial).with_path(&partial)?.flatten() {
            let stale = entry
                .metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|t| t < day_ago);
            if stale {
                let path = entry.path();
                std::fs::remove_file(&path).with_path(&path)?;
            }
        }
        Ok(())
    }

    /// Bytes held by blobs.
    pub fn blob_bytes(&self) -> u64 {
        let shards = self.dir.join("blobs/sha256");
        std::fs::read_dir(shards)
            .into_iter()
            .flatten()
            .flatten()
            .flat_map(|s| std::fs::read_dir(s.path()).into_iter().flatten().flatten())
            .filter_map(|e| e.metadata().ok())
            .map(|m| m.len())
            .sum()
    }
}

/// Size and SHA-256 (hex) of a file, read in chunks.
pub fn hash_file(path: &Path) -> Result<(u64, String), PathError> {
    let mut file = std::fs::File::open(path).with_path(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut size = 0u64;
    loop {
        let n = file.read(&mut buf).with_path(path)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        size += n as u64;
    }
    Ok((size, hex::encode(hasher.finalize())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::sha256_hex;

    fn blob(cache: &Cache, bytes: &[u8]) -> BlobRef {
        let b = BlobRef {
            sha256: sha256_hex(bytes),
            size: bytes.len() as u64,
            media_type: "image/png".into(),
        };
        std::fs::write(cache.partial_path(&b.sha256), bytes).unwrap();
        cache.commit_blob(&b).unwrap();
        b
    }

    #[test]
    fn a_generation_activates_only_when_complete() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::open(dir.path()).unwrap();
        assert!(cache.active().unwrap().is_none());
        let a = blob(&cache, b"first picture");
        let missing = BlobRef {
            sha256: sha256_hex(b"not here"),
            size: 8,
            media_type: "image/png".into(),
        };
        let m = Generation::new(vec![], vec![a.clone(), missing]);
        cache.store_generation(&m, &m.to_bytes()).unwrap();
        assert!(cache.activate(&m, None, None, None).is_err());
        assert!(cache.active().unwrap().is_none());
        let m = Generation::new(vec![], vec![a]);
        cache.store_generation(&m, &m.to_bytes()).unwrap();
        cache
            .activate(&m, Some("http://x/"), Some("\"e1\"".into()), None)
            .unwrap();
        let active = cache.active().unwrap().unwrap();
        assert_eq!(active.id, m.id);
        cache.verify(&active).unwrap();
        // Reopening after a crash keeps it.
        let again = Cache::open(dir.path()).unwrap();
        assert_eq!(again.active().unwrap().unwrap(), active);
        assert_eq!(again.state().etag.as_deref(), Some("\"e1\""));
    }

    #[test]
    fn a_wrong_download_is_refused_and_removed() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::open(dir.path()).unwrap();
        let b = BlobRef {
            sha256: sha256_hex(b"right"),
            size: 5,
            media_type: "image/png".into(),
        };
        std::fs::write(cache.partial_path(&b.sha256), b"wrong").unwrap();
        assert!(matches!(
            cache.commit_blob(&b),
            Err(CacheError::Corrupt { .. })
        ));
        assert!(!cache.partial_path(&b.sha256).exists());
        assert!(!cache.has_blob(&b));
    }

    #[test]
    fn eviction_keeps_the_active_and_previous_generations() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::open(dir.path()).unwrap();
        let old = blob(&cache, &[1u8; 1000]);
        let g1 = Generation::new(vec![], vec![old.clone()]);
        cache.store_generation(&g1, &g1.to_bytes()).unwrap();
        cache.activate(&g1, None, None, None).unwrap();
        let mid = blob(&cache, &[2u8; 1000]);
        let g2 = Generation::new(vec![], vec![mid.clone()]);
        cache.store_generation(&g2, &g2.to_bytes()).unwrap();
        cache.activate(&g2, None, None, None).unwrap();
        let new = blob(&cache, &[3u8; 1000]);
        let g3 = Generation::new(vec![], vec![new.clone()]);
        cache.store_generation(&g3, &g3.to_bytes()).unwrap();
        cache.activate(&g3, None, None, None).unwrap();
        let stray = blob(&cache, &[4u8; 1000]);
        // Over the limit: the oldest unneeded blobs go, those of g3 (active) and g2 (previous) stay.
        let evicted = cache.evict(2500).unwrap();
        assert_eq!(evicted.blobs, 2);
        assert!(!cache.has_blob(&old) && !cache.has_blob(&stray));
        assert!(cache.has_blob(&mid) && cache.has_blob(&new));
        assert!(cache.generation(&g1.id).is_err());
        // Even a tiny limit never removes what may play.
        cache.evict(0).unwrap();
        assert!(cache.has_blob(&mid) && cache.has_blob(&new));
    }

    /// A damaged state file (a power cut on a disk that lies about flushing) does not throw away
    /// what is cached: the newest complete generation plays, and eviction keeps it.
    #[test]
    fn a_damaged_state_file_plays_the_newest_complete_generation() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::open(dir.path()).unwrap();
        let a = blob(&cache, b"first");
        let g = Generation::new(vec![], vec![a.clone()]);
        cache.store_generation(&g, &g.to_bytes()).unwrap();
        cache.activate(&g, None, None, None).unwrap();
        std::fs::write(dir.path().join("state.json"), b"{\"active\": \"g").unwrap();
        assert_eq!(cache.active().unwrap().unwrap().id, g.id);
        cache.evict(0).unwrap();
        assert!(cache.has_blob(&a));
        std::fs::remove_file(dir.path().join("state.json")).unwrap();
        assert_eq!(cache.active().unwrap().unwrap().id, g.id);
    }

    #[test]
    fn one_writer_at_a_time() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::open(dir.path()).unwrap();
        let held = cache.lock().unwrap();
        assert!(matches!(cache.lock(), Err(CacheError::Busy(_))));
        drop(held);
        assert!(cache.lock().is_ok());
    }

    #[test]
    fn downloads_left_for_a_day_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::open(dir.path()).unwrap();
        let old = cache.partial_path(&"a".repeat(64));
        let fresh = cache.partial_path(&"b".repeat(64));
        std::fs::write(&old, b"half").unwrap();
        std::fs::write(&fresh, b"half").unwrap();
        let two_days = SystemTime::now() - std::time::Duration::from_secs(48 * 3600);
        std::fs::File::options()
            .append(true)
            .open(&old)
            .unwrap()
            .set_modified(two_days)
            .unwrap();
        cache.evict(u64::MAX).unwrap();
        assert!(!old.exists());
        assert!(fresh.exists());
    }
}
