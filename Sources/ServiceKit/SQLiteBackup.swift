import Foundation
import GRDB

/// A consistent copy of a live SQLite database, taken while the service keeps writing.
///
/// `VACUUM INTO` reads the database in one read transaction — a snapshot of every commit
/// made before it began — and writes a compact copy; in WAL mode it does not block the
/// service's writers. The copy goes to a temporary file beside the target and is renamed
/// into place only when complete, so a backup file is never half-written.
public enum SQLiteBackup {
    public struct Summary: Sendable, Equatable {
        public var path: String
        public var bytes: Int
        public var integrity: String
    }

    public enum Failure: Error, Equatable, CustomStringConvertible {
        case noDatabase(String)
        case targetExists(String)
        case corrupt(String, String)

        public var description: String {
            switch self {
            case .noDatabase(let path): "no database at \(path)"
            case .targetExists(let path): "\(path) exists; a backup never overwrites a file"
            case .corrupt(let path, let report): "the copy \(path) failed its integrity check: \(report)"
            }
        }
    }

    /// Copies the database at `database` to `target` (which must not exist) and checks the copy.
    @discardableResult
    public static func backup(database: String, to target: String) throws -> Summary {
        let fileManager = FileManager.default
        guard fileManager.fileExists(atPath: database) else { throw Failure.noDatabase(database) }
        guard !fileManager.fileExists(atPath: target) else { throw Failure.targetExists(target) }
        let temporary = target + ".partial-\(ProcessInfo.processInfo.processIdentifier)"
        try? fileManager.removeItem(atPath: temporary)
        do {
            var configuration = Configuration()
            configuration.busyMode = .timeout(30)
            // A reader of the service's file: never creates it, never runs migrations.
            configuration.readonly = true
            let source = try DatabaseQueue(path: database, configuration: configuration)
            try source.inDatabase { db in try db.execute(sql: "VACUUM INTO ?", arguments: [temporary]) }
            try source.close()
            let integrity = try check(temporary)
            guard integrity == "ok" else { throw Failure.corrupt(temporary, integrity) }
            try fileManager.moveItem(atPath: temporary, toPath: target)
            let bytes = (try fileManager.attributesOfItem(atPath: target)[.size] as? Int) ?? 0
            return Summary(path: target, bytes: bytes, integrity: integrity)
        } catch {
            try? fileManager.removeItem(atPath: temporary)
            throw error
        }
    }

    /// `PRAGMA integrity_check` of a database file: "ok" or SQLite's report.
    public static func check(_ path: String) throws -> String {
        var configuration = Configuration()
        configuration.readonly = true
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        defer { try? queue.close() }
        return try queue.read { db in
            try String.fetchAll(db, sql: "PRAGMA integrity_check").joined(separator: "; ")
        }
    }
}
