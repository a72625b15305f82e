//! Keys shared by the host and a board (authenticated frames, `PROTOCOL.md`): made by
//! `callboard board keygen` from the operating system's random source, kept in a file only its
//! owner can read, as OpenSSH keeps a private key, and read back refusing one anybody else can.
//!
//! A key file holds the key as 64 hexadecimal digits and a line end: the same text a board is
//! built with (`CALLBOARD_BOARD_KEY`).

use std::io::Write as _;
use std::path::Path;

use callboard_core::wire::{KEY_BYTES, Key};

/// A new key from the operating system's random source.
///
/// # Errors
/// When the random source cannot be read.
pub fn new_key() -> Result<Key, String> {
    let mut bytes = [0_u8; KEY_BYTES];
    getrandom::fill(&mut bytes).map_err(|e| format!("no random source: {e}"))?;
    Ok(Key::new(bytes))
}

/// The key as a key file holds it: 64 lower-case hexadecimal digits.
fn to_hex(key: &Key) -> String {
    key.bytes().iter().map(|b| format!("{b:02x}")).collect()
}

/// Writes `key` to a new file at `path` that only its owner can read and write (0600); an
/// existing file is never overwritten.
///
/// # Errors
/// The file exists, or cannot be written.
pub fn write_key_file(path: &Path, key: &Key) -> Result<(), String> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::AlreadyExists => {
            format!("{} exists: a key is never overwritten (remove it first)", path.display())
        }
        _ => format!("cannot create {}: {e}", path.display()),
    })?;
    writeln!(file, "{}", to_hex(key))
        .and_then(|()| file.sync_all())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Reads the key file at `path`, refusing one that anybody but its owner can read or write (as
/// OpenSSH refuses a private key: a key others can read is no secret).
///
/// # Errors
/// The file cannot be read, is open to others, or does not hold a key.
pub fn read_key_file(path: &Path) -> Result<Key, String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let meta = std::fs::metadata(path)
            .map_err(|e| format!("cannot read the key file {}: {e}", path.display()))?;
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(format!(
                "the key file {} is open to others (mode {mode:04o}): make it the owner's only \
                 (chmod 600)",
                path.display()
            ));
        }
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read the key file {}: {e}", path.display()))?;
    Key::from_hex(text.trim()).map_err(|e| format!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_written_for_its_owner_only_and_read_back() {
        let dir = std::env::temp_dir().join(format!("callboard-keys-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("board-3.key");
        let _ = std::fs::remove_file(&path);
        let key = new_key().unwrap();
        write_key_file(&path, &key).unwrap();
        assert_eq!(read_key_file(&path).unwrap(), key);
        // Never overwritten; two keys are not the same.
        assert!(write_key_file(&path, &new_key().unwrap()).unwrap_err().contains("exists"));
        assert_ne!(new_key().unwrap(), key);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
            assert!(read_key_file(&path).unwrap_err().contains("open to others"));
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        std::fs::write(&path, "not a key\n").unwrap();
        assert!(read_key_file(&path).unwrap_err().contains("64 hexadecimal digits"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
