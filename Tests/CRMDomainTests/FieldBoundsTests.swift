import CRMDomain
import RPCCore
import Testing
import Wire

/// The one table of request bounds (docs/API.md «Limits») and the walk that applies it by
/// proto name, nested messages, oneof cases and list elements included.
@Suite("Field bounds")
struct FieldBoundsTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var label: String
        var message: ContactsV1.OpenCallSessionRequest
        var field: String?
        var testDescription: String { label }
    }

    static func open(offset: Int32 = 7, card: Int64 = 1, campaign: String = "c", code: String = "25") -> ContactsV1.OpenCallSessionRequest {
        .init(cardID: card, campaignID: campaign, direction: .outgoing, clientRegion: .init(code: code, name: "Приморский край", moscowOffsetHours: offset))
    }

    static let cases: [Case] = [
        Case(label: "valid", message: open(), field: nil),
        Case(label: "offset −1", message: open(offset: -1), field: nil),
        Case(label: "offset +9", message: open(offset: 9), field: nil),
        Case(label: "offset −2", message: open(offset: -2), field: "client_region.moscow_offset_hours"),
        Case(label: "offset +10", message: open(offset: 10), field: "client_region.moscow_offset_hours"),
        Case(label: "offset −2^31", message: open(offset: .min), field: "client_region.moscow_offset_hours"),
        Case(label: "card 0 (not given)", message: open(card: 0), field: nil),
        Case(label: "card −1", message: open(card: -1), field: "card_id"),
        Case(label: "200 characters", message: open(campaign: String(repeating: "ж", count: 200)), field: nil),
        Case(label: "201 characters", message: open(campaign: String(repeating: "ж", count: 201)), field: "campaign_id"),
        Case(label: "201 characters nested", message: open(code: String(repeating: "1", count: 201)), field: "client_region.code"),
    ]

    @Test(arguments: cases)
    func openCallSession(_ test: Case) {
        let violation = Self.violation { try FieldBounds.check(test.message) }
        #expect(violation?.fieldViolations.map(\.field) == test.field.map { [$0] })
        if let violation { #expect(violation.code == .invalidArgument) }
    }

    @Test(arguments: [
        (Int64(0), true), (FieldBounds.earliestUnixMs - 1, false), (FieldBounds.earliestUnixMs, true),
        (FieldBounds.endUnixMs - 1, true), (FieldBounds.endUnixMs, false), (.max, false), (.min, false), (-1, false),
    ])
    func instants(_ value: Int64, _ accepted: Bool) {
        let message = ContactsV1.RecordExternalEventRequest(eventID: "e", occurredUnixMs: value)
        let violation = Self.violation { try FieldBounds.check(message) }
        #expect((violation == nil) == accepted)
        if !accepted { #expect(violation?.fieldViolations.map(\.field) == ["occurred_unix_ms"]) }
    }

    @Test func pathsNameOneofCasesAndListElements() {
        let result = ContactsV1.CallResult(firstLevel: .reached(.init(result: .agreed(.init(products: [
            .init(category: .credit, productID: "p"), .init(category: .init(rawValue: 99), productID: "p"),
        ])))))
        let violation = Self.violation { try FieldBounds.check(ContactsV1.SetDraftResultRequest(sessionID: "s", result: result)) }
        #expect(violation?.fieldViolations.map(\.field) == ["result.reached.agreed.products[1].category"])
    }

    @Test func listsHoldAtMostTenThousand() {
        let fits = RegistryV1.ListCardsForCallListRequest(cardIDs: Array(1...Int64(FieldBounds.maxElements)))
        #expect(Self.violation { try FieldBounds.check(fits) } == nil)
        let over = RegistryV1.ListCardsForCallListRequest(cardIDs: Array(1...Int64(FieldBounds.maxElements + 1)))
        #expect(Self.violation { try FieldBounds.check(over) }?.fieldViolations.map(\.field) == ["card_ids"])
    }

    @Test func aLongKeyIsNamedAsMetadata() {
        var metadata = Metadata()
        metadata.idempotencyKey = String(repeating: "k", count: 201)
        let context = ServerContext(descriptor: MethodDescriptor(service: "crm.contacts.v1.Calls", method: "OpenCallSession"), metadata: metadata)
        let violation = Self.violation { try FieldBounds.check(Self.open(), context) }
        #expect(violation?.fieldViolations.map(\.field) == ["idempotency-key"])
    }

    static func violation(_ body: () throws -> Void) -> RPCError? {
        do {
            try body()
            return nil
        } catch {
            return error as? RPCError
        }
    }
}

/// Past the boundary, local-date arithmetic gives an answer for any Int64 and any offset a
/// 32-bit Moscow offset can make; it used to trap at the ends.
@Suite("Local dates at the ends of Int64")
struct LocalDateTotalityTests {
    @Test(arguments: [Int64.max, .min, .max - 1, .min + 1, 0, -1])
    func total(_ instant: Int64) {
        for offset in [0, 180, 720, 180 + 60 * Int(Int32.max), 180 + 60 * Int(Int32.min), Int.max, Int.min] {
            let date = LocalDate.of(unixMs: instant, utcOffsetMinutes: offset)
            let minute = LocalDate.minuteOfDay(unixMs: instant, utcOffsetMinutes: offset)
            #expect((0..<1440).contains(minute))
            _ = date.unixMs(atMinute: minute, utcOffsetMinutes: offset)
            _ = TypesV1.LocalDateTime.of(unixMs: instant, utcOffsetMinutes: offset)
        }
    }

    @Test(arguments: [
        (Int64(0), 180, "1970-01-01", 180), (-1, 0, "1969-12-31", 1439), (86_399_999, -60, "1970-01-01", 1379),
        (1_773_122_400_000, 180, "2026-03-10", 540), (1_773_122_400_000, 720, "2026-03-10", 1080), (1_773_093_600_000, -60, "2026-03-09", 1260),
    ])
    func unchangedInRange(_ instant: Int64, _ offset: Int, _ day: String, _ minute: Int) {
        #expect(LocalDate.of(unixMs: instant, utcOffsetMinutes: offset).description == day)
        #expect(LocalDate.minuteOfDay(unixMs: instant, utcOffsetMinutes: offset) == minute)
        let back = LocalDate.of(unixMs: instant, utcOffsetMinutes: offset).unixMs(atMinute: minute, utcOffsetMinutes: offset)
        #expect(back <= instant && instant - back < 60_000)
    }
}
