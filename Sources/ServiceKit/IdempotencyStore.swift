import Foundation
public import GRDB
public import RPCCore
public import Wire

/// One call of one method by one operator, as its client named it with the `idempotency-key`
/// metadata. The scope is the same in every service: (operator login, full method name, key).
/// A key is the client's name for one call of one method; the same key sent to another method
/// is another call (the gateway derives `…-book`, `…-sms`, `…-save` from one base key, so
/// none of its keys is ever sent to two methods). A repeat in scope with the same request
/// gets the first answer; with another request it is refused (`IDEMPOTENCY_KEY_REUSED`).
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

    /// The scope of the call `context` serves; nil when it carries no key (or an empty one).
    /// `required` refuses a call without one (`IDEMPOTENCY_KEY_MISSING`).
    public init?(_ context: ServerContext, login: String, required: Bool, request: some WireMessage) throws {
        guard let key = context.metadata.idempotencyKey, !key.isEmpty else {
            if required { throw IdempotencyError.missingKey }
            return nil
        }
        self.init(operatorLogin: login, method: context.descriptor.fullName, key: key, request: try request.serializedBytes())
    }
}

/// A refused use of the `idempotency-key` metadata.
public enum IdempotencyError: Error, Hashable, Sendable, RPCErrorConvertible {
    /// The key was already used, in its scope, for a different request.
    case reusedKey
    /// The method changes state that a retry must not change twice; it needs a key.
    case missingKey

    public static let field = "idempotency-key"
    public static let reusedKeyMessage = "ключ идемпотентности уже использован для другого запроса"
    public static let missingKeyMessage = "Нужен ключ идемпотентности (метаданные idempotency-key)"

    public var rpcError: RPCError {
        let (message, reason) = switch self {
        case .reusedKey: (Self.reusedKeyMessage, RPCError.Reason.idempotencyKeyReused)
        case .missingKey: (Self.missingKeyMessage, RPCError.Reason.idempotencyKeyMissing)
        }
        return RPCError(
            code: .invalidArgument, message: message,
            fieldViolations: [FieldViolation(field: Self.field, description: message)], reason: reason
        )
    }
}

extension RPCError.Reason {
    public static let idempotencyKeyReused = Self("IDEMPOTENCY_KEY_REUSED")
    public static let idempotencyKeyMissing = Self("IDEMPOTENCY_KEY_MISSING")
}

/// The first answers of idempotent calls, in each service's own database: one table, one
/// schema, the same in the registry, contacts and scheduling. Rows are deleted by age
/// (`IdempotencyRetention`), so a client's retry window is `IdempotencyRetention.defaultRetention`.
public enum IdempotencyStore {
    /// The table as every service holds it once `migrate` ran.
    static let schema = """
        CREATE TABLE idempotency (
            operator_login TEXT NOT NULL,
            method TEXT NOT NULL,
            key TEXT NOT NULL,
            request BLOB NOT NULL,
            response BLOB NOT NULL,
            created_ms INTEGER NOT NULL,
            PRIMARY KEY (operator_login, method, key)
        );
        CREATE INDEX idempotency_by_age ON idempotency(created_ms);
        """

    /// Brings a service's `idempotency` table to the one schema, keeping its rows; creates it
    /// when there is none. Each service registers this as a migration of its own. Earlier
    /// tables were scoped (login, method, key) — the same rows — or (login, key), a subset of
    /// the one scope, so no row collides.
    public static func migrate(_ db: Database) throws {
        guard try db.tableExists("idempotency") else {
            try db.execute(sql: schema)
            return
        }
        try db.execute(sql: "ALTER TABLE idempotency RENAME TO idempotency_before")
        try db.execute(sql: "DROP INDEX IF EXISTS idempotency_by_age")
        try db.execute(sql: schema)
        try db.execute(sql: """
            INSERT INTO idempotency (operator_login, method, key, request, response, created_ms)
            SELECT operator_login, method, key, request, response, created_ms FROM idempotency_before
            """)
        try db.execute(sql: "DROP TABLE idempotency_before")
    }

    /// The stored answer of an earlier call in this scope; nil when there is none;
    /// `IdempotencyError.reusedKey` when the key was used for a different request.
    public static func answer(_ db: Database, for scope: IdempotencyScope) throws -> [UInt8]? {
        // Cached statements: every idempotent call runs these two (ContactOutcome's
        // Database+CachedStatements says why that matters to the single writer).
        guard let row = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT request, response FROM idempotency WHERE operator_login = ? AND method = ? AND key = ?"),
            arguments: [scope.operatorLogin, scope.method, scope.key]
        ) else { return nil }
        let request: Data = row["request"]
        guard request.elementsEqual(scope.request) else { throw IdempotencyError.reusedKey }
        let response: Data = row["response"]
        return Array(response)
    }

    /// Keeps `response` as the answer to every repeat in `scope`, in the caller's transaction
    /// (the same one that made the change the answer reports).
    public static func remember(_ db: Database, _ response: [UInt8], for scope: IdempotencyScope, nowMs: Int64) throws {
        try db.cachedStatement(
            sql: "INSERT INTO idempotency (operator_login, method, key, request, response, created_ms) VALUES (?, ?, ?, ?, ?, ?)"
        ).execute(arguments: [scope.operatorLogin, scope.method, scope.key, Data(scope.request), Data(response), nowMs])
    }
}

extension IdempotencyStore {
    /// Runs `body` in one `transaction` (the service's own: a writer's `write`, or a group
    /// commit). In a scope, a repeat of the same request returns the first answer without
    /// running `body`, and the answer `body` gives is kept in the same transaction as the
    /// change it reports; without a scope, `body` just runs.
    public static func write<Response: WireMessage>(
        scope: IdempotencyScope?, nowMs: Int64,
        in transaction: (@escaping @Sendable (Database) throws -> Response) async throws -> Response,
        _ body: @escaping @Sendable (Database) throws -> Response
    ) async throws -> Response {
        try await transaction { db in
            if let scope, let stored = try answer(db, for: scope) { return try Response(serializedBytes: stored) }
            let response = try body(db)
            if let scope { try remember(db, try response.serializedBytes(), for: scope, nowMs: nowMs) }
            return response
        }
    }
}
