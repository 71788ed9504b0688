import CRMAPI
import RPCTesting
import Auth
@testable import ContactOutcome
import Foundation
import RPCCore
import ServiceKit
import Testing
import Wire
import TestSupport

@Suite("Calls service")
struct CallsServiceTests {
    @Test("open, walk the script, set a draft, save: history entry with the path; retry records once")
    func saveIdempotent() async throws {
        let fixture = try Fixture()
        try await fixture.run { c in
            let session = try await fixture.open(c.calls)
            #expect(session.currentBlock?.blockID == "greeting")
            #expect(!session.consultationAllowed)
            let meta = fixture.metadata(.vcc)
            let next = try await c.calls.nextScriptBlock(.init(sessionID: session.sessionID, blockID: "greeting", answerID: "convenient"), metadata: meta)
            #expect(next.block?.blockID == "presentation")
            let stale = await rpcError {
                _ = try await c.calls.nextScriptBlock(.init(sessionID: session.sessionID, blockID: "greeting", answerID: "convenient"), metadata: meta)
            }
            #expect(stale?.code == .failedPrecondition)
            let badAnswer = await rpcError {
                _ = try await c.calls.nextScriptBlock(.init(sessionID: session.sessionID, blockID: "presentation", answerID: "nope"), metadata: meta)
            }
            #expect(badAnswer?.code == .invalidArgument)
            #expect(badAnswer?.fieldViolations.first?.field == "answer_id")

            let draft = try await c.calls.setDraftResult(.init(sessionID: session.sessionID, result: validAgreed), metadata: meta)
            #expect(draft.kind == .agreed)
            let key = "save-1"
            let first = try await c.calls.saveCallResult(.init(sessionID: session.sessionID), metadata: fixture.metadata(.vcc, key: key))
            let retry = try await c.calls.saveCallResult(.init(sessionID: session.sessionID), metadata: fixture.metadata(.vcc, key: key))
            #expect(first == retry)
            #expect(first.kind == .agreed)
            #expect(try await fixture.count("history_entry") == 1)

            let again = await rpcError {
                _ = try await c.calls.saveCallResult(.init(sessionID: session.sessionID), metadata: fixture.metadata(.vcc, key: "save-2"))
            }
            #expect(again?.code == .failedPrecondition)
            let missingKey = await rpcError {
                _ = try await c.calls.saveCallResult(.init(sessionID: session.sessionID), metadata: meta)
            }
            #expect(missingKey?.fieldViolations.first?.field == "idempotency-key")

            let history = try await c.history.listContactHistory(.init(cardID: 1001), metadata: meta)
            let entry = try #require(history.entries.first)
            #expect(entry.action == .outgoingCall)
            #expect(entry.nextAction?.officeName == "Мини-офис №160")
            guard case .call(let details) = entry.details else { Issue.record("not a call"); return }
            #expect(details.scriptPath == ["greeting", "presentation"])
            #expect(details.campaignName == "ОБЪЯВЛЕНИЕ (ДЛЯ МАРКИРОВКИ)")
        }
    }

    @Test("the same key for another session is refused")
    func reusedKey() async throws {
        let fixture = try Fixture()
        try await fixture.run { c in
            let a = try await fixture.open(c.calls)
            let b = try await fixture.open(c.calls)
            try await fixture.save(c.calls, a.sessionID, ContactsV1.CallResult(firstLevel: .callDropped(.init())), key: "k")
            let error = await rpcError {
                try await fixture.save(c.calls, b.sessionID, ContactsV1.CallResult(firstLevel: .callDropped(.init())), key: "k")
            }
            #expect(error?.code == .invalidArgument)
            #expect(error?.message == IdempotencyError.reusedKeyMessage)
        }
    }

    @Test("a refused rule writes nothing; changing the draft needs confirm")
    func refusalsAndConfirm() async throws {
        let fixture = try Fixture()
        try await fixture.run { c in
            let session = try await fixture.open(c.calls)
            let meta = fixture.metadata(.vcc)
            let refused = await rpcError {
                _ = try await c.calls.setDraftResult(.init(sessionID: session.sessionID, result: reached(.changedVisitDate(.init()))), metadata: meta)
            }
            #expect(refused?.code == .permissionDenied)
            #expect(refused?.message == "Сотрудники ВКЦ не используют результат \"Изменил дату прихода\"")
            let noDraft = await rpcError {
                _ = try await c.calls.saveCallResult(.init(sessionID: session.sessionID), metadata: fixture.metadata(.vcc, key: "x"))
            }
            #expect(noDraft?.code == .failedPrecondition)
            #expect(noDraft?.message == "Выберите результат звонка")

            let callback = reached(.callback(.init(reason: .clientRequest)))
            let first = try await c.calls.setDraftResult(.init(sessionID: session.sessionID, result: callback), metadata: meta)
            #expect(first.kind == .callback)
            let change = await rpcError {
                _ = try await c.calls.setDraftResult(.init(sessionID: session.sessionID, result: validAgreed), metadata: meta)
            }
            #expect(change?.code == .failedPrecondition)
            #expect(change?.message == "Вы хотите изменить ранее выбранный результат?")
            let confirmed = try await c.calls.setDraftResult(.init(sessionID: session.sessionID, result: validAgreed, confirmChange: true), metadata: meta)
            #expect(confirmed.kind == .agreed)
            #expect(try await fixture.count("history_entry") == 0)
        }
    }

    @Test("saving with the result in the request: the same rules, confirm over another draft, one entry, nothing on refusal")
    func saveWithResult() async throws {
        let fixture = try Fixture()
        try await fixture.run { c in
            let meta = fixture.metadata(.vcc)
            // Refused by a rule: nothing written, the session stays open with no draft.
            let session = try await fixture.open(c.calls)
            let refused = await rpcError {
                _ = try await c.calls.saveCallResult(
                    .init(sessionID: session.sessionID, result: reached(.changedVisitDate(.init()))), metadata: fixture.metadata(.vcc, key: "r")
                )
            }
            #expect(refused?.code == .permissionDenied)
            #expect(try await fixture.count("history_entry") == 0)
            #expect(try await fixture.count("call_session", where: "state = 'open' AND draft IS NULL") == 1)

            // A different draft was chosen before: the save needs the confirm flag.
            let callback = reached(.callback(.init(reason: .clientRequest)))
            _ = try await c.calls.setDraftResult(.init(sessionID: session.sessionID, result: callback), metadata: meta)
            let change = await rpcError {
                _ = try await c.calls.saveCallResult(.init(sessionID: session.sessionID, result: validAgreed), metadata: fixture.metadata(.vcc, key: "c"))
            }
            #expect(change?.code == .failedPrecondition)
            #expect(change?.message == "Вы хотите изменить ранее выбранный результат?")
            #expect(try await fixture.count("history_entry") == 0)
            let saved = try await c.calls.saveCallResult(
                .init(sessionID: session.sessionID, result: validAgreed, confirmChange: true), metadata: fixture.metadata(.vcc, key: "s")
            )
            #expect(saved.kind == .agreed)
            #expect(try await fixture.count("history_entry") == 1)
            #expect(try await fixture.count("call_session", where: "state = 'saved'") == 1)

            // No draft before: one call sets and saves, defaults applied as SetDraftResult would.
            let other = try await fixture.open(c.calls)
            let thinking = try await c.calls.saveCallResult(
                .init(sessionID: other.sessionID, result: reached(.thinking(.init()))), metadata: fixture.metadata(.vcc, key: "t")
            )
            #expect(thinking.kind == .thinking)
            #expect(try await fixture.count("history_entry") == 2)
            let history = try await c.history.listContactHistory(.init(cardID: 1001), metadata: meta)
            let entry = try #require(history.entries.first { $0.entryID == thinking.entryID })
            // Подумаю sent with no date: the default (+14 days) was filled, as SetDraftResult fills it.
            #expect(entry.nextAction?.at?.date != nil)
        }
    }

    @Test("Отказался needs two recorded objection-handling attempts")
    func objections() async throws {
        let fixture = try Fixture()
        try await fixture.run { c in
            let session = try await fixture.open(c.calls)
            let meta = fixture.metadata(.vcc)
            let refusal = reached(.refused(.init(refusalReasonID: "high_rate")))
            let early = await rpcError {
                _ = try await c.calls.setDraftResult(.init(sessionID: session.sessionID, result: refusal), metadata: meta)
            }
            #expect(early?.message == "Сначала проведите 2 попытки работы с возражениями")
            let unknown = await rpcError {
                _ = try await c.calls.recordObjectionHandling(.init(sessionID: session.sessionID, objectionID: "nope"), metadata: meta)
            }
            #expect(unknown?.fieldViolations.first?.field == "objection_id")
            _ = try await c.calls.recordObjectionHandling(.init(sessionID: session.sessionID, objectionID: "expensive"), metadata: meta)
            let two = try await c.calls.recordObjectionHandling(.init(sessionID: session.sessionID, objectionID: "no_time"), metadata: meta)
            #expect(two.objectionAttempts == 2)
            let saved = try await fixture.save(c.calls, session.sessionID, refusal)
            #expect(saved.kind == .refused)
        }
    }

    @Test("Консультация allowed only within 14 days of Согласился")
    func consultation() async throws {
        let fixture = try Fixture()
        try await fixture.run { c in
            let consultation = ContactsV1.CallResult(firstLevel: .consultation(.init()))
            let first = try await fixture.open(c.calls)
            let refused = await rpcError { try await fixture.save(c.calls, first.sessionID, consultation) }
            #expect(refused?.code == .failedPrecondition)
            #expect(refused?.message == "Консультация возможна только после продажи за последние 14 дней")
            try await fixture.save(c.calls, first.sessionID, validAgreed, key: "agree")

            fixture.clock.advance(ms: 13 * 86_400_000)
            let later = try await fixture.open(c.calls)
            #expect(later.consultationAllowed)
            #expect(try await fixture.save(c.calls, later.sessionID, consultation).kind == .consultation)

            fixture.clock.advance(ms: 2 * 86_400_000)
            let tooLate = try await fixture.open(c.calls)
            #expect(!tooLate.consultationAllowed)
        }
    }

    @Test("exit without saving records nothing; another operator cannot touch the session; roles")
    func exitAndOwnership() async throws {
        let fixture = try Fixture()
        try await fixture.run { c in
            let session = try await fixture.open(c.calls)
            let other = await rpcError {
                _ = try await c.calls.exitWithoutSaving(.init(sessionID: session.sessionID), metadata: fixture.metadata(.vcc, login: "ivanov"))
            }
            #expect(other?.code == .permissionDenied)
            _ = try await c.calls.setDraftResult(.init(sessionID: session.sessionID, result: validAgreed), metadata: fixture.metadata(.vcc))
            _ = try await c.calls.exitWithoutSaving(.init(sessionID: session.sessionID), metadata: fixture.metadata(.vcc))
            #expect(try await fixture.count("history_entry") == 0)
            let closed = await rpcError {
                _ = try await c.calls.saveCallResult(.init(sessionID: session.sessionID), metadata: fixture.metadata(.vcc, key: "late"))
            }
            #expect(closed?.code == .failedPrecondition)
            let collector = await rpcError {
                _ = try await c.campaigns.listCampaigns(.init(), metadata: fixture.metadata(.collector))
            }
            #expect(collector?.code == .permissionDenied)
            let missing = await rpcError {
                _ = try await c.calls.openCallSession(.init(cardID: 1, campaignID: "nope", direction: .outgoing), metadata: fixture.metadata(.vcc))
            }
            #expect(missing?.code == .notFound)
            let inactive = await rpcError {
                _ = try await c.calls.openCallSession(.init(cardID: 1, campaignID: "deposit_autumn_2017", direction: .outgoing), metadata: fixture.metadata(.vcc))
            }
            #expect(inactive?.code == .failedPrecondition)
        }
    }

    @Test("campaigns, scripts and products")
    func campaigns() async throws {
        let fixture = try Fixture()
        try await fixture.run { c in
            let meta = fixture.metadata(.sales)
            let names = try await c.campaigns.listCampaigns(.init(), metadata: meta).campaigns.map(\.name)
            #expect(names == ["РЦГ_ХАЛВА_АКТИВАЦИЯ", "ОБЗВОН INTERNET", "ОБЪЯВЛЕНИЕ (ДЛЯ МАРКИРОВКИ)", "ИПОТЕКА", "РЦП", "Оценка заемщика"])
            #expect(try await c.campaigns.listCampaigns(.init(includeInactive: true), metadata: meta).campaigns.count == 7)
            let script = try await c.campaigns.getScript(.init(campaignID: "internet_calls"), metadata: meta).script
            #expect(script?.scriptName == "СКРИПТ: ОБЗВОН INTERNET")
            #expect(script?.objections.count == 4)
            let credit = try await c.campaigns.listOfferableProducts(.init(category: .credit), metadata: meta).products
            #expect(credit.contains { $0.name == "ДК под залог недвижимости" })
            #expect(credit.allSatisfy { $0.category == .credit })
        }
    }
}
