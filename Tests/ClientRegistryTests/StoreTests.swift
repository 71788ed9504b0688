@testable import ClientRegistry
import CRMDomain
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

    /// `CardRecord.init(row:)` names every column by hand: each field set to a value no other
    /// field holds, written through `Encodable`, must read back equal.
    @Test func cardReadsBackEveryColumn() async throws {
        let fixture = try Fixture()
        let written = try await fixture.store.write { db in
            try CardRecord(type: .client, surname: "А", name: "Б", patronymic: "", birthDate: nil, regionCode: "77", settlement: "", createdMs: 1)
                .insert(db)
            let recommender = db.lastInsertedRowID
            var card = CardRecord(
                type: .recommendation, rbsNumber: "RBS-1", surname: "Петрова", name: "Анна", patronymic: "Сергеевна",
                birthDate: LocalDate(year: 1990, month: 12, day: 31), regionCode: "25", settlement: "Находка",
                passportSeries: "0512", passportNumber: "345678", scriptNames: ["ИПОТЕКА", "РЦП"],
                recommendedByCardId: recommender, version: 7, createdMs: 1_700_000_000_123
            )
            card.surnameKey = "ключ-ф"
            card.nameKey = "ключ-и"
            card.patronymicKey = "ключ-о"
            try card.insert(db)
            card.id = db.lastInsertedRowID
            return card
        }
        let read = try await fixture.store.read { db in try CardRecord.fetchOne(db, key: written.id) }
        #expect(read == written)
    }
}
