import CRMAPI
import Foundation
import Gateway
import RPCCore
import Synchronization
import Testing
import Wire

/// The save's first answer is lost, and the retry finds the contacts service gone (kill -9
/// in ProcessFaultTests found one plan saved twice this way: the retry's "cannot connect"
/// was taken for "not saved", the booking cancelled and the command forgotten, so running
/// it again saved a second outcome). The outcome stays unknown: nothing is cancelled, the
/// command stays pending, and running it again resumes the same session and key.
@Suite struct SaveRetryTests {
    final class Backend: CallBackend, @unchecked Sendable {
        let saves = Mutex<[String]>([])
        let cancelled = Mutex<[String]>([])
        let exited = Mutex(0)
        /// Booking keys (the service books once per key).
        let booked = Mutex<Set<String>>([])
        /// Answers for the save attempts, in order; after them, success.
        let saveFailures: Mutex<[GatewayError]>

        init(saveFailures: [GatewayError]) { self.saveFailures = Mutex(saveFailures) }

        func openSession(_ request: ContactsV1.OpenCallSessionRequest) async throws(GatewayError) -> ContactsV1.CallSession {
            var session = ContactsV1.CallSession()
            session.sessionID = "session-\(UUID().uuidString.prefix(4))"
            return session
        }
        func nextBlock(_ request: ContactsV1.NextScriptBlockRequest) async throws(GatewayError) -> ContactsV1.ScriptBlock? { nil }
        func recordObjection(_ request: ContactsV1.RecordObjectionHandlingRequest) async throws(GatewayError) -> Int32 { 1 }
        func setDraft(_ request: ContactsV1.SetDraftResultRequest) async throws(GatewayError) -> ContactsV1.SetDraftResultResponse {
            ContactsV1.SetDraftResultResponse()
        }
        func save(_ request: ContactsV1.SaveCallResultRequest, key: String) async throws(GatewayError) -> ContactsV1.SaveCallResultResponse {
            // The first attempt reaches the service and is recorded; its answer is lost.
            saves.withLock { if !$0.contains(key) { $0.append(key) } }
            if let failure = saveFailures.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) { throw failure }
            var response = ContactsV1.SaveCallResultResponse()
            response.kind = .agreed
            return response
        }
        func exitWithoutSaving(sessionID: String) async throws(GatewayError) { exited.withLock { $0 += 1 } }
        func book(_ request: SchedulingV1.BookVisitRequest, key: String) async throws(GatewayError) -> SchedulingV1.Booking {
            booked.withLock { _ = $0.insert(key) }
            var booking = SchedulingV1.Booking()
            booking.bookingID = "booking-for-\(key)"
            return booking
        }
        func cancelBooking(_ bookingID: String, reason: String) async throws(GatewayError) { cancelled.withLock { $0.append(bookingID) } }
        func scheduleVisitSms(_ request: SchedulingV1.ScheduleVisitSmsRequest, key: String) async throws(GatewayError) -> SchedulingV1.SmsMessage? { nil }
    }

    static let kazan = TypesV1.RegionRef(code: "16", name: "Республика Татарстан", moscowOffsetHours: 0)
    static let plan = CallPlan(
        cardID: 6, cardType: .client, clientRegion: kazan, clientName: TypesV1.FullName(surname: "Белова", name: "Анна", patronymic: "Сергеевна"),
        campaignID: "rcp", direction: .outgoing,
        result: .agreed(
            visit: CallPlan.Visit(region: kazan, settlement: "г. Казань", officeID: "kzn-mini203", officeName: "Мини-офис №203",
                                  date: SchedulingDates.day(after: 3), start: TypesV1.TimeOfDay(hour: 10, minute: 0)),
            products: [ContactsV1.OfferedProduct(category: .credit, productID: "dk_realty_pledge", productName: "ДК под залог недвижимости")],
            sms: CallPlan.VisitSms(send: true, phone: "9172345678"), comment: "повтор"
        )
    )

    @Test func aRetryRefusedAtConnectAfterALostAnswerKeepsTheOutcomeUnknown() async throws {
        var lost = GatewayError("Сервис contacts недоступен: соединение прервано", code: .unavailable)
        lost.outcomeUnknown = true
        let refused = GatewayError("Сервис contacts недоступен: не удаётся подключиться", code: .unavailable)
        let backend = Backend(saveFailures: [lost, refused])
        let pending = PendingCalls(path: NSTemporaryDirectory() + "crm-pending-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(atPath: pending.path) }
        let composer = CallComposer(backend: backend, pending: pending, operatorLogin: "vcc.ivanova", say: { _ in })

        let error = try await #require(throws: GatewayError.self) { _ = try await composer.perform(Self.plan) }
        #expect(error.message.contains("Не удалось узнать, сохранён ли результат"))
        #expect(backend.cancelled.withLock { $0 }.isEmpty, "the booking of a maybe-saved result was cancelled")
        #expect(backend.exited.withLock { $0 } == 0)
        let entry = try #require(pending.entry(Self.plan.fingerprint(operator: "vcc.ivanova")))
        #expect(entry.bookingID != nil)

        // Running the command again resumes: same session and key, no second booking or save.
        let outcome = try await composer.perform(Self.plan)
        #expect(outcome.resumed)
        #expect(backend.booked.withLock { $0 }.count == 1)
        #expect(backend.saves.withLock { $0 }.count == 1)
    }
}
