import CRMAPI
import Foundation
import Gateway
import RPCCore
import Wire

extension Call {
    /// The call as an operator makes it at the terminal: every question asked in the
    /// manual's order (`CallPrompts`), then the composed call carried out. A result a service
    /// refuses sends the operator back to the result's questions with the reason; the call is
    /// not lost.
    func runAtPrompts(card: RegistryV1.Card, campaign: ContactsV1.Campaign, leaseID: String, auth: Authorized) async throws {
        let campaigns = ContactsV1.Campaigns.Client(wrapping: auth.contacts.rpc)
        let script = try await auth.contacts.call { _ in try await campaigns.getScript(.init(campaignID: campaign.campaignID)) }.script
        let mobile = card.contacts.first { $0.kind == .mobilePhone && !$0.struckOut }?.value ?? ""
        print("Телефон: \(Labels.phone(mobile)); у клиента сейчас \(PromptChecks.localNow(utcOffsetMinutes: SchedulingDates.offsetMinutes(card.region)))")
        print("Кампания: \(campaign.name). «назад» — к прошлому вопросу, «отмена» — отменить звонок.")
        let prompts = CallPrompts(
            command: self, card: card, campaign: campaign, script: script, auth: auth,
            role: CallPrompts.role(of: auth.session), say: { print($0) }
        )
        let again = "crm call \(card.cardID) --campaign \(campaign.campaignID)"
        Interrupt.onCtrlC("Звонок прерван: ничего не записано. Начать заново — \(again)")
        var state = CallPrompts.State()
        var from: CallPrompts.Step?
        while true {
            let answered: CallPrompts.State?
            do {
                answered = try await prompts.run(&state, from: from)
            } catch let error as GatewayError where error.reason == .cancelCall {
                print("Звонок отменён: ничего не записано")
                return
            }
            guard let answered, let result = answered.result else {
                print("Выход без сохранения результата: ничего не записано")
                return
            }
            let plan = CallPlan(
                cardID: card.cardID, cardType: card.type, clientRegion: card.region, clientName: card.fullName,
                campaignID: campaign.campaignID, direction: incoming ? .incoming : .outgoing, leaseID: leaseID,
                objections: answered.objections, result: result
            )
            let replay = ScriptReplay(answered.scriptAnswers)
            let composer = CallComposer(
                backend: RPCCallBackend(contacts: auth.contacts, scheduling: auth.scheduling),
                pending: PendingCalls.beside(SessionStore.standard()), operatorLogin: auth.session.login, showsScript: false, say: { print($0) }
            )
            Interrupt.onCtrlC("Звонок прерван во время сохранения. Повторите \(again) с теми же ответами: ни запись, ни результат не задвоятся")
            switch await Self.attempt(composer, plan, replay) {
            case .success(let outcome):
                Interrupt.onCtrlC(nil)
                return await report(outcome, auth: auth)
            case .failure(let error):
                guard Self.refusedByRule(error) else { throw error }
                // Nothing was kept (the composer cancelled what it had begun): the operator
                // corrects the answer the service refused and the call goes on.
                print("Результат не принят: \(error.message)")
                print("Выберите результат заново (ответы скрипта и возражения сохранены).")
                state.result = nil
                from = prompts.firstLevel(askAlways: true)
                Interrupt.onCtrlC("Звонок прерван: ничего не записано. Начать заново — \(again)")
            }
        }
    }

    /// The composed call carried out, its refusal as a value.
    static func attempt(_ composer: CallComposer, _ plan: CallPlan, _ replay: ScriptReplay) async -> Result<CallComposer.Outcome, GatewayError> {
        do {
            return .success(try await composer.perform(
                plan, walk: { block async throws(GatewayError) in replay.next(for: block) },
                confirmChange: { earlier in
                    Console.confirm("В незавершённом звонке выбран результат «\(earlier)». Вы хотите изменить ранее выбранный результат?", default: false)
                }
            ))
        } catch {
            return .failure(error)
        }
    }
}

extension Call {
    /// A refusal of what the operator chose (a rule, a full slot), as opposed to a service
    /// that could not be reached: the first is corrected at the prompts.
    static func refusedByRule(_ error: GatewayError) -> Bool {
        guard !error.outcomeUnknown, let code = error.code else { return false }
        return [.invalidArgument, .failedPrecondition, .permissionDenied, .resourceExhausted, .alreadyExists, .outOfRange, .notFound].contains(code)
    }
}

/// The script answers chosen at the prompts, given to the call session block by block
/// when the call is saved.
final class ScriptReplay: @unchecked Sendable {
    private var answers: [ContactsV1.ScriptAnswer]
    init(_ answers: [ContactsV1.ScriptAnswer]) { self.answers = answers }

    func next(for block: ContactsV1.ScriptBlock) -> ContactsV1.ScriptAnswer? {
        guard let first = answers.first, block.answers.contains(where: { $0.answerID == first.answerID }) else { return nil }
        answers.removeFirst()
        return first
    }
}
