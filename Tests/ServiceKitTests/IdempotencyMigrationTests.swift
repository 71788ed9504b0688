@testable import ClientRegistry
@testable import ContactOutcome
import Foundation
import GRDB
@testable import Scheduling
import ServiceKit
import Testing

/// Each service's database as the version before the one store left it, migrated: every
/// stored answer is kept and found in the one scope, and the three tables end identical.
@Suite struct IdempotencyMigrationTests {
    struct Service: Sendable, CustomTestStringConvertible {
        let name: String
        let migrator: @Sendable () -> DatabaseMigrator
        /// The last migration the previous version shipped.
        let previous: String
        var testDescription: String { name }
    }

    static let services = [
        Service(name: "registry", migrator: { RegistryMigrations.migrator }, previous: "v4-sessions"),
        Service(
            name: "contacts", migrator: { ContactsMigrations.migrator }, previous: "v7: idempotency answers by age (the retention sweep)"
        ),
        Service(name: "scheduling", migrator: { SchedulingMigrations.migrator }, previous: "v5-login-code-redaction"),
    ]

    static func schema(_ db: Database) throws -> [String] {
        try String.fetchAll(db, sql: "SELECT sql FROM sqlite_master WHERE tbl_name = 'idempotency' AND sql IS NOT NULL ORDER BY name")
    }

    @Test(arguments: services)
    func storedAnswersSurviveTheMigration(service: Service) throws {
        let queue = try DatabaseQueue()
        try service.migrator().migrate(queue, upTo: service.previous)
        try queue.write { db in
            try db.execute(sql: """
                INSERT INTO idempotency (operator_login, method, key, request, response, created_ms)
                VALUES ('op', 'crm.a.v1.A/M', 'k', x'0a0131', x'0a0165', 10), ('op2', 'crm.a.v1.A/N', 'k', x'', x'0a0166', 20)
                """)
        }
        let columns = "operator_login, method, key, request, response, created_ms"
        let before = try queue.read { db in try Row.fetchAll(db, sql: "SELECT \(columns) FROM idempotency ORDER BY created_ms") }
        try service.migrator().migrate(queue)
        try queue.read { (db: Database) throws in
            #expect(try Row.fetchAll(db, sql: "SELECT \(columns) FROM idempotency ORDER BY created_ms") == before)
            let scope = IdempotencyScope(operatorLogin: "op", method: "crm.a.v1.A/M", key: "k", request: [0x0a, 0x01, 0x31])
            #expect(try IdempotencyStore.answer(db, for: scope) == [0x0a, 0x01, 0x65])
            var other = scope
            other.request = [0x0a, 0x01, 0x32]
            #expect(throws: IdempotencyError.reusedKey) { try IdempotencyStore.answer(db, for: other) }
        }
        // The same tables, column for column, as a database the one store created.
        let fresh = try DatabaseQueue()
        try fresh.write { db in try IdempotencyStore.migrate(db) }
        #expect(try queue.read(Self.schema) == fresh.read(Self.schema))
    }
}
