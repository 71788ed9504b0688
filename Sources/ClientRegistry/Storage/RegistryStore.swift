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

// MARK: - Idempotency

/// Identifies a call for idempotency: the same operator, method and key is the same call.
public struct IdempotencyScope: Sendable, Hashable {
    public var operatorLogin: String
    public var method: String
    public var key: String
    /// The encoded request: a repeat with a different request is refused.
    public var request: [UInt8]

    public init(operatorLogin: String, method: String, key: String, request: [UInt8]) {
        self.operatorLogin = operatorLogin
        self.method = method
        self.key = key
        self.request = request
    }

    public static let reusedKeyMessage = "ключ идемпотентности уже использован для другого запроса"
}

extension Database {
    /// The stored answer of an earlier call with this scope, if any; INVALID_ARGUMENT when
    /// the key was used for a different request.
    public func storedResponse(for scope: IdempotencyScope) throws -> [UInt8]? {
        guard let row = try Row.fetchOne(
            self,
            sql: "SELECT request, response FROM idempotency WHERE operator_login = ? AND method = ? AND key = ?",
            arguments: [scope.operatorLogin, scope.method, scope.key]
        ) else { return nil }
        let request: Data = row["request"]
        guard Array(request) == scope.request else {
            throw RegistryError.invalidArgument(field: "idempotency-key", IdempotencyScope.reusedKeyMessage)
        }
        let response: Data = row["response"]
        return Array(response)
    }

    public func storeResponse(_ response: [UInt8], for scope: IdempotencyScope, nowMs: Int64) throws {
        try execute(
            sql: "INSERT INTO idempotency (operator_login, method, key, request, response, created_ms) VALUES (?, ?, ?, ?, ?, ?)",
            arguments: [scope.operatorLogin, scope.method, scope.key, Data(scope.request), Data(response), nowMs]
        )
    }
}
