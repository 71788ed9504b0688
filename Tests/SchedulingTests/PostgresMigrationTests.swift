import Foundation
import RPCTesting
@testable import Scheduling
import Testing

/// The PostgreSQL schema's migrations: from empty, from the previous version, and several
/// replicas starting at once (one migrates, the others wait). Runs in CI, where
/// CRM_REQUIRE_POSTGRES=1 makes a missing PostgreSQL a failure.
@Suite("PostgreSQL migrations", .enabled(if: TestPostgres.enabled))
struct PostgresMigrationTests {
    let names = PostgresSchedulingMigrations.all.map(\.name)

    func applied(_ database: String) throws -> [String] {
        try TestPostgres.shared().psql("SELECT name FROM schema_migrations ORDER BY name", database: database)
            .split(separator: "\n").map(String.init)
    }

    @Test("from empty: every migration runs once and the offices are seeded")
    func fromEmpty() async throws {
        let database = try TestPostgres.shared().database()
        let store = try await Engine.postgresStore(database: database)
        #expect(try applied(database) == names.sorted())
        #expect(try await store.office(id: "msk-do11")?.record.slotCapacity == SlotRules.capacity)
        // A restart migrates nothing.
        _ = try await Engine.postgresStore(database: database)
        #expect(try applied(database) == names.sorted())
    }

    @Test("from the previous version: its data stays and the last migration applies over it")
    func fromPrevious() async throws {
        let database = try TestPostgres.shared().database()
        let old = try await Engine.postgresStore(database: database, migrateUpTo: names.count - 1)
        #expect(try applied(database) == names.dropLast().sorted())
        let booking = BookingRecord(
            id: "b-old", officeId: "msk-tverskoy", date: "2026-03-10", startMinute: 600, cardId: 3, surname: "Петров", name: "Пётр",
            patronymic: "", state: .active, bookedByLogin: "op", bookedByName: "", createdMs: fixedNow
        )
        _ = try await old.perform(.book(booking, capacity: 5), idempotency: nil, nowMs: fixedNow) { _ in [] }
        let new = try await Engine.postgresStore(database: database)
        #expect(try applied(database) == names.sorted())
        #expect(try await new.booking(id: "b-old") == booking)
        let found = try await new.searchOffices(OfficeQuery(region: "77", words: ["тверск"], offset: 0, limit: 10))
        #expect(found.map(\.record.id) == ["msk-tverskoy"])
    }

    @Test("four replicas starting at once over an empty database: one migrates, the others wait and find the schema current")
    func replicasAtOnce() async throws {
        let database = try TestPostgres.shared().database()
        let stores = try await withThrowingTaskGroup(of: PostgresSchedulingStore.self) { group in
            for _ in 0..<4 { group.addTask { try await Engine.postgresStore(database: database) } }
            return try await group.reduce(into: [PostgresSchedulingStore]()) { $0.append($1) }
        }
        #expect(stores.count == 4)
        #expect(try applied(database) == names.sorted())
        #expect(try await countRows(stores[0], "office") == OfficeSeed.offices.count)
    }

    @Test("office search by words uses its index, not a scan")
    func searchIndexed() async throws {
        let database = try TestPostgres.shared().database()
        _ = try await Engine.postgresStore(database: database)
        // 19 offices fit one page, where a scan is cheapest; the planner is told scans cost
        // too much, as they would over many offices, and must then have an index to use.
        let plan = try TestPostgres.shared().psql(
            """
            SET enable_seqscan = off;
            EXPLAIN SELECT id FROM office WHERE to_tsvector('simple', search_body) @@ to_tsquery('simple', 'тверск:*');
            """,
            database: database
        )
        #expect(plan.contains("office_search"), "\(plan)")
    }
}
