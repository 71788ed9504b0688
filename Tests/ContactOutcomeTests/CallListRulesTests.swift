import CRMAPI
import CRMDomain
import RPCTesting
@testable import ContactOutcome
import Testing
import Wire

struct EffectCase: Sendable, CustomTestStringConvertible {
    var name: String
    var result: ContactsV1.CallResult
    var attemptsBefore = 0
    var effect: ContactsV1.CallListEffect
    var returnAtMs: Int64 = 0
    var testDescription: String { name }
}

/// «ОБЪЯВЛЕНИЕ (ДЛЯ МАРКИРОВКИ)»: retry after 60 minutes, 3 attempts.
let announcement = CampaignCatalog.campaign("announcement_marking")!

let effectCases: [EffectCase] = [
    EffectCase(name: "Перезвонить: back at its time", result: reached(.callback(.init(reason: .clientRequest, at: local(tomorrow, 10)))),
               effect: .returnsAt, returnAtMs: tomorrow.unixMs(atMinute: 600, utcOffsetMinutes: 180)),
    EffectCase(name: "Перезвонить with a date only: back at 09:00 local", result: reached(.callback(.init(reason: .clientRequest, at: local(tomorrow)))),
               effect: .returnsAt, returnAtMs: tomorrow.unixMs(atMinute: 540, utcOffsetMinutes: 180)),
    EffectCase(name: "Подумаю: back at its time", result: reached(.thinking(.init(nextActionAt: local(tomorrow, 12)))),
               effect: .returnsAt, returnAtMs: tomorrow.unixMs(atMinute: 720, utcOffsetMinutes: 180)),
    EffectCase(name: "Не беспокоить: off every campaign", result: dnd(.refusedToTalk), effect: .offAllCampaigns),
    EffectCase(name: "Согласился: off this campaign", result: validAgreed, effect: .offCampaign),
    EffectCase(name: "Не дозвонились, first attempt: retry after the delay", result: ContactsV1.CallResult(firstLevel: .notReached(.init(reason: .busy))),
               effect: .retryAt, returnAtMs: fixedNow + 60 * 60_000),
    EffectCase(name: "Звонок сорвался, second attempt: retry", result: ContactsV1.CallResult(firstLevel: .callDropped(.init())), attemptsBefore: 1,
               effect: .retryAt, returnAtMs: fixedNow + 60 * 60_000),
    EffectCase(name: "Не дозвонились at the last attempt: exhausted", result: ContactsV1.CallResult(firstLevel: .notReached(.init(reason: .noAnswer))),
               attemptsBefore: 2, effect: .attemptsExhausted),
    EffectCase(name: "Нецелевой: no scheduled return", result: reached(.nonTarget(.init(reason: .age))), effect: .none),
]

@Suite("Call-list rules")
struct CallListRulesTests {
    /// Each campaign's own retry delay and attempt limit (they differ: 30 to 120 minutes, 3 to 6 attempts).
    @Test("retry delay and max attempts are the campaign's own", arguments: CampaignCatalog.campaigns)
    func perCampaignRetry(_ campaign: ContactsV1.Campaign) {
        let notReached = ContactsV1.CallResult(firstLevel: .notReached(.init(reason: .noAnswer)))
        let max = Int(campaign.maxAttempts)
        #expect(max >= 2)
        for before in 0..<(max - 1) {
            let outcome = CallListRules.outcome(of: notReached, campaign: campaign, attemptsBefore: before, nowMs: fixedNow)
            #expect(outcome.effect == .retryAt, "attempt \(before + 1) of \(max)")
            #expect(outcome.returnAtMs == fixedNow + Int64(campaign.retryDelayMinutes) * 60_000)
            #expect(outcome.dueReason == .retry)
        }
        let last = CallListRules.outcome(of: ContactsV1.CallResult(firstLevel: .callDropped(.init())), campaign: campaign, attemptsBefore: max - 1, nowMs: fixedNow)
        #expect(last.effect == .attemptsExhausted)
        #expect(last.attempts == max)
    }

    @Test("campaigns differ in retry delay and attempts, so the per-campaign test means something")
    func campaignsDiffer() {
        #expect(Set(CampaignCatalog.campaigns.map(\.retryDelayMinutes)).count > 1)
        #expect(Set(CampaignCatalog.campaigns.map(\.maxAttempts)).count > 1)
    }

    @Test("effect of a saved result", arguments: effectCases)
    func effect(_ row: EffectCase) {
        let outcome = CallListRules.outcome(of: row.result, campaign: announcement, attemptsBefore: row.attemptsBefore, nowMs: fixedNow)
        #expect(outcome.effect == row.effect)
        #expect(outcome.returnAtMs == row.returnAtMs)
        #expect(outcome.attempts == row.attemptsBefore + 1)
    }

    @Test("a callback is held for its operator until an hour overdue", arguments: [
        // (hold, due offset from now, who asks, may take)
        (String?.none, Int64(0), "ivanov", true),
        ("vafinana", 0, "vafinana", true),
        ("vafinana", 0, "ivanov", false),
        ("vafinana", -59 * 60_000, "ivanov", false),
        ("vafinana", -60 * 60_000, "ivanov", true),
        (nil, 60_000, "ivanov", false),
    ])
    func hold(holdLogin: String?, dueOffset: Int64, login: String, mayTake: Bool) {
        #expect(CallListRules.mayTake(holdLogin: holdLogin, dueMs: fixedNow + dueOffset, login: login, nowMs: fixedNow) == mayTake)
    }
}

struct GuidanceCase: Sendable, CustomTestStringConvertible {
    var name: String
    var application: ContactsV1.ApplicationDetails
    var meaning: String?
    var comment = ""
    var testDescription: String { name }
}

let guidanceCases: [GuidanceCase] = [
    GuidanceCase(name: "Договор подписан", application: .init(event: .contractSigned), meaning: "Кредит оформлен", comment: "Одобрено"),
    GuidanceCase(name: "Печатные документы готовы", application: .init(event: .documentsReady), meaning: "На стадии подписания договора", comment: "Одобрено"),
    GuidanceCase(name: "Договор не подписан", application: .init(event: .contractNotSigned), meaning: "Направить в офис для подписания договора", comment: "Одобрено"),
    GuidanceCase(name: "Одобрено", application: .init(event: .approved), meaning: "Кредит одобрен, договор не подписан", comment: "Одобрено"),
    GuidanceCase(name: "В обработке", application: .init(event: .inProgress), meaning: "Решение еще не принято"),
    GuidanceCase(name: "Временный отказ", application: .init(event: .temporaryRefusal),
                 meaning: "Направить в офис для уточнения статуса заявки. Возможно, требуется дополнительная проверка", comment: "Временный отказ"),
    GuidanceCase(name: "Отклонена клиентом", application: .init(event: .declined, declinedByClient: true),
                 meaning: "Клиент отказался сам, может обратиться повторно в любое время", comment: "Одобрено"),
    GuidanceCase(name: "Отклонена банком", application: .init(event: .declined),
                 meaning: "Отказ. Повторное обращение возможно через 90 дней", comment: "Отказано"),
    GuidanceCase(name: "Подача заявки СВ-Кредит, Отклонена, Оценка заемщика",
                 application: .init(event: .svCreditSubmitted, result: .declined, product: "Оценка заемщика"),
                 meaning: "Отказ по кредиту. Предложить клиенту оформить Кредитный доктор", comment: "Отказ. Продайте клиенту Кредитный Доктор!"),
    GuidanceCase(name: "Подача заявки СВ-Кредит for another product: none",
                 application: .init(event: .svCreditSubmitted, result: .declined, product: "Денежный кредит"), meaning: nil),
    GuidanceCase(name: "Подача FIS заявки", application: .init(event: .fisSubmitted),
                 meaning: "Отказ. Повторное обращение возможно через 90 дней", comment: "Отказ"),
    GuidanceCase(name: "Подача DESS заявки, Отказ", application: .init(event: .dessSubmitted, result: .refused),
                 meaning: "Отказ. Повторное обращение возможно через 90 дней"),
    GuidanceCase(name: "Подача DESS заявки, submitted: none", application: .init(event: .dessSubmitted, result: .submitted), meaning: nil),
    GuidanceCase(name: "Подача INTERNET заявки: none", application: .init(event: .internetSubmitted), meaning: nil),
]

@Suite("§6 guidance")
struct GuidanceTests {
    @Test("application rows", arguments: guidanceCases)
    func application(_ row: GuidanceCase) {
        let guidance = Guidance.of(row.application)
        #expect(guidance?.meaning == row.meaning)
        if row.meaning != nil { #expect(guidance?.comment == row.comment) }
    }

    @Test("bureau decisions while valid, none after 10 days")
    func bureau() {
        #expect(Guidance.of(ContactsV1.BureauDecisionDetails(decision: .rejected, stillValid: true))?.meaning
            == "Предварительное решение – ОТКАЗ. Пригласить клиента в офис Банка")
        #expect(Guidance.of(ContactsV1.BureauDecisionDetails(decision: .approved, stillValid: true))?.meaning
            == "Предварительное решение ОДОБРЕНО. Клиенту можно доставить карту Халва")
        #expect(Guidance.of(ContactsV1.BureauDecisionDetails(decision: .approved, stillValid: false)) == nil)
    }
}
