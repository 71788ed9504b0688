import Auth
import CRMAPI
import Foundation
import GRDB
@testable import ContactOutcome
import Testing
import Wire

/// An SMS entry a newer release wrote, with a field this release does not know, keeps that
/// field when this release records the SMS's next state over it (issue 25 item 6).
@Suite struct HistoryRewriteTests {
    @Test func aLaterSmsStateKeepsTheNewerReleasesField() async throws {
        let fixture = try Fixture()
        let system = fixture.metadata(.system)
        try await fixture.run { c in
            _ = try await c.history.recordSms(
                .init(smsID: "s1", cardID: 5, phone: "9372888099", text: "Ждем Вас", state: .sent, acceptedUnixMs: fixedNow - 1000), metadata: system
            )
            // The newer release's field 30 (varint 777), appended as it would have written it.
            let unknown: [UInt8] = [0xf0, 0x01, 0x89, 0x06]
            try await fixture.store.writer.write { db in
                let written = try #require(try Data.fetchOne(db, sql: "SELECT entry FROM history_entry WHERE source_key = 'sms:s1'"))
                try db.execute(sql: "UPDATE history_entry SET entry = ? WHERE source_key = 'sms:s1'", arguments: [written + Data(unknown)])
            }
            _ = try await c.history.recordSms(
                .init(smsID: "s1", cardID: 5, phone: "9372888099", text: "Ждем Вас", state: .delivered, acceptedUnixMs: fixedNow - 1000), metadata: system
            )
            let stored = try await fixture.store.writer.read { db in
                try #require(try Data.fetchOne(db, sql: "SELECT entry FROM history_entry WHERE source_key = 'sms:s1'"))
            }
            let entry = try ContactsV1.HistoryEntry(serializedBytes: stored)
            guard case .sms(let sms)? = entry.details else { Issue.record("no sms details"); return }
            #expect(sms.state == .delivered, "the rewrite happened")
            #expect(Array(stored.suffix(unknown.count)) == unknown, "and kept the field it does not know")
        }
    }
}
