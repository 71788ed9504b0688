import Foundation
import GRDB
import Logging
import PostgresNIO
import RPCTesting
@testable import Scheduling
import Testing

/// The two engines every scheduling storage test runs on. PostgreSQL runs in a throw-away
/// cluster (`TestPostgres`) when installed, and always in CI (`CRM_REQUIRE_POSTGRES=1`),
/// where a missing PostgreSQL fails the test instead of leaving it out.
enum Engine: String, Sendable, CaseIterable, CustomTestStringConvertible {
    case sqlite
    case postgres

    static var all: [Engine] { TestPostgres.enabled ? [.sqlite, .postgres] : [.sqlite] }

    var testDescription: String { rawValue }

    static let logger: Logger = {
        var logger = Logger(label: "test.postgres")
        logger.logLevel = .warning
        return logger
    }()

    /// A fresh store: in memory on SQLite, a new database on PostgreSQL.
    func store() async throws -> any SchedulingStore {
        switch self {
        case .sqlite: try SQLiteSchedulingStore.inMemory()
        case .postgres: try await Self.postgresStore(database: try TestPostgres.shared().database())
        }
    }

    /// `count` stores over one database, as `count` replicas have: one file on SQLite (a WAL
    /// pool each), one PostgreSQL database.
    func replicas(_ count: Int) async throws -> [any SchedulingStore] {
        switch self {
        case .sqlite:
            let path = NSTemporaryDirectory() + "scheduling-\(UUID().uuidString.prefix(8)).sqlite"
            return try (0..<count).map { _ in try SQLiteSchedulingStore.open(path: path) }
        case .postgres:
            let database = try TestPostgres.shared().database()
            var stores: [any SchedulingStore] = []
            for _ in 0..<count { stores.append(try await Self.postgresStore(database: database)) }
            return stores
        }
    }

    static func postgresStore(database: String, migrateUpTo: Int? = nil) async throws -> PostgresSchedulingStore {
        let cluster = try TestPostgres.shared()
        return try await PostgresSchedulingStore.connect(
            host: cluster.host, port: cluster.port, user: cluster.user, password: nil, database: database, connections: 8, logger: logger,
            migrateUpTo: migrateUpTo
        )
    }
}

/// Counts rows under the store, for tests that check what a write left behind.
func countRows(_ store: any SchedulingStore, _ table: String, where condition: String = "TRUE") async throws -> Int {
    switch store {
    case let sqlite as SQLiteSchedulingStore:
        let sqliteCondition = condition == "TRUE" ? "1" : condition
        return try await sqlite.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table) WHERE \(sqliteCondition)") ?? 0 }
    case let postgres as PostgresSchedulingStore:
        let rows = try await postgres.client.query(PostgresQuery(unsafeSQL: "SELECT COUNT(*) FROM \(table) WHERE \(condition)")).collect()
        return try rows.first?.decode(Int.self) ?? 0
    default:
        Issue.record("unknown store \(type(of: store))")
        return -1
    }
}
