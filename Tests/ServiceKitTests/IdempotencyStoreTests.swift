import CRMAPI
import Foundation
import GRDB
import RPCCore
import ServiceKit
import Testing
import Wire

/// One idempotency store for the three services: the scope (operator, method, key), the
/// first answer to a repeat, a refused reuse, and the tables each service held before.
@Suite struct IdempotencyStoreTests {
    static let save = MethodDescriptor(service: "crm.contacts.v1.Calls", method: "SaveCallResult")
    static let exit = MethodDescriptor(service: "crm.contacts.v1.Calls", method: "ExitWithoutSaving")

    func context(_ method: MethodDescriptor, key: String?) -> ServerContext {
        var metadata = Metadata()
        if let key { metadata.idempotencyKey = key }
        return ServerContext(descriptor: method, metadata: metadata)
    }

    func scope(_ method: MethodDescriptor, key: String, session: String) throws -> IdempotencyScope {
        try #require(try IdempotencyScope(
            context(method, key: key), login: "op", required: true, request: ContactsV1.ExitWithoutSavingRequest(sessionID: session)
        ))
    }

    /// A store in a fresh database, and how many times the guarded body ran.
    final class Runs: @unchecked Sendable {
        let lock = NSLock()
        var count = 0
        func add() { lock.withLock { count += 1 } }
    }

    func fresh() throws -> DatabaseQueue {
        let queue = try DatabaseQueue()
        try queue.write { db in try IdempotencyStore.migrate(db) }
        return queue
    }

    func call(_ queue: DatabaseQueue, _ scope: IdempotencyScope?, runs: Runs, answer: String) async throws -> String {
        try await IdempotencyStore.write(scope: scope, nowMs: 1_000, in: queue.write) { _ in
            runs.add()
            return ContactsV1.SaveCallResultResponse(entryID: answer)
        }.entryID
    }

    @Test func aRepeatInScopeGetsTheFirstAnswerWithoutRunningAgain() async throws {
        let queue = try fresh()
        let runs = Runs()
        let first = try scope(Self.save, key: "k", session: "s1")
        #expect(try await call(queue, first, runs: runs, answer: "e1") == "e1")
        #expect(try await call(queue, first, runs: runs, answer: "e2") == "e1")
        #expect(runs.count == 1)
        // The same key sent to another method is another call.
        #expect(try await call(queue, try scope(Self.exit, key: "k", session: "s1"), runs: runs, answer: "e3") == "e3")
        // Without a key the body runs each time and nothing is kept.
        #expect(try await call(queue, nil, runs: runs, answer: "e4") == "e4")
        #expect(try await call(queue, nil, runs: runs, answer: "e5") == "e5")
        #expect(runs.count == 4)
        #expect(try await queue.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM idempotency") } == 2)
    }

    @Test func theSameKeyForAnotherRequestIsRefusedByReason() async throws {
        let queue = try fresh()
        let runs = Runs()
        _ = try await call(queue, try scope(Self.save, key: "k", session: "s1"), runs: runs, answer: "e1")
        let error = await #expect(throws: IdempotencyError.reusedKey) {
            try await call(queue, try scope(Self.save, key: "k", session: "s2"), runs: runs, answer: "e2")
        }
        #expect(runs.count == 1)
        let status = try #require(error).rpcError
        #expect(status.code == .invalidArgument)
        #expect(status.reason == .idempotencyKeyReused)
        #expect(status.fieldViolations.map(\.field) == ["idempotency-key"])
        #expect(status.message == IdempotencyError.reusedKeyMessage)
    }

    @Test func aRequiredKeyMissingOrEmptyIsRefusedAndAnOptionalOneIsNoScope() throws {
        let request = ContactsV1.ExitWithoutSavingRequest(sessionID: "s1")
        for key in [nil, ""] {
            #expect(throws: IdempotencyError.missingKey) {
                try IdempotencyScope(context(Self.save, key: key), login: "op", required: true, request: request)
            }
            #expect(try IdempotencyScope(context(Self.save, key: key), login: "op", required: false, request: request) == nil)
        }
        #expect(IdempotencyError.missingKey.rpcError.reason == .idempotencyKeyMissing)
        let scope = try #require(try IdempotencyScope(context(Self.save, key: "k"), login: "op", required: false, request: request))
        #expect(scope.method == "crm.contacts.v1.Calls/SaveCallResult")
        #expect(scope.request == (try request.serializedBytes()))
    }

    @Test func aFailedBodyKeepsNoAnswer() async throws {
        let queue = try fresh()
        let runs = Runs()
        let first = try scope(Self.save, key: "k", session: "s1")
        struct Refused: Error {}
        await #expect(throws: Refused.self) {
            try await IdempotencyStore.write(scope: first, nowMs: 1, in: queue.write) { _ -> ContactsV1.SaveCallResultResponse in
                throw Refused()
            }
        }
        #expect(try await call(queue, first, runs: runs, answer: "e1") == "e1")
        #expect(runs.count == 1)
    }

    /// The tables the services held before: contacts' scoped (login, key) with the method a
    /// column, the registry's and scheduling's (login, method, key); both keep every row.
    @Test(arguments: [
        "PRIMARY KEY (operator_login, key)",
        "PRIMARY KEY (operator_login, method, key)",
    ])
    func earlierTablesKeepTheirRows(primaryKey: String) async throws {
        let queue = try DatabaseQueue()
        let request = try ContactsV1.ExitWithoutSavingRequest(sessionID: "s1").serializedBytes()
        let response = try ContactsV1.SaveCallResultResponse(entryID: "e-old").serializedBytes()
        try await queue.write { db in
            try db.execute(sql: """
                CREATE TABLE idempotency (
                    operator_login TEXT NOT NULL, key TEXT NOT NULL, method TEXT NOT NULL,
                    request BLOB NOT NULL, response BLOB NOT NULL, created_ms INTEGER NOT NULL,
                    \(primaryKey)
                );
                CREATE INDEX idempotency_by_age ON idempotency(created_ms);
                """)
            try db.execute(
                sql: "INSERT INTO idempotency VALUES ('op', 'k', ?, ?, ?, 5), ('op', 'k2', ?, ?, ?, 6)",
                arguments: [Self.save.fullName, Data(request), Data(response), Self.exit.fullName, Data(request), Data(response)]
            )
        }
        try await queue.write { db in try IdempotencyStore.migrate(db) }
        try await queue.read { (db: Database) throws in
            #expect(try Row.fetchAll(db, sql: "SELECT key, method, created_ms FROM idempotency ORDER BY key") == [
                ["key": "k", "method": Self.save.fullName, "created_ms": 5],
                ["key": "k2", "method": Self.exit.fullName, "created_ms": 6],
            ])
            #expect(try db.indexes(on: "idempotency").map(\.name).contains("idempotency_by_age"))
            #expect(try db.primaryKey("idempotency").columns == ["operator_login", "method", "key"])
            #expect(try !db.tableExists("idempotency_before"))
        }
        let runs = Runs()
        #expect(try await call(queue, try scope(Self.save, key: "k", session: "s1"), runs: runs, answer: "new") == "e-old")
        #expect(try await call(queue, try scope(Self.exit, key: "k", session: "s1"), runs: runs, answer: "new") == "new")
        #expect(runs.count == 1)
    }
}
