//! Snapshot files: the engine's [`Storage`] on disk, as redis-server keeps `dump.rdb`.
//!
//! A save writes `temp-<pid>.rdb` in `dir`, flushes it to the disk and renames it over
//! `dir/dbfilename`, so that the file is always either the old snapshot or the new one
//! whole, never half of one: a crash during a save leaves the previous snapshot to load.

use std::fs;
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};

use keyspace::persist::Storage;

/// `dir`/`dbfilename` on the local disk.
pub struct FileStorage;

impl Storage for FileStorage {
    fn write_rdb(&mut self, dir: &str, dbfilename: &str, rdb: &[u8]) -> Result<(), String> {
        let temp = Path::new(dir).join(format!("temp-{}.rdb", std::process::id()));
        let target = Path::new(dir).join(dbfilename);
        let written = fs::File::create(&temp).and_then(|mut file| {
            file.write_all(rdb)?;
            file.sync_all()
        });
        if let Err(e) = written.and_then(|()| fs::rename(&temp, &target)) {
            let _ = fs::remove_file(&temp);
            return Err(format!("Failed saving the DB to {}: {e}", target.display()));
        }
        Ok(())
    }

    fn read_rdb(&mut self, dir: &str, dbfilename: &str) -> Result<Option<Vec<u8>>, String> {
        let path = Path::new(dir).join(dbfilename);
        match fs::read(&path) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
            Err(e) => Err(format!("Can't open {}: {e}", path.display())),
        }
    }
}

/// `dir` made absolute, checked to be a directory: what CONFIG GET dir then answers, as
/// redis-server's chdir makes its answer absolute. The error is redis-server's.
pub fn absolute_dir(dir: &str) -> Result<PathBuf, String> {
    fs::canonicalize(dir)
        .and_then(|path| {
            if path.is_dir() {
                Ok(path)
            } else {
                Err(std::io::Error::new(
                    ErrorKind::NotADirectory,
                    "Not a directory",
                ))
            }
        })
        .map_err(|e| format!("Can't chdir to '{dir}': {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_save_replaces_the_file_whole_and_leaves_no_temporary() {
        let dir = std::env::temp_dir().join(format!("keyspace-storage-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let d = dir.to_str().unwrap();
        let mut storage = FileStorage;
        assert_eq!(storage.read_rdb(d, "dump.rdb"), Ok(None));
        storage.write_rdb(d, "dump.rdb", b"first").unwrap();
        storage.write_rdb(d, "dump.rdb", b"second").unwrap();
        assert_eq!(
            storage.read_rdb(d, "dump.rdb"),
            Ok(Some(b"second".to_vec()))
        );
        let names: Vec<_> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["dump.rdb"]);
        assert!(storage.write_rdb(d, "missing/dump.rdb", b"x").is_err());
        assert!(absolute_dir(d).unwrap().is_absolute());
        assert!(absolute_dir(&format!("{d}/dump.rdb")).is_err());
        fs::remove_dir_all(&dir).unwrap();
    }
}
