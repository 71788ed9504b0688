public import GRDB
import Foundation

/// The registry's database: one writer (a WAL `DatabasePool` in production, an in-memory
/// `DatabaseQueue` in tests), migrated on open. Each named write is one transaction that
/// keeps the invariants: a refused write leaves nothing behind.
public struct RegistryStore: Sendable {
    public let writer: any DatabaseWriter

    public init(_ writer: any DatabaseWriter) throws {
        self.writer = writer
        try RegistryMigrations.migrator.migrate(writer)
    }

    /// The production store: a file in WAL mode with foreign keys on.
    public static func open(path: String) throws -> RegistryStore {
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        let pool = try DatabasePool(path: path, configuration: configuration)
        return try RegistryStore(pool)
    }

    /// A fresh store in memory, for tests.
    public static func inMemory() throws -> RegistryStore {
        try RegistryStore(DatabaseQueue())
    }

    public func read<T: Sendable>(_ body: @Sendable (Database) throws -> T) async throws -> T {
        try await writer.read(body)
    }

    /// One transaction; a throw rolls everything back.
    public func write<T: Sendable>(_ body: @Sendable (Database) throws -> T) async throws -> T {
        try await writer.write(body)
    }
}
