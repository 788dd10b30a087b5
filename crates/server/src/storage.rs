//! Snapshot and log files: the engine's [`Storage`] on disk, as redis-server keeps them.
//!
//! A snapshot save writes `temp-<pid>.rdb` in `dir`, flushes it to the disk and renames it
//! over `dir/dbfilename`, so that the file is always either the old snapshot or the new one
//! whole, never half of one: a crash during a save leaves the previous snapshot to load.
//!
//! The append-only log follows Redis 7.0's multi-part layout in `dir/appenddirname`: the
//! manifest `<appendfilename>.manifest` lists a base (`<appendfilename>.<n>.base.rdb`) and
//! the commands since (`<appendfilename>.<n>.incr.aof`), one `file <name> seq <n> type <b|i>`
//! line each. A rewrite writes the new base and an empty incr file first and switches the
//! manifest last (by rename), so that a crash leaves one whole manifest or the other, then
//! deletes the old files. Appends go to the manifest's incr file, flushed to the disk after
//! every append under `appendfsync always`, at most once a second under `everysec` (at the
//! first append after the second is up), never under `no`. An append that fails is cut back
//! off the file, so the engine's next try does not log half a command twice; a load that
//! found the log's last command cut short cuts the last file back to its whole commands.

use std::fs;
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use keyspace::persist::{AofFiles, Location, Storage};
use keyspace::rdb::Chunk;

/// `dir`/`dbfilename` and the log's directory on the local disk.
#[derive(Default)]
pub struct FileStorage {
    /// The incr file appends go to, once opened.
    log: Option<OpenLog>,
}

struct OpenLog {
    path: PathBuf,
    file: fs::File,
    last_fsync: Instant,
}

/// One line of a manifest.
#[derive(Clone, Debug, PartialEq, Eq)]
struct ManifestEntry {
    name: String,
    seq: u64,
    /// `b` base, `i` incremental, `h` history (left over from a rewrite, not loaded).
    kind: char,
}

/// Writes `bytes` to `path` through a temporary file in the same directory, flushed and
/// renamed over it.
pub(crate) fn replace_file(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    replace_file_chunks(path, &[Chunk::from(bytes)])
}

/// [`replace_file`] for a file that comes as chunks (a snapshot), written one after the other.
fn replace_file_chunks(path: &Path, chunks: &[Chunk]) -> std::io::Result<()> {
    let temp = path.with_file_name(format!("temp-{}-{}", std::process::id(), file_name(path)));
    let written = fs::File::create(&temp).and_then(|mut file| {
        for chunk in chunks {
            file.write_all(chunk)?;
        }
        file.sync_all()
    });
    let result = written.and_then(|()| fs::rename(&temp, path));
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn aof_dir(at: &Location) -> PathBuf {
    Path::new(&at.dir).join(&at.appenddirname)
}

fn manifest_path(at: &Location) -> PathBuf {
    aof_dir(at).join(format!("{}.manifest", at.appendfilename))
}

/// The manifest's entries, or `None` when there is no manifest.
fn read_manifest(at: &Location) -> Result<Option<Vec<ManifestEntry>>, String> {
    let path = manifest_path(at);
    let text = match fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(format!(
                "Can't open the AOF manifest {}: {e}",
                path.display()
            ))
        }
    };
    let invalid = || format!("Invalid AOF manifest file format ({})", path.display());
    let mut entries = Vec::new();
    for line in text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
    {
        let words: Vec<&str> = line.split_whitespace().collect();
        let mut entry = ManifestEntry {
            name: String::new(),
            seq: 0,
            kind: ' ',
        };
        for pair in words.chunks(2) {
            match pair {
                ["file", name] => entry.name = (*name).to_string(),
                ["seq", n] => entry.seq = n.parse().map_err(|_| invalid())?,
                ["type", kind] if kind.len() == 1 => {
                    entry.kind = kind.chars().next().unwrap_or(' ')
                }
                _ => return Err(invalid()),
            }
        }
        if entry.name.is_empty() || !matches!(entry.kind, 'b' | 'i' | 'h') {
            return Err(invalid());
        }
        entries.push(entry);
    }
    Ok(Some(entries))
}

impl FileStorage {
    /// The incr file the manifest ends with, opened for appending.
    fn open_log(&mut self, at: &Location) -> Result<&mut OpenLog, String> {
        let entries = read_manifest(at)?
            .ok_or_else(|| "No AOF manifest to append to: BGREWRITEAOF creates one".to_string())?;
        let incr = entries
            .iter()
            .filter(|e| e.kind == 'i')
            .max_by_key(|e| e.seq)
            .ok_or_else(|| "The AOF manifest names no incremental file".to_string())?;
        let path = aof_dir(at).join(&incr.name);
        if self.log.as_ref().is_none_or(|log| log.path != path) {
            let file = fs::OpenOptions::new()
                .append(true)
                .create(true)
                .open(&path)
                .map_err(|e| format!("Can't open the append only file {}: {e}", path.display()))?;
            self.log = Some(OpenLog {
                path,
                file,
                last_fsync: Instant::now(),
            });
        }
        Ok(self.log.as_mut().expect("opened above"))
    }
}

impl Storage for FileStorage {
    fn write_rdb(&mut self, at: &Location, rdb: &[Chunk]) -> Result<(), String> {
        let target = Path::new(&at.dir).join(&at.dbfilename);
        replace_file_chunks(&target, rdb)
            .map_err(|e| format!("Failed saving the DB to {}: {e}", target.display()))
    }

    fn read_rdb(&mut self, at: &Location) -> Result<Option<Vec<u8>>, String> {
        let path = Path::new(&at.dir).join(&at.dbfilename);
        match fs::read(&path) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
            Err(e) => Err(format!("Can't open {}: {e}", path.display())),
        }
    }

    fn append_aof(&mut self, at: &Location, commands: &[Chunk], fsync: &str) -> Result<(), String> {
        let log = self.open_log(at)?;
        // A write that fails half-way is cut back off, as Redis's `flushAppendOnlyFile`
        // does, so that trying the same commands again does not log half of one twice.
        let before = log.file.metadata().map_err(|e| strerror(&e))?.len();
        if let Err(e) = commands
            .iter()
            .try_for_each(|chunk| log.file.write_all(chunk))
        {
            let _ = log.file.set_len(before);
            return Err(strerror(&e));
        }
        let due = match fsync {
            "always" => true,
            "everysec" => log.last_fsync.elapsed() >= Duration::from_secs(1),
            _ => false,
        };
        if due {
            // Not on the disk: cut back off as well, since the engine tries them again.
            if let Err(e) = log.file.sync_data() {
                let _ = log.file.set_len(before);
                return Err(strerror(&e));
            }
            log.last_fsync = Instant::now();
        }
        Ok(())
    }

    /// Cuts the last file of the log: its commands are those of the files one after the
    /// other (as [`Storage::read_aof`] reads them), and only the last may be cut, as in
    /// Redis ("the truncated file is not the last file").
    fn truncate_aof(&mut self, at: &Location, len: usize) -> Result<(), String> {
        let dir = aof_dir(at);
        let mut files = Vec::new();
        for entry in log_order(read_manifest(at)?.unwrap_or_default()) {
            let path = dir.join(&entry.name);
            let bytes = fs::read(&path).map_err(|e| strerror(&e))?;
            if !(entry.kind == 'b' && bytes.starts_with(b"REDIS")) {
                files.push((path, bytes.len() as u64));
            }
        }
        let Some(((last, _), earlier)) = files.split_last() else {
            return Ok(());
        };
        let before: u64 = earlier.iter().map(|(_, size)| size).sum();
        let keep = (len as u64)
            .checked_sub(before)
            .ok_or_else(|| "the truncated file is not the last file".to_string())?;
        let file = fs::OpenOptions::new()
            .write(true)
            .open(last)
            .map_err(|e| strerror(&e))?;
        file.set_len(keep).map_err(|e| strerror(&e))?;
        file.sync_all().map_err(|e| strerror(&e))?;
        self.log = None;
        Ok(())
    }

    fn rewrite_aof(&mut self, at: &Location, base: &[Chunk]) -> Result<(), String> {
        let dir = aof_dir(at);
        fs::create_dir_all(&dir)
            .map_err(|e| format!("Can't create the AOF directory {}: {e}", dir.display()))?;
        let old = read_manifest(at)?.unwrap_or_default();
        let seq = old.iter().map(|e| e.seq).max().unwrap_or(0) + 1;
        let name = &at.appendfilename;
        // An RDB base, or commands under `aof-use-rdb-preamble no`, named as Redis names them.
        let kind = if base
            .first()
            .is_some_and(|chunk| chunk.starts_with(b"REDIS"))
        {
            "rdb"
        } else {
            "aof"
        };
        let base_name = format!("{name}.{seq}.base.{kind}");
        let incr_name = format!("{name}.{seq}.incr.aof");
        let failed = |e: std::io::Error| format!("Background AOF rewrite failed: {e}");
        replace_file_chunks(&dir.join(&base_name), base).map_err(failed)?;
        replace_file(&dir.join(&incr_name), b"").map_err(failed)?;
        let manifest =
            format!("file {base_name} seq {seq} type b\nfile {incr_name} seq {seq} type i\n");
        replace_file(&manifest_path(at), manifest.as_bytes()).map_err(failed)?;
        self.log = None;
        for entry in old {
            if entry.name != base_name && entry.name != incr_name {
                let _ = fs::remove_file(dir.join(&entry.name));
            }
        }
        Ok(())
    }

    fn resolve_dir(&mut self, dir: &str) -> Result<String, String> {
        absolute_dir(dir)
            .map(|path| path.to_string_lossy().into_owned())
            .map_err(|e| strerror(&e))
    }

    fn read_aof(&mut self, at: &Location) -> Result<Option<AofFiles>, String> {
        let Some(entries) = read_manifest(at)? else {
            return Ok(None);
        };
        let dir = aof_dir(at);
        let read = |name: &str| {
            fs::read(dir.join(name))
                .map_err(|e| format!("Can't open the append only file {name}: {e}"))
        };
        let mut base = None;
        let mut log = Vec::new();
        for entry in log_order(entries) {
            let bytes = read(&entry.name)?;
            // A base is an RDB snapshot, or (aof-use-rdb-preamble no) commands.
            if entry.kind == 'b' && bytes.starts_with(b"REDIS") {
                base = Some(bytes);
            } else {
                log.extend_from_slice(&bytes);
            }
        }
        Ok(Some((base, log)))
    }
}

/// The files a log is loaded from, in order: the base, then the incr files by sequence
/// (history files are left over from a rewrite and not loaded).
fn log_order(mut entries: Vec<ManifestEntry>) -> Vec<ManifestEntry> {
    entries.retain(|e| e.kind != 'h');
    entries.sort_by_key(|e| (e.kind != 'b', e.seq));
    entries
}

/// `dir` made absolute, checked to be a directory: what CONFIG GET dir then answers, as
/// redis-server's chdir makes its answer absolute.
pub fn absolute_dir(dir: &str) -> std::io::Result<PathBuf> {
    fs::canonicalize(dir).and_then(|path| {
        if path.is_dir() {
            Ok(path)
        } else {
            Err(std::io::Error::new(
                ErrorKind::NotADirectory,
                "Not a directory",
            ))
        }
    })
}

/// An error as C's `strerror` words it, without Rust's " (os error N)".
pub fn strerror(e: &std::io::Error) -> String {
    let text = e.to_string();
    match text.find(" (os error") {
        Some(at) => text[..at].to_string(),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_replaced_whole_and_the_log_follows_redis_s_layout() {
        let dir = std::env::temp_dir().join(format!("keyspace-storage-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let d = dir.to_str().unwrap();
        let at = Location {
            dir: d.to_string(),
            dbfilename: "dump.rdb".into(),
            appenddirname: "appendonlydir".into(),
            appendfilename: "appendonly.aof".into(),
        };
        let mut storage = FileStorage::default();
        assert_eq!(storage.read_rdb(&at), Ok(None));
        storage
            .write_rdb(&at, &[Chunk::from(&b"first"[..])])
            .unwrap();
        storage
            .write_rdb(&at, &[Chunk::from(&b"second"[..])])
            .unwrap();
        assert_eq!(storage.read_rdb(&at), Ok(Some(b"second".to_vec())));
        let names: Vec<_> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["dump.rdb"]);
        let missing = Location {
            dbfilename: "missing/dump.rdb".into(),
            ..at.clone()
        };
        assert!(storage
            .write_rdb(&missing, &[Chunk::from(&b"x"[..])])
            .is_err());

        // The log: nothing until a rewrite, then a base and appends, in Redis's layout.
        let ping = b"*1\r\n$4\r\nPING\r\n";
        assert_eq!(storage.read_aof(&at), Ok(None));
        assert!(storage
            .append_aof(&at, &[Chunk::from(&ping[..])], "always")
            .is_err());
        storage
            .rewrite_aof(&at, &[Chunk::from(&b"REDIS0010-first"[..])])
            .unwrap();
        storage
            .append_aof(&at, &[Chunk::from(&ping[..])], "always")
            .unwrap();
        assert_eq!(
            storage.read_aof(&at),
            Ok(Some((Some(b"REDIS0010-first".to_vec()), ping.to_vec())))
        );
        storage
            .rewrite_aof(&at, &[Chunk::from(&b"REDIS0010-second"[..])])
            .unwrap();
        let manifest = fs::read_to_string(dir.join("appendonlydir/appendonly.aof.manifest"));
        assert_eq!(
            manifest.unwrap(),
            "file appendonly.aof.2.base.rdb seq 2 type b\n\
             file appendonly.aof.2.incr.aof seq 2 type i\n"
        );
        let mut files: Vec<_> = fs::read_dir(dir.join("appendonlydir"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        files.sort();
        assert_eq!(
            files,
            [
                "appendonly.aof.2.base.rdb",
                "appendonly.aof.2.incr.aof",
                "appendonly.aof.manifest"
            ]
        );
        assert_eq!(
            storage.read_aof(&at),
            Ok(Some((Some(b"REDIS0010-second".to_vec()), Vec::new())))
        );
        // A load that found the last command cut short cuts the last incr file back; with
        // two incr files (a rewrite redis-server left unfinished), only within the last one.
        storage
            .append_aof(&at, &[Chunk::from(&b"*1\r\n$4\r\nPI"[..])], "always")
            .unwrap();
        storage.truncate_aof(&at, 0).unwrap();
        storage
            .append_aof(&at, &[Chunk::from(&ping[..])], "always")
            .unwrap();
        assert_eq!(
            storage.read_aof(&at),
            Ok(Some((Some(b"REDIS0010-second".to_vec()), ping.to_vec())))
        );
        let aof_dir = dir.join("appendonlydir");
        fs::write(aof_dir.join("appendonly.aof.3.incr.aof"), ping).unwrap();
        fs::write(
            aof_dir.join("appendonly.aof.manifest"),
            "file appendonly.aof.2.base.rdb seq 2 type b\n\
             file appendonly.aof.2.incr.aof seq 2 type i\n\
             file appendonly.aof.3.incr.aof seq 3 type i\n",
        )
        .unwrap();
        assert_eq!(
            storage.truncate_aof(&at, ping.len() - 1),
            Err("the truncated file is not the last file".into())
        );
        storage.truncate_aof(&at, ping.len() + 4).unwrap();
        assert_eq!(
            fs::read(aof_dir.join("appendonly.aof.3.incr.aof")).unwrap(),
            &ping[..4]
        );
        let absolute = absolute_dir(d).unwrap().to_string_lossy().into_owned();
        assert_eq!(storage.resolve_dir(d), Ok(absolute));
        assert_eq!(
            storage.resolve_dir(&format!("{d}/dump.rdb")),
            Err("Not a directory".into())
        );
        assert_eq!(
            storage.resolve_dir(&format!("{d}/nowhere")),
            Err("No such file or directory".into())
        );
        fs::remove_dir_all(&dir).unwrap();
    }
}
