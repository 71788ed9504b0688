import Foundation
import RPCCore
public import Wire

/// Carries out a call plan across the two services so that no half of it is left behind:
/// book the visit (if the result needs one), save the result with the booking's id, then
/// schedule the visit SMS. A result that cannot be saved cancels the booking. Every step
/// carries an idempotency key derived from one base key, and an unfinished plan is kept
/// in `PendingCalls`, so running the same command again never books or records twice.
public struct CallComposer: Sendable {
    public struct Outcome: Sendable {
        public var sessionID: String
        public var saved: ContactsV1.SaveCallResultResponse
        /// The result as saved, with the server's defaults.
        public var draft: ContactsV1.CallResult?
        public var booking: SchedulingV1.Booking?
        public var sms: SchedulingV1.SmsMessage?
        /// True when this run continued an unfinished earlier one.
        public var resumed: Bool
        /// Bookings a changed result replaced that could not be cancelled: the office must
        /// cancel them (they are named to the operator, never silently left).
        public var uncancelledBookings: [String] = []
    }

    /// Chooses the answer for a script block (nil stops the walk).
    public typealias ScriptWalker = @Sendable (ContactsV1.ScriptBlock) async throws(GatewayError) -> ContactsV1.ScriptAnswer?

    /// What the operator does with the draft shown (defaults applied) before it is saved.
    public enum Review: Sendable {
        case save
        /// The client changed their mind; the operator confirmed «Вы хотите изменить ранее
        /// выбранный результат?».
        case change(CallPlan.Result)
        /// «Выйти без сохранения результата».
        case discard
    }

    public typealias Reviewer = @Sendable (ContactsV1.CallResult) async throws(GatewayError) -> Review

    /// Thrown when the operator left the call without a result: nothing was recorded.
    public static let discarded = GatewayError("Выход без сохранения результата: ничего не записано", reason: .discarded)

    let backend: any CallBackend
    let pending: PendingCalls
    let operatorLogin: String
    let say: @Sendable (String) -> Void
    /// False when the operator already read the script at the prompts: the walk only
    /// replays their answers to the session.
    let showsScript: Bool

    public init(
        backend: any CallBackend, pending: PendingCalls, operatorLogin: String, showsScript: Bool = true, say: @escaping @Sendable (String) -> Void
    ) {
        self.backend = backend
        self.pending = pending
        self.operatorLogin = operatorLogin
        self.showsScript = showsScript
        self.say = say
    }

    /// `review` is offered every draft (a visit stays booked while the operator looks at it);
    /// a changed result is booked anew if it is a visit, and the booking it replaces is
    /// cancelled once the service holds the new draft. `confirmChange` decides whether an
    /// unfinished earlier run of the same call, saved with another result, may have that
    /// result replaced (asked «Вы хотите изменить ранее выбранный результат?», or the flag).
    public func perform(
        _ plan: CallPlan, walk: ScriptWalker? = nil, review: Reviewer? = nil,
        confirmChange: (@Sendable (_ earlier: String) async -> Bool)? = nil
    ) async throws(GatewayError) -> Outcome {
        let fingerprint = plan.fingerprint(operator: operatorLogin)
        let call = plan.callFingerprint(operator: operatorLogin)
        var entry = pending.entry(fingerprint)
            ?? .init(key: UUID().uuidString.lowercased(), call: call, resultLabel: plan.result.label)
        // An earlier run of this call that stopped with another result chosen: its session
        // continues with the result changed, or the command stops without touching it.
        var replaced: (fingerprint: String, entry: PendingCalls.Entry)?
        if entry.sessionID == nil, let earlier = pending.otherResult(of: call, than: fingerprint) {
            let label = earlier.entry.resultLabel ?? "—"
            guard let confirmChange, await confirmChange(label) else {
                throw GatewayError(
                    "В незавершённом звонке уже выбран результат «\(label)». Вы хотите изменить ранее выбранный результат? "
                        + "Повторите с --confirm-change, или прежней командой, чтобы сохранить прежний результат",
                    code: .failedPrecondition
                )
            }
            replaced = earlier
            entry.sessionID = earlier.entry.sessionID
            say("Продолжаю незавершённый звонок: результат «\(label)» меняется на «\(plan.result.label)»")
        }
        let resumed = entry.sessionID != nil && replaced == nil

        // 1. The call session, the script and the objections (skipped when resuming).
        let sessionID: String
        if let existing = entry.sessionID {
            sessionID = existing
            if replaced == nil { say("Продолжаю незавершённый звонок (тот же ключ повтора: \(entry.key))") }
        } else {
            let session = try await backend.openSession(.init(
                cardID: plan.cardID, campaignID: plan.campaignID, direction: plan.direction, cardType: plan.cardType,
                clientRegion: plan.clientRegion, leaseID: plan.leaseID
            ))
            sessionID = session.sessionID
            entry.sessionID = sessionID
            try pending.put(fingerprint, entry)
            if showsScript { say("Кампания: \(session.campaign?.name ?? plan.campaignID)") }
            if var block = session.currentBlock, let walk {
                while true {
                    if showsScript { say("[\(block.title)] \(block.text)") }
                    guard let answer = try await walk(block) else { break }
                    if showsScript { say("  → \(answer.label)") }
                    guard let next = try await backend.nextBlock(.init(sessionID: sessionID, blockID: block.blockID, answerID: answer.answerID)) else { break }
                    block = next
                }
            }
            for objection in plan.objections {
                let attempts = try await backend.recordObjection(.init(sessionID: sessionID, objectionID: objection))
                say("Работа с возражениями: попытка \(attempts)")
            }
        }
        if replaced != nil { try pending.put(fingerprint, entry) }

        // Ending the call without a result: the bookings it holds are cancelled and it is forgotten.
        func abandon(_ bookings: [String]) async {
            for booking in bookings { try? await backend.cancelBooking(booking, reason: "результат звонка не сохранён") }
            try? await backend.exitWithoutSaving(sessionID: sessionID)
            pending.remove(fingerprint)
            if let replaced { pending.remove(replaced.fingerprint) }
        }

        var current = plan.result
        var confirm = replaced != nil
        // The booking the session's draft refers to until a new draft replaces it.
        var superseded = replaced?.entry.bookingID ?? entry.bookingID
        var booking: SchedulingV1.Booking?
        var draft: ContactsV1.CallResult?
        var first = true
        var uncancelled: [String] = []
        let saved: ContactsV1.SaveCallResultResponse
        do throws(GatewayError) {
            choosing: while true {
                // 2. The booking, when the result is a visit.
                booking = nil
                if let visit = current.visit {
                    do {
                        booking = try await backend.book(.init(
                            officeID: visit.officeID, date: visit.date, start: visit.start, cardID: plan.cardID, clientName: plan.clientName
                        ), key: entry.key + "-book")
                    } catch {
                        // Nothing new is booked, nothing recorded: end the call cleanly and forget it.
                        if !error.outcomeUnknown { await abandon(superseded.map { [$0] } ?? []) }
                        throw GatewayError(
                            "Запись в офис не создана: \(error.message)" + (error.outcomeUnknown ? Self.retryAdvice : "\nРезультат звонка не сохранён."),
                            code: error.code, outcomeUnknown: error.outcomeUnknown, handled: true
                        )
                    }
                    entry.bookingID = booking?.bookingID
                    try pending.put(fingerprint, entry)
                    say("Записан: \(visit.officeName), \(Labels.date(visit.date)) \(SchedulingDates.time(visit.start))")
                }

                // 3. The draft, with the booking's id, reviewed by the operator.
                let result = current.wire(bookingID: booking?.bookingID ?? "")
                do throws(GatewayError) {
                    draft = try await backend.setDraft(.init(sessionID: sessionID, result: result, confirmChange: confirm)).draft ?? result
                } catch where resumed && first && error.code == .failedPrecondition {
                    // The earlier run may have saved already; the save below returns its answer.
                    draft = result
                    break choosing
                }
                first = false
                if let old = superseded, old != booking?.bookingID {
                    // The service holds the new draft: the visit it replaced is given back.
                    do {
                        try await backend.cancelBooking(old, reason: "клиент изменил результат звонка")
                        say("Прежняя запись в офис \(old) отменена")
                    } catch {
                        uncancelled.append(old)
                        say("Прежнюю запись в офис \(old) отменить не удалось: \(error.message)")
                    }
                }
                superseded = nil
                if let replaced {
                    pending.remove(replaced.fingerprint)
                }
                guard let review, let shown = draft else { break choosing }
                switch try await review(shown) {
                case .save:
                    break choosing
                case .change(let changed):
                    superseded = booking?.bookingID
                    current = changed
                    confirm = true
                    // New keys: the changed result is a different booking and a different save.
                    entry.key = UUID().uuidString.lowercased()
                    entry.bookingID = superseded
                    entry.resultLabel = changed.label
                    try pending.put(fingerprint, entry)
                case .discard:
                    await abandon(booking.map { [$0.bookingID] } ?? [])
                    throw Self.discarded
                }
            }
            entry.resultLabel = current.label
            try pending.put(fingerprint, entry)
            saved = try await saveWithRetry(sessionID: sessionID, key: entry.key + "-save")
        } catch {
            if error.handled || error.reason == .discarded { throw error }
            if error.outcomeUnknown {
                throw GatewayError("Не удалось узнать, сохранён ли результат: \(error.message)" + Self.retryAdvice, code: error.code)
            }
            let bookings = [booking?.bookingID, superseded].compactMap { $0 }
            guard !bookings.isEmpty else {
                await abandon([])
                throw error
            }
            var failedCancels: [String] = []
            for id in bookings {
                do { try await backend.cancelBooking(id, reason: "результат звонка не сохранён") } catch let cancelError { failedCancels.append("\(id): \(cancelError.message)") }
            }
            guard failedCancels.isEmpty else {
                throw GatewayError(
                    "Результат звонка не сохранён: \(error.message)\nЗапись отменить не удалось: \(failedCancels.joined(separator: "; "))" + Self.retryAdvice,
                    code: error.code
                )
            }
            await abandon([])
            throw GatewayError("\(error.message)\nРезультат звонка не сохранён, запись в офис отменена.", code: error.code)
        }

        // 4. The visit SMS, once the result is safe.
        var sms: SchedulingV1.SmsMessage?
        if let booking, let choice = current.sms {
            entry.saved = true
            try? pending.put(fingerprint, entry)
            do {
                sms = try await backend.scheduleVisitSms(
                    .init(bookingID: booking.bookingID, phone: choice.phone, send: choice.send), key: entry.key + "-sms"
                )
            } catch {
                throw GatewayError(
                    "Результат звонка сохранён, запись в офис есть, но SMS о визите не запланировано: \(error.message)" + Self.retryAdvice,
                    code: error.code
                )
            }
        }
        pending.remove(fingerprint)
        return Outcome(sessionID: sessionID, saved: saved, draft: draft, booking: booking, sms: sms, resumed: resumed, uncancelledBookings: uncancelled)
    }

    static let retryAdvice = "\nПовторите ту же команду: ни запись, ни результат не задвоятся."

    /// The save is idempotent by its key, so an answer lost on the way is asked for again.
    /// Once an attempt's outcome is unknown, so is the whole save, whatever the retries say:
    /// a retry refused at connect (the service died after recording the first attempt) does
    /// not mean nothing was saved, and must not cancel the booking of a saved result.
    func saveWithRetry(sessionID: String, key: String) async throws(GatewayError) -> ContactsV1.SaveCallResultResponse {
        var attempt = 0
        while true {
            do {
                return try await backend.save(.init(sessionID: sessionID), key: key)
            } catch where error.outcomeUnknown && attempt < 2 {
                attempt += 1
                try? await Task.sleep(for: .milliseconds(500))
            } catch {
                var error = error
                if attempt > 0 { error.outcomeUnknown = true }
                throw error
            }
        }
    }
}
