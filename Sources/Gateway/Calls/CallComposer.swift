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
    }

    /// Chooses the answer for a script block (nil stops the walk).
    public typealias ScriptWalker = @Sendable (ContactsV1.ScriptBlock) async throws(GatewayError) -> ContactsV1.ScriptAnswer?

    /// What the operator does with the draft shown (defaults applied) before it is saved.
    public enum Review: Sendable {
        case save
        /// The client changed their mind; the operator confirmed «Вы хотите изменить ранее
        /// выбранный результат?».
        case change(ContactsV1.CallResult)
        /// «Выйти без сохранения результата».
        case discard
    }

    public typealias Reviewer = @Sendable (ContactsV1.CallResult) async throws(GatewayError) -> Review

    /// Thrown when the operator left the call without a result: nothing was recorded.
    public static let discarded = GatewayError("Выход без сохранения результата: ничего не записано")

    let backend: any CallBackend
    let pending: PendingCalls
    let operatorLogin: String
    let say: @Sendable (String) -> Void

    public init(backend: any CallBackend, pending: PendingCalls, operatorLogin: String, say: @escaping @Sendable (String) -> Void) {
        self.backend = backend
        self.pending = pending
        self.operatorLogin = operatorLogin
        self.say = say
    }

    /// `review` is offered the draft of a result that needs no booking (a booked visit is
    /// saved as chosen, so no booking waits on a changed mind).
    public func perform(_ plan: CallPlan, walk: ScriptWalker? = nil, review: Reviewer? = nil) async throws(GatewayError) -> Outcome {
        let fingerprint = plan.fingerprint(operator: operatorLogin)
        var entry = pending.entry(fingerprint) ?? .init(key: UUID().uuidString.lowercased(), sessionID: nil, bookingID: nil)
        let resumed = entry.sessionID != nil

        // 1. The call session, the script and the objections (skipped when resuming).
        let sessionID: String
        if let existing = entry.sessionID {
            sessionID = existing
            say("Продолжаю незавершённый звонок (тот же ключ повтора: \(entry.key))")
        } else {
            let session = try await backend.openSession(.init(
                cardID: plan.cardID, campaignID: plan.campaignID, direction: plan.direction, cardType: plan.cardType,
                clientRegion: plan.clientRegion, leaseID: plan.leaseID
            ))
            sessionID = session.sessionID
            entry.sessionID = sessionID
            try pending.put(fingerprint, entry)
            say("Кампания: \(session.campaign?.name ?? plan.campaignID)")
            if var block = session.currentBlock, let walk {
                while true {
                    say("[\(block.title)] \(block.text)")
                    guard let answer = try await walk(block) else { break }
                    say("  → \(answer.label)")
                    guard let next = try await backend.nextBlock(.init(sessionID: sessionID, blockID: block.blockID, answerID: answer.answerID)) else { break }
                    block = next
                }
            }
            for objection in plan.objections {
                let attempts = try await backend.recordObjection(.init(sessionID: sessionID, objectionID: objection))
                say("Работа с возражениями: попытка \(attempts)")
            }
        }

        // 2. The booking, when the result is a visit.
        var booking: SchedulingV1.Booking?
        if let visit = plan.result.visit {
            do {
                booking = try await backend.book(.init(
                    officeID: visit.officeID, date: visit.date, start: visit.start, cardID: plan.cardID, clientName: plan.clientName
                ), key: entry.key + "-book")
            } catch {
                // Nothing is booked, nothing recorded: end the call cleanly and forget it.
                if !error.outcomeUnknown {
                    try? await backend.exitWithoutSaving(sessionID: sessionID)
                    pending.remove(fingerprint)
                }
                throw GatewayError("Запись в офис не создана: \(error.message)" + (error.outcomeUnknown ? Self.retryAdvice : "\nРезультат звонка не сохранён."), code: error.code)
            }
            entry.bookingID = booking?.bookingID
            try pending.put(fingerprint, entry)
            say("Записан: \(visit.officeName), \(Labels.date(visit.date)) \(SchedulingDates.time(visit.start))")
        }

        // 3. The result, saved with the booking's id.
        let result = plan.result.wire(bookingID: booking?.bookingID ?? "")
        var draft: ContactsV1.CallResult?
        let saved: ContactsV1.SaveCallResultResponse
        do throws(GatewayError) {
            do throws(GatewayError) {
                draft = try await backend.setDraft(.init(sessionID: sessionID, result: result, confirmChange: false)).draft
                while booking == nil, let review, let shown = draft {
                    switch try await review(shown) {
                    case .save:
                        break
                    case .change(let changed):
                        draft = try await backend.setDraft(.init(sessionID: sessionID, result: changed, confirmChange: true)).draft
                        continue
                    case .discard:
                        try? await backend.exitWithoutSaving(sessionID: sessionID)
                        pending.remove(fingerprint)
                        throw Self.discarded
                    }
                    break
                }
            } catch where resumed && error.code == .failedPrecondition {
                // The earlier run may have saved already; the save below returns its answer.
            }
            saved = try await saveWithRetry(sessionID: sessionID, key: entry.key + "-save")
        } catch {
            if error.outcomeUnknown {
                throw GatewayError("Не удалось узнать, сохранён ли результат: \(error.message)" + Self.retryAdvice, code: error.code)
            }
            guard let booking else {
                try? await backend.exitWithoutSaving(sessionID: sessionID)
                pending.remove(fingerprint)
                throw error
            }
            do {
                try await backend.cancelBooking(booking.bookingID, reason: "результат звонка не сохранён")
            } catch let cancelError {
                throw GatewayError(
                    "Результат звонка не сохранён: \(error.message)\nЗапись \(booking.bookingID) отменить не удалось: \(cancelError.message)"
                        + Self.retryAdvice,
                    code: error.code
                )
            }
            try? await backend.exitWithoutSaving(sessionID: sessionID)
            pending.remove(fingerprint)
            throw GatewayError("\(error.message)\nРезультат звонка не сохранён, запись в офис отменена.", code: error.code)
        }

        // 4. The visit SMS, once the result is safe.
        var sms: SchedulingV1.SmsMessage?
        if let booking, let choice = plan.result.sms {
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
        return Outcome(sessionID: sessionID, saved: saved, draft: draft ?? result, booking: booking, sms: sms, resumed: resumed)
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
