import Testing
@testable import Wire

/// A record written by a newer release and rewritten by this one keeps the fields only the
/// newer release knows (issue 25 item 6): top-level, and inside the submessage both set.
@Suite struct UnknownFieldsTests {
    /// A varint field `number = value`, as the newer release would write it.
    static func varintField(_ number: UInt64, _ value: UInt64) -> [UInt8] {
        UnknownFields.varint(number << 3) + UnknownFields.varint(value)
    }

    static func lengthField(_ number: UInt64, _ payload: [UInt8]) -> [UInt8] {
        UnknownFields.varint(number << 3 | 2) + UnknownFields.varint(UInt64(payload.count)) + payload
    }

    /// The newer release's entry: an SMS entry with field 30 on the entry and field 9 inside
    /// its `sms` details, neither of which this binary knows.
    static func newerEntry() throws -> [UInt8] {
        let entry = ContactsV1.HistoryEntry(
            entryID: "e1", occurredUnixMs: 5, action: .sms, resultLabel: "Отправлено",
            details: .sms(ContactsV1.SmsDetails(smsID: "sms-1", text: "Ждем Вас", phone: "9372888099", state: .sent))
        )
        let details = try ContactsV1.SmsDetails(smsID: "sms-1", text: "Ждем Вас", phone: "9372888099", state: .sent).serializedBytes()
        var bytes = try entry.serializedBytes()
        bytes += varintField(30, 777)
        bytes += lengthField(11, details + varintField(9, 4242))
        return bytes
    }

    @Test func aRewriteKeepsFieldsThisBinaryDoesNotKnow() throws {
        let stored = try Self.newerEntry()
        var entry = try ContactsV1.HistoryEntry(serializedBytes: stored)
        #expect(entry.entryID == "e1")
        // This binary changes what it knows: the state and label of the SMS.
        entry.resultLabel = "Доставлено"
        guard case .sms(var sms)? = entry.details else { Issue.record("no sms details"); return }
        sms.state = .delivered
        entry.details = .sms(sms)

        let plain = try entry.serializedBytes()
        let kept = try entry.serializedBytes(keepingUnknownFieldsOf: stored)
        let top = try #require(UnknownFields.fields(kept[...]))
        let plainFields = try #require(UnknownFields.fields(plain[...]))
        #expect(top.contains { $0.number == 30 })
        #expect(!plainFields.contains { $0.number == 30 })
        let nested = top.filter { $0.number == 11 }.flatMap { UnknownFields.fields($0.payload) ?? [] }
        #expect(nested.contains { $0.number == 9 }, "the unknown field inside the sms details is carried")

        // What this binary wrote reads back as written.
        let reread = try ContactsV1.HistoryEntry(serializedBytes: kept)
        #expect(reread == entry)
        // And a second rewrite keeps them again, without doubling them.
        let again = try reread.serializedBytes(keepingUnknownFieldsOf: kept)
        let againFields = try #require(UnknownFields.fields(again[...]))
        #expect(againFields.filter { $0.number == 30 }.count == 1)
    }

    @Test func aChangedOneofCaseOrUnparsableBytesCarryNothingIntoTheNewCase() throws {
        let stored = try Self.newerEntry()
        var entry = try ContactsV1.HistoryEntry(serializedBytes: stored)
        entry.details = .email(ContactsV1.EmailDetails())
        let kept = try entry.serializedBytes(keepingUnknownFieldsOf: stored)
        let top = try #require(UnknownFields.fields(kept[...]))
        #expect(top.contains { $0.number == 30 })
        #expect(!top.contains { $0.number == 11 }, "no fragment of the old sms case switches the oneof back")
        #expect(try ContactsV1.HistoryEntry(serializedBytes: kept) == entry)
        #expect(try entry.serializedBytes(keepingUnknownFieldsOf: [0xff, 0xff]) == entry.serializedBytes())
    }
}
