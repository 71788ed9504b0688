import CRMAPI
import Foundation
import Gateway
import RPCCore
import Testing
import Wire

/// A backend that delegates to the real services but fails one step, either before the
/// step reaches the service (injected error, stopped service) or after it was carried out
/// (the answer lost on the way).
struct FaultyBackend: CallBackend {
    enum Step: Sendable { case book, setDraft, save, visitSms, cancel }
    enum When: Sendable { case before, after }

    let base: any CallBackend
    let step: Step?
    let when: When
    let error: GatewayError
    /// A backend to send the failing step to instead (e.g. one whose service is stopped).
    let detour: (any CallBackend)?

    init(base: any CallBackend, failing step: Step?, when: When = .before,
         error: GatewayError = GatewayError("injected", code: .internal), detour: (any CallBackend)? = nil) {
        self.base = base
        self.step = step
        self.when = when
        self.error = error
        self.detour = detour
    }

    func run<T>(_ current: Step, _ body: (any CallBackend) async throws(GatewayError) -> T) async throws(GatewayError) -> T {
        guard current == step else { return try await body(base) }
        if let detour { return try await body(detour) }
        if when == .before { throw error }
        _ = try await body(base)
        throw error
    }

    func openSession(_ request: ContactsV1.OpenCallSessionRequest) async throws(GatewayError) -> ContactsV1.CallSession { try await base.openSession(request) }
    func nextBlock(_ request: ContactsV1.NextScriptBlockRequest) async throws(GatewayError) -> ContactsV1.ScriptBlock? { try await base.nextBlock(request) }
    func recordObjection(_ request: ContactsV1.RecordObjectionHandlingRequest) async throws(GatewayError) -> Int32 { try await base.recordObjection(request) }
    func exitWithoutSaving(sessionID: String) async throws(GatewayError) { try await base.exitWithoutSaving(sessionID: sessionID) }
    func setDraft(_ request: ContactsV1.SetDraftResultRequest) async throws(GatewayError) -> ContactsV1.SetDraftResultResponse {
        try await run(.setDraft) { backend throws(GatewayError) in try await backend.setDraft(request) }
    }
    func save(_ request: ContactsV1.SaveCallResultRequest, key: String) async throws(GatewayError) -> ContactsV1.SaveCallResultResponse {
        try await run(.save) { backend throws(GatewayError) in try await backend.save(request, key: key) }
    }
    func book(_ request: SchedulingV1.BookVisitRequest, key: String) async throws(GatewayError) -> SchedulingV1.Booking {
        try await run(.book) { backend throws(GatewayError) in try await backend.book(request, key: key) }
    }
    func cancelBooking(_ bookingID: String, reason: String) async throws(GatewayError) {
        try await run(.cancel) { backend throws(GatewayError) in try await backend.cancelBooking(bookingID, reason: reason) }
    }
    func scheduleVisitSms(_ request: SchedulingV1.ScheduleVisitSmsRequest, key: String) async throws(GatewayError) -> SchedulingV1.SmsMessage? {
        try await run(.visitSms) { backend throws(GatewayError) in try await backend.scheduleVisitSms(request, key: key) }
    }
}

/// Book → save with the booking's id → visit SMS, each step failed in turn against the
/// real services: never an orphan booking, never a lost or doubled outcome.
@Suite(.serialized) struct CallCompositionTests {
    static let office = (id: "kzn-mini203", name: "Мини-офис №203")
    static let kazan = TypesV1.RegionRef(code: "16", name: "Республика Татарстан", moscowOffsetHours: 0)

    /// Согласился for card 6 at a slot of its own, so each scenario counts its own bookings.
    static func plan(hour: Int32, daysAhead: Int) -> CallPlan {
        CallPlan(
            cardID: 6, cardType: .client, clientRegion: kazan, clientName: TypesV1.FullName(surname: "Белова", name: "Анна", patronymic: "Сергеевна"),
            campaignID: "rcp", direction: .outgoing,
            result: .agreed(
                visit: CallPlan.Visit(region: kazan, settlement: "г. Казань", officeID: office.id, officeName: office.name,
                                      date: SchedulingDates.day(after: daysAhead), start: TypesV1.TimeOfDay(hour: hour, minute: 0)),
                products: [ContactsV1.OfferedProduct(category: .credit, productID: "dk_realty_pledge", productName: "ДК под залог недвижимости")],
                sms: CallPlan.VisitSms(send: true, phone: "9172345678"), comment: "тест \(hour)"
            )
        )
    }

    struct World {
        let harness: ServicesHarness
        let real: RPCCallBackend
        let clients: (registry: ServiceClient, contacts: ServiceClient, scheduling: ServiceClient)
        let pending: PendingCalls
        let login: String

        func composer(_ backend: any CallBackend) -> CallComposer {
            CallComposer(backend: backend, pending: pending, operatorLogin: login, say: { _ in })
        }

        /// Active bookings of card 6 at the plan's slot.
        func bookings(_ plan: CallPlan) async throws -> Int {
            guard case .agreed(let visit, _, _, _) = plan.result else { return 0 }
            let offices = SchedulingV1.Offices.Client(wrapping: clients.scheduling.rpc)
            let calendar = try await clients.scheduling.call { _ in try await offices.getOfficeCalendar(.init(officeID: visit.officeID, date: visit.date)) }
            let slot = calendar.slots.first { $0.start == visit.start }
            return slot?.bookings.filter { $0.cardID == 6 && $0.state == .active }.count ?? 0
        }

        /// Saved «Согласился» entries of card 6 with the plan's comment.
        func outcomes(_ plan: CallPlan) async throws -> Int {
            guard case .agreed(_, _, _, let comment) = plan.result else { return 0 }
            let history = ContactsV1.ContactHistory.Client(wrapping: clients.contacts.rpc)
            let entries = try await clients.contacts.call { _ in try await history.listContactHistory(.init(cardID: 6, pageSize: 200)) }.entries
            return entries.filter {
                if case .call(let call)? = $0.details { return call.kind == .agreed && call.result?.comment == comment }
                return false
            }.count
        }
    }

    func withWorld(_ body: (World) async throws -> Void) async throws {
        try await ServicesHarness.with { harness in
            let session = try await harness.login("vcc.ivanova")
            let clients = harness.clients(session)
            let world = World(
                harness: harness, real: RPCCallBackend(contacts: clients.contacts, scheduling: clients.scheduling), clients: clients,
                pending: PendingCalls(path: harness.directory.appendingPathComponent("pending.json").path), login: session.login
            )
            try await body(world)
        }
    }

    @Test func eachStepFailingLeavesNoOrphanBookingAndNoLostOutcome() async throws {
        try await withWorld { world in
            let dead = ServiceEndpoints.Endpoint(service: "scheduling", host: "127.0.0.1", port: 1)
            let deadContacts = ServiceEndpoints.Endpoint(service: "contacts", host: "127.0.0.1", port: 1)
            let stoppedScheduling = RPCCallBackend(contacts: world.clients.contacts, scheduling: dead.client())
            let stoppedContacts = RPCCallBackend(contacts: deadContacts.client(), scheduling: world.clients.scheduling)

            // 1. The booking fails (scheduling stopped): nothing booked, nothing recorded, nothing pending.
            var plan = Self.plan(hour: 10, daysAhead: 3)
            let bookRefused = await #expect(throws: GatewayError.self) {
                _ = try await world.composer(FaultyBackend(base: world.real, failing: .book, detour: stoppedScheduling)).perform(plan)
            }
            #expect(bookRefused?.message.contains("scheduling (127.0.0.1:1)") == true)
            #expect(try await world.bookings(plan) == 0)
            #expect(try await world.outcomes(plan) == 0)
            #expect(world.pending.entry(plan.fingerprint(operator: world.login)) == nil)

            // 2. The outcome is refused (an injected rule error): the booking is cancelled.
            plan = Self.plan(hour: 11, daysAhead: 3)
            let refused = GatewayError("Укажите предложенный продукт", code: .invalidArgument)
            let saveRefused = await #expect(throws: GatewayError.self) {
                _ = try await world.composer(FaultyBackend(base: world.real, failing: .setDraft, error: refused)).perform(plan)
            }
            #expect(saveRefused?.message.contains("запись в офис отменена") == true)
            #expect(try await world.bookings(plan) == 0)
            #expect(try await world.outcomes(plan) == 0)

            // 3. Contacts stopped at the save: the save surely did not happen, so the booking is cancelled.
            plan = Self.plan(hour: 12, daysAhead: 3)
            await #expect(throws: GatewayError.self) {
                _ = try await world.composer(FaultyBackend(base: world.real, failing: .save, detour: stoppedContacts)).perform(plan)
            }
            #expect(try await world.bookings(plan) == 0)
            #expect(try await world.outcomes(plan) == 0)
            #expect(world.pending.entry(plan.fingerprint(operator: world.login)) == nil)

            // 4. The save's answer is lost after it was recorded: the retry with the same key gets it.
            plan = Self.plan(hour: 13, daysAhead: 3)
            let lost = GatewayError("lost", code: .deadlineExceeded)
            var lostOnce = lost
            lostOnce.outcomeUnknown = true
            let once = OnceFaulty(base: world.real, error: lostOnce)
            let outcome = try await world.composer(once).perform(plan)
            #expect(outcome.saved.kind == .agreed)
            #expect(try await world.bookings(plan) == 1)
            #expect(try await world.outcomes(plan) == 1)

            // 5. The visit SMS fails: the outcome and the booking stay; running the same command
            //    again books nothing new, records nothing new, and schedules the SMS.
            plan = Self.plan(hour: 14, daysAhead: 3)
            let smsFailed = await #expect(throws: GatewayError.self) {
                _ = try await world.composer(FaultyBackend(base: world.real, failing: .visitSms, detour: stoppedScheduling)).perform(plan)
            }
            #expect(smsFailed?.message.contains("Результат звонка сохранён") == true)
            #expect(try await world.bookings(plan) == 1)
            #expect(try await world.outcomes(plan) == 1)
            let again = try await world.composer(world.real).perform(plan)
            #expect(again.resumed)
            #expect(again.sms != nil)
            #expect(try await world.bookings(plan) == 1)
            #expect(try await world.outcomes(plan) == 1)

            // 6. The outcome is refused and the cancel fails too: the plan stays pending, and the
            //    re-run reuses the same booking instead of taking a second place.
            plan = Self.plan(hour: 15, daysAhead: 3)
            let both = FaultyBackend(
                base: FaultyBackend(base: world.real, failing: .setDraft, error: refused), failing: .cancel, detour: stoppedScheduling
            )
            let stuck = await #expect(throws: GatewayError.self) { _ = try await world.composer(both).perform(plan) }
            #expect(stuck?.message.contains("отменить не удалось") == true)
            #expect(world.pending.entry(plan.fingerprint(operator: world.login)) != nil)
            let recovered = try await world.composer(world.real).perform(plan)
            #expect(recovered.resumed && recovered.saved.kind == .agreed)
            #expect(try await world.bookings(plan) == 1)
            #expect(try await world.outcomes(plan) == 1)

            // 7. A finished command run again is a new call: a fresh booking would be a second
            //    visit, so the slot shows it — the journal is only for unfinished runs.
            #expect(world.pending.entry(plan.fingerprint(operator: world.login)) == nil)
        }
    }
}

extension CallCompositionTests {
    /// «Подумаю» on the same call as `plan(hour:daysAhead:)`: no visit.
    static func thinking(comment: String) -> CallPlan {
        var plan = plan(hour: 9, daysAhead: 3)
        plan.result = .plain(ContactsV1.CallResult(comment: comment, firstLevel: .reached(ContactsV1.ReachedResult(result: .thinking(.init())))))
        return plan
    }

    /// Saved «Подумаю» entries of card 6 with the comment.
    func thinkingOutcomes(_ world: World, comment: String) async throws -> Int {
        let history = ContactsV1.ContactHistory.Client(wrapping: world.clients.contacts.rpc)
        let entries = try await world.clients.contacts.call { _ in try await history.listContactHistory(.init(cardID: 6, pageSize: 200)) }.entries
        return entries.filter {
            if case .call(let call)? = $0.details { return call.kind == .thinking && call.result?.comment == comment }
            return false
        }.count
    }

    /// An unfinished call with Согласился chosen (the save's answer lost, its outcome unknown)
    /// run again with another result: refused without the operator's confirmation (nothing
    /// touched), and with it the draft is replaced in the same call session and the booking
    /// given back.
    @Test func aChosenResultIsChangedOnlyWhenConfirmedAndItsBookingGivenBack() async throws {
        try await withWorld { world in
            let agreed = Self.plan(hour: 14, daysAhead: 3)
            var unknown = GatewayError("связь прервана", code: .unavailable)
            unknown.outcomeUnknown = true
            let interrupted = await #expect(throws: GatewayError.self) {
                _ = try await world.composer(FaultyBackend(base: world.real, failing: .save, error: unknown)).perform(agreed)
            }
            #expect(interrupted?.message.contains("Не удалось узнать") == true)
            #expect(try await world.bookings(agreed) == 1)
            let earlier = try #require(world.pending.entry(agreed.fingerprint(operator: world.login)))

            let thinking = Self.thinking(comment: "передумал")
            for confirm in [nil, { @Sendable (_: String) async -> Bool in false }] as [(@Sendable (String) async -> Bool)?] {
                let refused = await #expect(throws: GatewayError.self) {
                    _ = try await world.composer(world.real).perform(thinking, confirmChange: confirm)
                }
                #expect(refused?.code == .failedPrecondition)
                #expect(refused?.message.contains("Вы хотите изменить ранее выбранный результат?") == true, "\(String(describing: refused))")
                #expect(refused?.message.contains("Согласился") == true && refused?.message.contains("--confirm-change") == true)
                #expect(try await world.bookings(agreed) == 1)
                #expect(world.pending.entry(agreed.fingerprint(operator: world.login)) == earlier)
            }

            let changed = try await world.composer(world.real).perform(thinking, confirmChange: { label in label.contains("Согласился") })
            #expect(changed.saved.kind == .thinking)
            #expect(changed.sessionID == earlier.sessionID, "the same call session, not a new call")
            #expect(try await world.bookings(agreed) == 0, "the replaced visit is given back")
            #expect(try await world.outcomes(agreed) == 0)
            #expect(try await thinkingOutcomes(world, comment: "передумал") == 1)
            #expect(world.pending.entry(agreed.fingerprint(operator: world.login)) == nil)
            #expect(world.pending.entry(thinking.fingerprint(operator: world.login)) == nil)
            // The old command run again is a new call: nothing of the changed one is left to resume.
            let fresh = try await world.composer(world.real).perform(agreed)
            #expect(!fresh.resumed && fresh.sessionID != earlier.sessionID)
            #expect(try await world.outcomes(agreed) == 1)
        }
    }

    /// Within the call: Согласился booked, then the client changes their mind (the operator
    /// confirmed) to Подумаю — the visit is given back; and from Подумаю to Согласился — the
    /// visit is booked; leaving without a result gives every booking back.
    @Test func theOperatorChangesTheResultWithinTheCall() async throws {
        try await withWorld { world in
            let agreed = Self.plan(hour: 10, daysAhead: 3)
            let thinking = Self.thinking(comment: "подумает")
            let reviews = ReviewScript([.change(thinking.result), .save])
            let outcome = try await world.composer(world.real).perform(agreed, review: { draft async throws(GatewayError) in reviews.next(draft) })
            #expect(outcome.saved.kind == .thinking && outcome.booking == nil && outcome.sms == nil)
            #expect(reviews.shown.map(\.kind) == [.agreed, .thinking], "\(reviews.shown)")
            #expect(try await world.bookings(agreed) == 0)
            #expect(try await world.outcomes(agreed) == 0)
            #expect(try await thinkingOutcomes(world, comment: "подумает") == 1)

            let laterAgreed = Self.plan(hour: 11, daysAhead: 3)
            let back = ReviewScript([.change(laterAgreed.result), .save])
            let booked = try await world.composer(world.real).perform(Self.thinking(comment: "сразу согласился"), review: { draft async throws(GatewayError) in back.next(draft) })
            #expect(booked.saved.kind == .agreed && booked.booking != nil && booked.sms != nil)
            #expect(try await world.bookings(laterAgreed) == 1)
            #expect(try await world.outcomes(laterAgreed) == 1)
            #expect(try await thinkingOutcomes(world, comment: "сразу согласился") == 0)

            // The replaced visit cannot be cancelled (scheduling stopped): the result is saved and the
            // booking named, not silently left.
            let stuck = Self.plan(hour: 14, daysAhead: 3)
            let dead = RPCCallBackend(contacts: world.clients.contacts,
                                      scheduling: ServiceEndpoints.Endpoint(service: "scheduling", host: "127.0.0.1", port: 1).client())
            let mind = ReviewScript([.change(Self.thinking(comment: "не отменилось").result), .save])
            let kept = try await world.composer(FaultyBackend(base: world.real, failing: .cancel, detour: dead))
                .perform(stuck, review: { draft async throws(GatewayError) in mind.next(draft) })
            #expect(kept.saved.kind == .thinking && kept.uncancelledBookings.count == 1, "\(kept.uncancelledBookings)")
            #expect(try await world.bookings(stuck) == 1)

            // Two visits in turn, then «Выйти без сохранения результата»: no booking is left.
            let first = Self.plan(hour: 12, daysAhead: 3), second = Self.plan(hour: 13, daysAhead: 3)
            let leave = ReviewScript([.change(second.result), .discard])
            let left = await #expect(throws: GatewayError.self) {
                _ = try await world.composer(world.real).perform(first, review: { draft async throws(GatewayError) in leave.next(draft) })
            }
            #expect(left?.message == CallComposer.discarded.message)
            #expect(try await world.bookings(first) == 0)
            #expect(try await world.bookings(second) == 0)
            #expect(try await world.outcomes(first) == 0)
            #expect(try await world.outcomes(second) == 0)
        }
    }
}

/// The operator's answers to the draft review, in turn; records the drafts shown.
final class ReviewScript: @unchecked Sendable {
    private var answers: [CallComposer.Review]
    private(set) var shown: [ContactsV1.CallResult] = []

    init(_ answers: [CallComposer.Review]) { self.answers = answers }

    func next(_ draft: ContactsV1.CallResult) -> CallComposer.Review {
        shown.append(draft)
        return answers.isEmpty ? .save : answers.removeFirst()
    }
}

extension ContactsV1.CallResult {
    var kind: ContactsV1.CallResultKind {
        switch firstLevel {
        case .reached(let reached)?:
            switch reached.result {
            case .agreed?: .agreed
            case .thinking?: .thinking
            default: .unspecified
            }
        default: .unspecified
        }
    }
}

/// Loses the first save's answer after the save was recorded.
final class OnceFaulty: CallBackend, @unchecked Sendable {
    let base: any CallBackend
    let error: GatewayError
    private var failed = false

    init(base: any CallBackend, error: GatewayError) {
        self.base = base
        self.error = error
    }

    func openSession(_ request: ContactsV1.OpenCallSessionRequest) async throws(GatewayError) -> ContactsV1.CallSession { try await base.openSession(request) }
    func nextBlock(_ request: ContactsV1.NextScriptBlockRequest) async throws(GatewayError) -> ContactsV1.ScriptBlock? { try await base.nextBlock(request) }
    func recordObjection(_ request: ContactsV1.RecordObjectionHandlingRequest) async throws(GatewayError) -> Int32 { try await base.recordObjection(request) }
    func exitWithoutSaving(sessionID: String) async throws(GatewayError) { try await base.exitWithoutSaving(sessionID: sessionID) }
    func setDraft(_ request: ContactsV1.SetDraftResultRequest) async throws(GatewayError) -> ContactsV1.SetDraftResultResponse { try await base.setDraft(request) }
    func save(_ request: ContactsV1.SaveCallResultRequest, key: String) async throws(GatewayError) -> ContactsV1.SaveCallResultResponse {
        let answer = try await base.save(request, key: key)
        if !failed {
            failed = true
            throw error
        }
        return answer
    }
    func book(_ request: SchedulingV1.BookVisitRequest, key: String) async throws(GatewayError) -> SchedulingV1.Booking { try await base.book(request, key: key) }
    func cancelBooking(_ bookingID: String, reason: String) async throws(GatewayError) { try await base.cancelBooking(bookingID, reason: reason) }
    func scheduleVisitSms(_ request: SchedulingV1.ScheduleVisitSmsRequest, key: String) async throws(GatewayError) -> SchedulingV1.SmsMessage? {
        try await base.scheduleVisitSms(request, key: key)
    }
}
