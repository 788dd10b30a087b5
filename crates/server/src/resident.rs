//! The server's resident memory for INFO's `used_memory_rss`, as the operating system counts
//! it. Linux says it in `/proc/self/status` (`VmRSS`, in kB), which spares knowing the page
//! size that `/proc/self/statm`'s page counts would need; elsewhere nothing is read and the
//! engine reports its model instead (`keyspace::resident`).

use keyspace::ResidentMemory;

/// Reads this process's resident set size.
pub struct ProcessMemory;

impl ResidentMemory for ProcessMemory {
    fn resident_bytes(&self) -> Option<u64> {
        let status = std::fs::read_to_string("/proc/self/status").ok()?;
        vm_rss(&status)
    }
}

/// The bytes of `VmRSS:   12345 kB` in a `/proc/PID/status` text.
fn vm_rss(status: &str) -> Option<u64> {
    let line = status.lines().find_map(|l| l.strip_prefix("VmRSS:"))?;
    let kb = line.trim().strip_suffix("kB")?.trim().parse::<u64>().ok()?;
    Some(kb * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_resident_size_is_read_from_vm_rss_in_kilobytes() {
        let status =
            "Name:\tkeyspace-server\nVmPeak:\t  20000 kB\nVmRSS:\t    5120 kB\nThreads:\t2\n";
        assert_eq!(vm_rss(status), Some(5 * 1024 * 1024));
        assert_eq!(vm_rss("Name:\tx\n"), None);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn this_process_is_resident() {
        let rss = ProcessMemory
            .resident_bytes()
            .expect("Linux has /proc/self/status");
        assert!(rss > 0);
    }
}
