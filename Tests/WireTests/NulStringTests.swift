import Testing
import Wire

/// protobuf-c's strings are NUL-terminated: a U+0000 inside one would cut it silently. Both
/// ways refuse it instead, naming the field (docs/PROTOCOL.md «Strings»).
@Suite struct NulStringTests {
    static let contact = RegistryV1.NewContactData(kind: .mobilePhone, value: "9510187060")

    static func card(surname: String = "Иванов", contact: String = "9510187060", comment: String = "") -> RegistryV1.CreateCardRequest {
        RegistryV1.CreateCardRequest(
            fullName: TypesV1.FullName(surname: surname, name: "Иван"), regionCode: "77",
            contacts: [Self.contact, RegistryV1.NewContactData(kind: .email, value: contact)], comment: comment
        )
    }

    /// Strings with a NUL, and the field each is named by: top level, nested, in a repeated
    /// message, in a repeated string, in a frame's oneof.
    static let cases: [(String, any WireMessage, String)] = [
        ("top level", TypesV1.RegionRef(code: "7\u{0}7"), "code"),
        ("leading", TypesV1.RegionRef(name: "\u{0}Москва"), "name"),
        ("trailing", RegistryV1.CreateCardRequest(comment: "звонить вечером\u{0}"), "comment"),
        ("nested", card(surname: "Ив\u{0}анов"), "full_name.surname"),
        ("repeated message", card(contact: "anna@\u{0}example.ru"), "contacts[1].value"),
        ("repeated string", SchedulingV1.Office(officeID: "msk", landmarks: ["ТЦ", "Метро\u{0}"]), "landmarks[1]"),
        ("frame metadata", RPCV1.Frame(callID: 1, kind: .request(RPCV1.Request(method: "a/b", metadata: [
            RPCV1.MetadataEntry(key: "idempotency-key", value: "k"), RPCV1.MetadataEntry(key: "x", value: "a\u{0}"),
        ]))), "request.metadata[1].value"),
    ]

    static let names = cases.map(\.0)

    @Test("encoding refuses a string with NUL, naming the field", arguments: names)
    func encodeRefuses(name: String) {
        let (_, message, field) = Self.cases.first { $0.0 == name }!
        #expect {
            try message.serializedBytes()
        } throws: { error in
            guard let error = error as? WireError else { return false }
            return error.field == field && error.message == WireError.nulMessage
        }
    }

    @Test("a frame with NUL in its metadata is not packed")
    func framePackingRefuses() {
        let frame = RPCV1.Frame(callID: 3, kind: .request(RPCV1.Request(method: "a/b", metadata: [RPCV1.MetadataEntry(key: "x", value: "\u{0}")])))
        #expect(throws: WireError(message: WireError.nulMessage, field: "request.metadata[0].value")) {
            try frame.withPacking { size, _ in size }
        }
    }

    /// Bytes a sender without this check puts on the wire: the same message with DEL (0x7F,
    /// in no other byte of these messages) where the NUL goes, then NUL written over it.
    static func withNul<M: WireMessage>(_ message: M) throws -> [UInt8] {
        let bytes = try message.serializedBytes()
        #expect(bytes.filter { $0 == 0x7F }.count == 1)
        return bytes.map { $0 == 0x7F ? 0 : $0 }
    }

    static let decodeCases: [(String, @Sendable () throws -> any WireMessage, String)] = [
        ("top level", { try TypesV1.RegionRef(serializedBytes: withNul(TypesV1.RegionRef(code: "7\u{7F}7"))) }, "code"),
        ("leading", { try TypesV1.RegionRef(serializedBytes: withNul(TypesV1.RegionRef(name: "\u{7F}Москва"))) }, "name"),
        ("only a NUL", { try TypesV1.RegionRef(serializedBytes: [0x0A, 0x01, 0x00]) }, "code"),
        ("nested", { try RegistryV1.CreateCardRequest(serializedBytes: withNul(card(surname: "Ив\u{7F}анов"))) }, "full_name.surname"),
        ("repeated message", { try RegistryV1.CreateCardRequest(serializedBytes: withNul(card(contact: "anna@\u{7F}x.ru"))) }, "contacts[1].value"),
        ("repeated string", {
            try SchedulingV1.Office(serializedBytes: withNul(SchedulingV1.Office(officeID: "msk", landmarks: ["ТЦ", "Метро\u{7F}"])))
        }, "landmarks[1]"),
        ("frame metadata", {
            try RPCV1.Frame(serializedBytes: withNul(RPCV1.Frame(callID: 1, kind: .request(RPCV1.Request(
                method: "a/b", metadata: [RPCV1.MetadataEntry(key: "k", value: "v"), RPCV1.MetadataEntry(key: "x", value: "a\u{7F}")]
            )))))
        }, "request.metadata[1].value"),
    ]

    @Test("decoding detects a string protobuf-c would cut at NUL, naming the field", arguments: decodeCases.map(\.0))
    func decodeRefuses(name: String) {
        let (_, decode, field) = Self.decodeCases.first { $0.0 == name }!
        #expect {
            _ = try decode()
        } throws: { error in
            guard let error = error as? WireError else { return false }
            return error.field == field && error.message == WireError.nulMessage
        }
    }

    @Test("strings without NUL still pass both ways, empty ones too")
    func ordinaryStrings() throws {
        let card = Self.card(surname: "Ёлкина-Д'Арк", comment: "")
        #expect(try RegistryV1.CreateCardRequest(serializedBytes: card.serializedBytes()) == card)
        // A string field sent empty (field 1, length 0) and one absent both decode as "".
        #expect(try TypesV1.RegionRef(serializedBytes: [0x0A, 0x00, 0x12, 0x01, 0x41]) == TypesV1.RegionRef(name: "A"))
        #expect(try TypesV1.RegionRef(serializedBytes: [0x12, 0x01, 0x41]).code == "")
        // Control characters other than NUL are carried as they are.
        let tabbed = TypesV1.RegionRef(code: "\u{1}\t\u{7F}")
        #expect(try TypesV1.RegionRef(serializedBytes: tabbed.serializedBytes()) == tabbed)
    }
}
