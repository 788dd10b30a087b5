//! The ACL file (`aclfile`) on the local disk: read whole by ACL LOAD and at start, replaced
//! whole by ACL SAVE (written beside it, flushed, renamed over it, as Redis's
//! `ACLSaveToFile` does). A relative path is taken from `dir`, where redis-server works.

use std::fs;
use std::path::PathBuf;

use keyspace::acl::AclFileAccess;

use crate::storage::{replace_file, strerror};

pub struct FileAclAccess {
    dir: PathBuf,
}

impl FileAclAccess {
    pub fn new(dir: &str) -> FileAclAccess {
        FileAclAccess { dir: dir.into() }
    }
}

impl AclFileAccess for FileAclAccess {
    fn read(&mut self, path: &str) -> Result<Vec<u8>, String> {
        fs::read(self.dir.join(path)).map_err(|e| strerror(&e))
    }

    fn write(&mut self, path: &str, contents: &[u8]) -> Result<(), String> {
        replace_file(&self.dir.join(path), contents).map_err(|e| {
            let why = strerror(&e);
            eprintln!("Failed to save the ACL file '{path}': {why}");
            why
        })
    }
}
