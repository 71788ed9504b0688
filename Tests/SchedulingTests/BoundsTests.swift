import Auth
@testable import Scheduling
import CRMAPI
import CRMDomain
import Foundation
import RPCCore
import Testing
import Wire
import TestSupport

/// Values at the ends of their types, at the API boundary (docs/API.md «Limits»): each is
/// INVALID_ARGUMENT naming its field, and no SMS or booking is stored.
@Suite("Bounds at the boundary")
struct SchedulingBoundsTests {
    static let megabyte = String(repeating: "я", count: 1 << 20)

    struct SmsCase: Sendable, CustomTestStringConvertible {
        var label: String
        var request: SchedulingV1.ScheduleSmsRequest
        var field: String
        var testDescription: String { label }
    }

    /// 275000-01-01 is about 8.6 × 10^15 ms: far inside Int64, far outside any calendar we keep.
    static let year275000: Int64 = 8_615_000_000_000_000

    static func sms(at: Int64, card: Int64 = 1, phone: String = "9372888099", region: String = "25", template: String = "mobile-app-link") -> SchedulingV1.ScheduleSmsRequest {
        .init(templateID: template, cardID: card, phone: phone, regionCode: region, sendAtUnixMs: at)
    }

    static let smsCases: [SmsCase] = [
        SmsCase(label: "send at 2^63−1", request: sms(at: .max), field: "send_at_unix_ms"),
        SmsCase(label: "send at −2^63", request: sms(at: .min), field: "send_at_unix_ms"),
        SmsCase(label: "send in year 275000", request: sms(at: year275000), field: "send_at_unix_ms"),
        SmsCase(label: "send on 2100-01-01", request: sms(at: FieldBounds.endUnixMs), field: "send_at_unix_ms"),
        SmsCase(label: "card −1", request: sms(at: fixedNow + 3_600_000, card: -1), field: "card_id"),
        SmsCase(label: "1 MB phone", request: sms(at: fixedNow + 3_600_000, phone: megabyte), field: "phone"),
        SmsCase(label: "1 MB template", request: sms(at: fixedNow + 3_600_000, template: megabyte), field: "template_id"),
    ]

    @Test(arguments: smsCases)
    func scheduledSms(_ test: SmsCase) async throws {
        let fixture = try Fixture()
        try await fixture.run { _, sms in
            let error = await rpcError { _ = try await sms.scheduleSms(test.request, metadata: fixture.metadata(.vcc, key: "k-1")) }
            #expect(error?.code == .invalidArgument)
            #expect(error?.fieldViolations.map(\.field) == [test.field])
        }
        #expect(try await fixture.count("sms") == 0)
    }

    @Test func theLastMomentOf2099IsAccepted() async throws {
        let fixture = try Fixture()
        try await fixture.run { _, sms in
            _ = try await sms.scheduleSms(Self.sms(at: FieldBounds.endUnixMs - 1), metadata: fixture.metadata(.vcc, key: "k-1"))
        }
        #expect(try await fixture.count("sms") == 1)
    }

    struct BookingCase: Sendable, CustomTestStringConvertible {
        var label: String
        var request: SchedulingV1.BookVisitRequest
        var field: String
        var testDescription: String { label }
    }

    static func booking(
        _ date: TypesV1.Date = wireDate(tuesday), start: TypesV1.TimeOfDay = at(12), card: Int64 = 1, surname: String = "Иванов"
    ) -> SchedulingV1.BookVisitRequest {
        .init(officeID: "msk-do11", date: date, start: start, cardID: card, clientName: TypesV1.FullName(surname: surname, name: "Иван"))
    }

    static let bookingCases: [BookingCase] = [
        BookingCase(label: "a booking in 9999", request: booking(.init(year: 9999, month: 3, day: 10)), field: "date"),
        BookingCase(label: "a booking in year 2^31−1", request: booking(.init(year: .max, month: 3, day: 10)), field: "date"),
        BookingCase(label: "a booking on 31.02", request: booking(.init(year: 2026, month: 2, day: 31)), field: "date"),
        BookingCase(label: "a booking at hour −2^31", request: booking(start: .init(hour: .min, minute: 0)), field: "start.hour"),
        BookingCase(label: "card −2^63", request: booking(card: .min), field: "card_id"),
        BookingCase(label: "1 MB surname", request: booking(surname: megabyte), field: "client_name.surname"),
    ]

    @Test(arguments: bookingCases)
    func bookings(_ test: BookingCase) async throws {
        let fixture = try Fixture()
        try await fixture.run { offices, _ in
            let error = await rpcError { _ = try await offices.bookVisit(test.request, metadata: fixture.metadata(.vcc, key: "k-1")) }
            #expect(error?.code == .invalidArgument)
            #expect(error?.fieldViolations.map(\.field) == [test.field])
        }
        #expect(try await fixture.count("booking") == 0)
    }

    /// Past the boundary the window arithmetic is total: the extremes give a moment, never a trap.
    @Test(arguments: [Int64.max, .min, 0, year275000])
    func theSmsWindowIsTotal(_ instant: Int64) {
        for offset in [-1, 0, 9, Int(Int32.max), Int(Int32.min)].map({ 180 + 60 * $0 }) {
            _ = SmsWindow.nextAllowed(.marketing, after: instant, utcOffsetMinutes: offset, calendar: .shipped)
            _ = SmsCaps.violation(dueMs: instant, others: [instant], utcOffsetMinutes: offset)
        }
    }
}
