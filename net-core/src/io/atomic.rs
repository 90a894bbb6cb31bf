//! Atomic file writes: a temporary file beside the target, synced, then
//! renamed over it.

use std::fs::{self, File, OpenOptions};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use super::SyncWrite;
use crate::error::{Error, Result};

/// Temporary names stay unique when threads of one process save at once.
static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// Writes `bytes` to `path` so that `path` holds either its old contents or
/// all of the new ones, never a mixture: a temporary file in the same
/// directory (same file system, so the rename is atomic) is written through
/// `wrap(file)`, flushed and synced, then renamed over `path`. On any error
/// the temporary file is removed and `path` is untouched.
///
/// # Errors
/// `Error::Io` naming `path` (a missing directory, a full disk, a failed
/// rename); never the temporary file, which the caller does not know of.
pub(crate) fn write_atomic<W: SyncWrite>(
    path: &Path,
    bytes: &[u8],
    wrap: impl FnOnce(File) -> W,
) -> Result<()> {
    let io_error = |path: &Path| {
        let path = path.to_path_buf();
        move |source| Error::Io { path, source }
    };
    let file_name = path
        .file_name()
        .ok_or_else(|| Error::InvalidArgument(format!("`{}` does not name a file", path.display())))?;
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let (temp, file) = create_temp(dir, &file_name.to_string_lossy()).map_err(io_error(path))?;
    let written = (|| {
        let mut writer = wrap(file);
        writer.write_all(bytes)?;
        writer.flush()?;
        writer.sync()
        // The writer (and the file handle) closes here, before the rename,
        // which some platforms require.
    })();
    if let Err(source) = written {
        let _ = fs::remove_file(&temp);
        return Err(io_error(path)(source));
    }
    if let Err(source) = fs::rename(&temp, path) {
        let _ = fs::remove_file(&temp);
        return Err(io_error(path)(source));
    }
    // The rename is only durable once the directory entry is on disk too.
    #[cfg(unix)]
    if let Ok(dir) = File::open(dir) {
        let _ = dir.sync_all();
    }
    Ok(())
}

/// Creates `.NAME.PID.N.tmp` in `dir`, never reusing an existing file.
fn create_temp(dir: &Path, name: &str) -> std::io::Result<(PathBuf, File)> {
    loop {
        let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
        let temp = dir.join(format!(".{name}.{}.{n}.tmp", std::process::id()));
        match OpenOptions::new().write(true).create_new(true).open(&temp) {
            Ok(file) => return Ok((temp, file)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(source) => return Err(source),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_directory_is_reported_by_the_path_asked_for() {
        let path = std::env::temp_dir().join("typenet-no-such-dir").join("model.safetensors");
        match write_atomic(&path, b"x", |file| file) {
            Err(Error::Io { path: reported, .. }) => assert_eq!(reported, path),
            other => panic!("expected an I/O error naming the path, got {other:?}"),
        }
    }
}
