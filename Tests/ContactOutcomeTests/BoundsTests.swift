import Auth
import CRMAPI
@testable import ContactOutcome
import CRMDomain
import Foundation
import GRDB
import RPCCore
import RPCTesting
import Testing
import Wire
import TestSupport

/// Values at the ends of their types, at the API boundary (docs/API.md «Limits»): each is
/// INVALID_ARGUMENT naming its field, and nothing is written.
@Suite("Bounds at the boundary")
struct ContactsBoundsTests {
    static let megabyte = String(repeating: "я", count: 1 << 20)

    struct EventCase: Sendable, CustomTestStringConvertible {
        var label: String
        var request: ContactsV1.RecordExternalEventRequest
        var field: String
        var testDescription: String { label }
    }

    static let bureau = ContactsV1.RecordExternalEventRequest.Event.bureauDecision(.init(decisionID: "d1", decision: .approved))
    static let eventCases: [EventCase] = [
        EventCase(label: "occurred 2^63−1", request: .init(eventID: "e", cardID: 5, occurredUnixMs: .max, event: bureau), field: "occurred_unix_ms"),
        EventCase(label: "occurred −2^63", request: .init(eventID: "e", cardID: 5, occurredUnixMs: .min, event: bureau), field: "occurred_unix_ms"),
        EventCase(label: "occurred year 2100", request: .init(eventID: "e", cardID: 5, occurredUnixMs: FieldBounds.endUnixMs, event: bureau), field: "occurred_unix_ms"),
        EventCase(label: "valid until 2^63−1", request: .init(eventID: "e", cardID: 5, event: .bureauDecision(.init(decisionID: "d1", decision: .approved, validUntilUnixMs: .max))), field: "bureau_decision.valid_until_unix_ms"),
        EventCase(label: "card −1", request: .init(eventID: "e", cardID: -1, event: bureau), field: "card_id"),
        EventCase(label: "card −2^63", request: .init(eventID: "e", cardID: .min, event: bureau), field: "card_id"),
        EventCase(label: "unknown decision", request: .init(eventID: "e", cardID: 5, event: .bureauDecision(.init(decisionID: "d1", decision: .init(rawValue: 77)))), field: "bureau_decision.decision"),
        EventCase(label: "1 MB comment", request: .init(eventID: "e", cardID: 5, comment: megabyte, event: bureau), field: "comment"),
        EventCase(label: "1 MB event id", request: .init(eventID: megabyte, cardID: 5, event: bureau), field: "event_id"),
        EventCase(label: "201-character contract", request: .init(eventID: "e", contractNumber: String(repeating: "Z", count: 201), event: bureau), field: "contract_number"),
    ]

    @Test(arguments: eventCases)
    func externalEvents(_ test: EventCase) async throws {
        let fixture = try Fixture()
        try await fixture.run { c in
            let error = await rpcError { _ = try await c.history.recordExternalEvent(test.request, metadata: fixture.metadata(.system)) }
            #expect(error?.code == .invalidArgument)
            #expect(error?.fieldViolations.map(\.field) == [test.field])
        }
        #expect(try await fixture.count("history_entry") == 0)
    }

    struct SessionCase: Sendable, CustomTestStringConvertible {
        var label: String
        var request: ContactsV1.OpenCallSessionRequest
        var field: String
        var testDescription: String { label }
    }

    static func open(card: Int64 = 1001, offset: Int32 = 0, direction: ContactsV1.CallDirection = .outgoing, lease: String = "") -> ContactsV1.OpenCallSessionRequest {
        .init(
            cardID: card, campaignID: "announcement_marking", direction: direction, cardType: .client,
            clientRegion: TypesV1.RegionRef(code: "25", name: "Приморский край", moscowOffsetHours: offset), leaseID: lease
        )
    }

    static let sessionCases: [SessionCase] = [
        SessionCase(label: "offset −2^31", request: open(offset: .min), field: "client_region.moscow_offset_hours"),
        SessionCase(label: "offset 2^31−1", request: open(offset: .max), field: "client_region.moscow_offset_hours"),
        SessionCase(label: "offset +10", request: open(offset: 10), field: "client_region.moscow_offset_hours"),
        SessionCase(label: "offset −2", request: open(offset: -2), field: "client_region.moscow_offset_hours"),
        SessionCase(label: "card 0", request: open(card: 0), field: "card_id"),
        SessionCase(label: "card −1", request: open(card: -1), field: "card_id"),
        SessionCase(label: "card −2^63", request: open(card: .min), field: "card_id"),
        SessionCase(label: "unknown direction", request: open(direction: .init(rawValue: 9)), field: "direction"),
        SessionCase(label: "1 MB lease", request: open(lease: megabyte), field: "lease_id"),
    ]

    @Test(arguments: sessionCases)
    func sessions(_ test: SessionCase) async throws {
        let fixture = try Fixture()
        try await fixture.run { c in
            let error = await rpcError { _ = try await c.calls.openCallSession(test.request, metadata: fixture.metadata(.vcc)) }
            #expect(error?.code == .invalidArgument)
            #expect(error?.fieldViolations.map(\.field) == [test.field])
        }
        #expect(try await fixture.count("call_session") == 0)
    }

    @Test func theEdgesOfRussiaAreAccepted() async throws {
        let fixture = try Fixture()
        try await fixture.run { c in
            for offset: Int32 in [-1, 0, 9] {
                _ = try await c.calls.openCallSession(Self.open(offset: offset), metadata: fixture.metadata(.vcc))
            }
        }
        #expect(try await fixture.count("call_session") == 3)
    }

    struct ResultCase: Sendable, CustomTestStringConvertible {
        var label: String
        var result: ContactsV1.CallResult
        var field: String
        var testDescription: String { label }
    }

    static func callback(_ at: TypesV1.LocalDateTime?) -> ContactsV1.CallResult {
        reached(.callback(.init(reason: .clientRequest, at: at)))
    }

    static func at(_ year: Int32, _ month: Int32 = 3, _ day: Int32 = 12, hour: Int32 = 10, minute: Int32 = 0, offset: Int32 = 600) -> TypesV1.LocalDateTime {
        TypesV1.LocalDateTime(date: .init(year: year, month: month, day: day), time: .init(hour: hour, minute: minute), utcOffsetMinutes: offset)
    }

    static let resultCases: [ResultCase] = [
        ResultCase(label: "callback in 6110", result: callback(at(6110)), field: "result.reached.callback.at.date"),
        ResultCase(label: "callback in 2100", result: callback(at(2100)), field: "result.reached.callback.at.date"),
        ResultCase(label: "callback on 31.02", result: callback(at(2026, 2, 31)), field: "result.reached.callback.at.date"),
        ResultCase(label: "callback at 24:00", result: callback(at(2026, hour: 24)), field: "result.reached.callback.at.time.hour"),
        ResultCase(label: "callback at 10:60", result: callback(at(2026, minute: 60)), field: "result.reached.callback.at.time.minute"),
        ResultCase(label: "callback at UTC offset 2^31−1", result: callback(at(2026, offset: .max)), field: "result.reached.callback.at.utc_offset_minutes"),
        ResultCase(label: "callback at UTC offset −60", result: callback(at(2026, offset: -60)), field: "result.reached.callback.at.utc_offset_minutes"),
        ResultCase(label: "unknown callback reason", result: reached(.callback(.init(reason: .init(rawValue: 1_000)))), field: "result.reached.callback.reason"),
        ResultCase(label: "1 MB comment", result: reached(.callback(.init(reason: .clientRequest)), comment: megabyte), field: "result.comment"),
        ResultCase(
            label: "visit in 9999",
            result: reached(.agreed(.init(visit: ContactsV1.Visit(region: moscow, settlement: "г. Москва", officeID: "o", at: at(9999), bookingID: "b")))),
            field: "result.reached.agreed.visit.at.date"
        ),
        ResultCase(
            label: "2,001-character office name",
            result: reached(.agreed(.init(visit: ContactsV1.Visit(region: moscow, settlement: "г. Москва", officeID: "o", officeName: String(repeating: "о", count: 2_001))))),
            field: "result.reached.agreed.visit.office_name"
        ),
    ]

    @Test(arguments: resultCases)
    func results(_ test: ResultCase) async throws {
        let fixture = try Fixture()
        try await fixture.run { c in
            let session = try await fixture.open(c.calls).sessionID
            let draft = await rpcError {
                _ = try await c.calls.setDraftResult(.init(sessionID: session, result: test.result), metadata: fixture.metadata(.vcc))
            }
            #expect(draft?.code == .invalidArgument)
            #expect(draft?.fieldViolations.map(\.field) == [test.field])
            let save = await rpcError {
                _ = try await c.calls.saveCallResult(.init(sessionID: session, result: test.result), metadata: fixture.metadata(.vcc, key: "k-1"))
            }
            #expect(save?.code == .invalidArgument)
            #expect(save?.fieldViolations.map(\.field) == [test.field])
        }
        #expect(try await fixture.count("call_session", where: "draft IS NOT NULL OR state <> 'open'") == 0)
        #expect(try await fixture.count("history_entry") == 0)
    }

    @Test func aMegabyteIdempotencyKeyIsRefused() async throws {
        let fixture = try Fixture()
        try await fixture.run { c in
            let session = try await fixture.open(c.calls).sessionID
            let error = await rpcError {
                _ = try await c.calls.saveCallResult(
                    .init(sessionID: session, result: Self.callback(nil)), metadata: fixture.metadata(.vcc, key: Self.megabyte)
                )
            }
            #expect(error?.code == .invalidArgument)
            #expect(error?.fieldViolations.map(\.field) == ["idempotency-key"])
            // 200 characters is the bound, inclusive.
            _ = try await c.calls.saveCallResult(
                .init(sessionID: session, result: Self.callback(nil)), metadata: fixture.metadata(.vcc, key: String(repeating: "k", count: 200))
            )
        }
        #expect(try await fixture.count("history_entry") == 1)
    }

    /// A session stored before offsets were bounded holds 2^31 hours: «Перезвонить» without a
    /// date (the default is computed from it) fails the call, not the process.
    @Test func aStoredOutOfRangeOffsetFailsTheCall() async throws {
        let fixture = try Fixture()
        try await fixture.store.write { db in
            try SessionRecord(
                sessionID: "old", cardID: 1001, campaignID: "announcement_marking", direction: ContactsV1.CallDirection.outgoing.rawValue,
                cardType: TypesV1.CardType.client.rawValue, clientUtcOffset: utcOffsetMinutes(moscowOffsetHours: .max),
                operatorLogin: "vafinana", operatorName: "В", operatorRole: "VCC", leaseID: nil, currentBlockID: nil, scriptPath: "",
                objectionAttempts: 0, draft: nil, draftKind: nil, openedMs: fixedNow, state: .open, entryID: nil
            ).insert(db)
        }
        try await fixture.run { c in
            for result in [Self.callback(nil), reached(.thinking(.init()))] {
                let error = await rpcError { _ = try await c.calls.setDraftResult(.init(sessionID: "old", result: result), metadata: fixture.metadata(.vcc)) }
                #expect(error?.code == .failedPrecondition)
                #expect(error?.fieldViolations.map(\.field) == ["session_id"])
            }
        }
        #expect(try await fixture.count("call_session", where: "draft IS NOT NULL") == 0)
    }

    @Test func pageTokensAtTheEndOfInt64DoNotOverflow() async throws {
        let fixture = try Fixture()
        try await fixture.run { c in
            let list = try await c.collection.getWorkList(.init(pageToken: "k.\(Int64.max).0"), metadata: fixture.metadata(.collector))
            #expect(list.rows.isEmpty && list.nextPageToken.isEmpty)
        }
    }
}
