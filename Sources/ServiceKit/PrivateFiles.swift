#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
public import Logging

/// The data a service writes (databases and their WAL, backups, the development SMS file)
/// holds clients' passports, debts and login codes: only the service's own user may read it.
public enum PrivateFiles {
    /// Files the process creates from now on get 0600 and folders 0700, whatever the mode
    /// asked for at creation (SQLite's 0644, `VACUUM INTO`'s copy, an `O_CREAT` append).
    public static func restrictNewFiles() {
        umask(0o077)
    }

    /// One warning line when the database file or its WAL can be read by other users (a file
    /// copied in, or made before this service set its umask): the service still starts, and
    /// the operator learns what to `chmod`.
    public static func warnIfShared(database path: String, logger: Logger) {
        var exposed: [String] = []
        for candidate in [path, path + "-wal", path + "-shm"] {
            var info = stat()
            guard stat(candidate, &info) == 0 else { continue }
            if info.st_mode & 0o077 != 0 { exposed.append("\(candidate) \(String(info.st_mode & 0o777, radix: 8))") }
        }
        guard !exposed.isEmpty else { return }
        logger.warning("database readable by other users: chmod 600 them", metadata: [
            "database": "\(path)", "modes": "\(exposed.joined(separator: ", "))",
        ])
    }
}
