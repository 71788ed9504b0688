@testable import ClientRegistry
import GRDB
import Testing

@Suite struct StoreTests {
    @Test func phoneSearchUsesTheIndex() async throws {
        let fixture = try Fixture()
        try await fixture.seedCard(.client)
        let plan = try await fixture.store.read { db in
            try Row.fetchAll(db, sql: """
                EXPLAIN QUERY PLAN SELECT card.* FROM card
                WHERE card.id IN (SELECT card_id FROM contact WHERE phone = ?) ORDER BY card.id
                """, arguments: ["9372888099"]).map { $0["detail"] as String }
        }
        #expect(plan.contains { $0.contains("contact USING INDEX contact_by_phone (phone=?)") }, "\(plan)")
        #expect(!plan.contains { $0.hasPrefix("SCAN contact") }, "\(plan)")
    }

    @Test func nameSearchUsesTheIndex() async throws {
        let fixture = try Fixture()
        let plan = try await fixture.store.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN SELECT * FROM card WHERE surname_key = ? AND name_key = ? ORDER BY id LIMIT 10",
                             arguments: ["иванов", "иван"]).map { $0["detail"] as String }
        }
        #expect(plan.contains { $0.contains("USING INDEX card_by_name") }, "\(plan)")
    }

    @Test func schemaAllowsOneLiveEntryPerKind() async throws {
        let fixture = try Fixture()
        let id = try await fixture.seedCard(.client)
        await #expect(throws: DatabaseError.self) {
            try await fixture.store.write { db in
                try ContactRecord(cardId: id, kind: .mobile, value: "9000000000", createdMs: 0).insert(db)
            }
        }
    }
}
