public import GRDB
import Foundation

/// The contacts database: one writer (a WAL `DatabasePool` in production, an in-memory
/// `DatabaseQueue` in tests), migrated on open. Sessions, drafts, leases and idempotency
/// keys all live here, so a second replica over the same file sees everything. Each named
/// write is atomic (its own savepoint in a group commit): a refused rule leaves nothing behind.
public struct ContactsStore: Sendable {
    public let writer: any DatabaseWriter
    private let groupCommit: GroupCommit

    public init(_ writer: any DatabaseWriter) throws {
        self.writer = writer
        self.groupCommit = GroupCommit(writer: writer)
        try ContactsMigrations.migrator.migrate(writer)
    }

    /// How hard a commit is pushed to the disk (SQLite `PRAGMA synchronous` in WAL mode).
    public enum Durability: String, Sendable, CaseIterable {
        /// Every commit is fsynced: a saved result survives a power loss.
        case full = "FULL"
        /// Commits survive a process crash; a power loss may lose the last ones (fsync at checkpoints).
        case normal = "NORMAL"
    }

    /// The production store: a file in WAL mode, waiting up to 5 s for a busy writer (another
    /// replica); GRDB opens write transactions IMMEDIATE, so replicas' writes never interleave.
    public static func open(path: String, durability: Durability = .full) throws -> ContactsStore {
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        configuration.prepareDatabase { db in
            // Savepoints of a group commit keep their rollback journal in memory (a file would
            // be created and deleted per batch); 16 MiB of page cache keeps the index pages a
            // batch touches instead of reading them back from the file.
            try db.execute(sql: "PRAGMA synchronous = \(durability.rawValue); PRAGMA temp_store = MEMORY; PRAGMA cache_size = -16384")
        }
        return try ContactsStore(DatabasePool(path: path, configuration: configuration))
    }

    /// A fresh store in memory, for tests.
    public static func inMemory() throws -> ContactsStore {
        try ContactsStore(DatabaseQueue())
    }

    public func read<T: Sendable>(_ body: @Sendable (Database) throws -> T) async throws -> T {
        try await writer.read(body)
    }

    /// One atomic write, on disk (per `Durability`) before it returns; a throw rolls back
    /// everything it wrote. Concurrent writes share a commit (`GroupCommit`).
    public func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await groupCommit.write(body)
    }
}
