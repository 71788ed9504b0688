import CRMAPI
import CRMDomain
import RPCTesting
@testable import ContactOutcome
import RPCCore
import Testing
import Wire

/// One row per rule of DOMAIN.md §3 / docs/API.md «Result rules»: each fails if its rule breaks.
struct RuleCase: Sendable, CustomTestStringConvertible {
    var name: String
    var result: ContactsV1.CallResult
    var role: TypesV1.OperatorRole = .vcc
    var cardType: TypesV1.CardType = .client
    var campaign: String = "announcement_marking"
    var agreedRecently = false
    var attempts = 0
    /// nil: accepted.
    var code: StatusCode?
    var field: String?
    var testDescription: String { name }

    func context() -> ResultContext {
        ResultContext(
            role: role, cardType: cardType, campaign: CampaignCatalog.campaign(campaign)!, nowMs: fixedNow,
            clientUtcOffsetMinutes: 180, agreedWithinLast14Days: agreedRecently, objectionAttempts: attempts
        )
    }
}

let tomorrow = tuesday.adding(days: 1)
let yesterday = tuesday.adding(days: -1)

let ruleCases: [RuleCase] = [
    // No result at all.
    RuleCase(name: "no result chosen", result: ContactsV1.CallResult(), code: .invalidArgument, field: "result"),
    // Не дозвонились: reason required, every reason of the list accepted.
    RuleCase(name: "Не дозвонились without reason", result: ContactsV1.CallResult(firstLevel: .notReached(.init())),
             code: .invalidArgument, field: "result.not_reached.reason"),
    RuleCase(name: "Не дозвонились with an unknown reason", result: ContactsV1.CallResult(firstLevel: .notReached(.init(reason: .unrecognized(99)))),
             code: .invalidArgument, field: "result.not_reached.reason"),
] + ContactsV1.NotReachedReason.allCases.dropFirst().map {
    RuleCase(name: "Не дозвонились: \($0)", result: ContactsV1.CallResult(firstLevel: .notReached(.init(reason: $0))))
} + [
    // Звонок сорвался: nothing to carry.
    RuleCase(name: "Звонок сорвался", result: ContactsV1.CallResult(firstLevel: .callDropped(.init()))),
    // Дозвонились needs a second-level result.
    RuleCase(name: "Дозвонились without a second level", result: ContactsV1.CallResult(firstLevel: .reached(.init())),
             code: .invalidArgument, field: "result.reached"),
    // Не беспокоить.
    RuleCase(name: "Не беспокоить without reason", result: ContactsV1.CallResult(firstLevel: .doNotDisturb(.init())),
             code: .invalidArgument, field: "result.do_not_disturb.reason"),
    RuleCase(name: "Не беспокоить: 3-е лицо, кл. не пригласил", result: dnd(.thirdPartyNotInvited)),
    RuleCase(name: "Не беспокоить: Клиент умер", result: dnd(.clientDied)),
    RuleCase(name: "Не беспокоить: Неверный номер", result: dnd(.wrongNumber)),
    RuleCase(name: "Не беспокоить: Отказ от разговора", result: dnd(.refusedToTalk)),
    RuleCase(name: "Не беспокоить: Заявку не оставлял on an internet card", result: dnd(.didNotApply), cardType: .internetApplicant),
    RuleCase(name: "Не беспокоить: Заявку не оставлял on a client card", result: dnd(.didNotApply), cardType: .client,
             code: .invalidArgument, field: "result.do_not_disturb.reason"),
    RuleCase(name: "Не беспокоить: Бизнес не ведется by SMB", result: dnd(.noBusiness), role: .smb),
    RuleCase(name: "Не беспокоить: Бизнес не ведется by VCC", result: dnd(.noBusiness), role: .vcc,
             code: .permissionDenied, field: "result.do_not_disturb.reason"),
    RuleCase(name: "Не беспокоить: Негативная информация by ACTIVE_CONTROL", result: dnd(.negativeInfo), role: .activeControl),
    RuleCase(name: "Не беспокоить: Негативная информация by SALES", result: dnd(.negativeInfo), role: .sales,
             code: .permissionDenied, field: "result.do_not_disturb.reason"),
    // Консультация only after Согласился within 14 days.
    RuleCase(name: "Консультация after a recent sale", result: ContactsV1.CallResult(firstLevel: .consultation(.init())), agreedRecently: true),
    RuleCase(name: "Консультация without a recent sale", result: ContactsV1.CallResult(firstLevel: .consultation(.init())),
             code: .failedPrecondition, field: "result.consultation"),
    // Выезд к клиенту: SMB only, date and time required, not past.
    RuleCase(name: "Выезд к клиенту by SMB", result: visit(local(tomorrow, 11)), role: .smb),
    RuleCase(name: "Выезд к клиенту by VCC", result: visit(local(tomorrow, 11)), role: .vcc,
             code: .permissionDenied, field: "result.client_visit"),
    RuleCase(name: "Выезд к клиенту without date", result: visit(nil), role: .smb, code: .invalidArgument, field: "result.client_visit.at"),
    RuleCase(name: "Выезд к клиенту without time", result: visit(local(tomorrow)), role: .smb,
             code: .invalidArgument, field: "result.client_visit.at.time"),
    RuleCase(name: "Выезд к клиенту in the past", result: visit(local(yesterday, 11)), role: .smb,
             code: .invalidArgument, field: "result.client_visit.at"),
    // Перезвонить.
    RuleCase(name: "Перезвонить without reason", result: reached(.callback(.init(at: local(tomorrow, 10)))),
             code: .invalidArgument, field: "result.reached.callback.reason"),
] + ContactsV1.CallbackReason.allCases.dropFirst().map {
    RuleCase(name: "Перезвонить: \($0)", result: reached(.callback(.init(reason: $0, at: local(tomorrow, 10)))))
} + [
    RuleCase(name: "Перезвонить in the past", result: reached(.callback(.init(reason: .clientRequest, at: local(yesterday, 10)))),
             code: .invalidArgument, field: "result.reached.callback.at"),
    RuleCase(name: "Перезвонить with an impossible date", result: reached(.callback(.init(
        reason: .clientRequest, at: TypesV1.LocalDateTime(date: .init(year: 2026, month: 2, day: 30), utcOffsetMinutes: 180))
    )), code: .invalidArgument, field: "result.reached.callback.at.date"),
    // Нецелевой.
    RuleCase(name: "Нецелевой without reason", result: reached(.nonTarget(.init())),
             code: .invalidArgument, field: "result.reached.non_target.reason"),
] + ContactsV1.NonTargetReason.allCases.dropFirst().filter { $0 != .didNotApply && $0 != .depositor }.map {
    RuleCase(name: "Нецелевой: \($0)", result: reached(.nonTarget(.init(reason: $0))))
} + [
    RuleCase(name: "Нецелевой: заявку не оставлял on an internet card", result: reached(.nonTarget(.init(reason: .didNotApply))),
             cardType: .internetApplicant),
    RuleCase(name: "Нецелевой: заявку не оставлял on a front-office card", result: reached(.nonTarget(.init(reason: .didNotApply))),
             cardType: .frontOfficeApplicant, code: .invalidArgument, field: "result.reached.non_target.reason"),
    RuleCase(name: "Нецелевой: клиент-вкладчик by FC in Оценка заемщика", result: reached(.nonTarget(.init(reason: .depositor))),
             role: .fc, campaign: "borrower_assessment"),
    RuleCase(name: "Нецелевой: клиент-вкладчик by FC in another campaign", result: reached(.nonTarget(.init(reason: .depositor))),
             role: .fc, campaign: "mortgage", code: .failedPrecondition, field: "result.reached.non_target.reason"),
    RuleCase(name: "Нецелевой: клиент-вкладчик by VCC in Оценка заемщика", result: reached(.nonTarget(.init(reason: .depositor))),
             role: .vcc, campaign: "borrower_assessment", code: .permissionDenied, field: "result.reached.non_target.reason"),
    // Подумаю.
    RuleCase(name: "Подумаю with a date", result: reached(.thinking(.init(nextActionAt: local(tomorrow, 12))))),
    RuleCase(name: "Подумаю in the past", result: reached(.thinking(.init(nextActionAt: local(yesterday, 12)))),
             code: .invalidArgument, field: "result.reached.thinking.next_action_at"),
    // Отказался: a reason of the campaign, after two objection-handling attempts.
    RuleCase(name: "Отказался after two attempts", result: reached(.refused(.init(refusalReasonID: "high_rate"))), attempts: 2),
    RuleCase(name: "Отказался after one attempt", result: reached(.refused(.init(refusalReasonID: "high_rate"))), attempts: 1,
             code: .failedPrecondition, field: "result.reached.refused"),
    RuleCase(name: "Отказался without reason", result: reached(.refused(.init())), attempts: 2,
             code: .invalidArgument, field: "result.reached.refused.refusal_reason_id"),
    RuleCase(name: "Отказался with a reason of another campaign", result: reached(.refused(.init(refusalReasonID: "has_halva"))), attempts: 2,
             code: .invalidArgument, field: "result.reached.refused.refusal_reason_id"),
    // Согласился: visit and products.
    RuleCase(name: "Согласился with visit and product", result: validAgreed),
    RuleCase(name: "Согласился without visit", result: reached(.agreed(.init(products: agreedProducts))),
             code: .invalidArgument, field: "result.reached.agreed.visit"),
    RuleCase(name: "Согласился without office", result: agreed { $0.officeID = "" }, code: .invalidArgument, field: "result.reached.agreed.visit.office_id"),
    RuleCase(name: "Согласился without region", result: agreed { $0.region = nil }, code: .invalidArgument, field: "result.reached.agreed.visit.region"),
    RuleCase(name: "Согласился without settlement", result: agreed { $0.settlement = "" }, code: .invalidArgument, field: "result.reached.agreed.visit.settlement"),
    RuleCase(name: "Согласился without visit time", result: agreed { $0.at = local(tomorrow) }, code: .invalidArgument, field: "result.reached.agreed.visit.at.time"),
    RuleCase(name: "Согласился without booking", result: agreed { $0.bookingID = "" }, code: .invalidArgument, field: "result.reached.agreed.visit.booking_id"),
    RuleCase(name: "Согласился without products", result: reached(.agreed(.init(visit: validVisit))),
             code: .invalidArgument, field: "result.reached.agreed.products"),
    RuleCase(name: "Согласился with a product of another category",
             result: reached(.agreed(.init(visit: validVisit, products: [.init(category: .deposit, productID: "dk_realty_pledge")]))),
             code: .invalidArgument, field: "result.reached.agreed.products[0].product_id"),
    RuleCase(name: "Согласился with a product without category",
             result: reached(.agreed(.init(visit: validVisit, products: [.init(productID: "dk_realty_pledge")]))),
             code: .invalidArgument, field: "result.reached.agreed.products[0].category"),
    // Изменил дату прихода: not VCC.
    RuleCase(name: "Изменил дату прихода by SALES", result: reached(.changedVisitDate(.init())), role: .sales),
    RuleCase(name: "Изменил дату прихода by VCC", result: reached(.changedVisitDate(.init())), role: .vcc,
             code: .permissionDenied, field: "result.reached.changed_visit_date"),
    // Халва: only in a Halva campaign, exactly one delivery way with its fields.
    RuleCase(name: "Халва МПП", result: halva(.mpp(validMpp)), campaign: "rcg_halva_activation"),
    RuleCase(name: "Халва ФК", result: halva(.fc(validFc)), campaign: "rcg_halva_activation"),
    RuleCase(name: "Халва Самовывоз", result: halva(.selfPickup(validPickup)), campaign: "rcg_halva_activation"),
    RuleCase(name: "Халва outside a Halva campaign", result: halva(.selfPickup(validPickup)), campaign: "mortgage",
             code: .failedPrecondition, field: "result.reached.halva"),
    RuleCase(name: "Халва without delivery way", result: reached(.halva(.init())), campaign: "rcg_halva_activation",
             code: .invalidArgument, field: "result.reached.halva.delivery"),
    RuleCase(name: "Халва МПП without employees covered", result: halva(.mpp({ var m = validMpp; m.employeesCovered = 0; return m }())),
             campaign: "rcg_halva_activation", code: .invalidArgument, field: "result.reached.halva.mpp.employees_covered"),
    RuleCase(name: "Халва МПП without address", result: halva(.mpp({ var m = validMpp; m.address = ""; return m }())),
             campaign: "rcg_halva_activation", code: .invalidArgument, field: "result.reached.halva.mpp.address"),
    RuleCase(name: "Халва ФК without place", result: halva(.fc({ var f = validFc; f.place = .unspecified; return f }())),
             campaign: "rcg_halva_activation", code: .invalidArgument, field: "result.reached.halva.fc.place"),
    RuleCase(name: "Халва Самовывоз without booking", result: halva(.selfPickup({ var p = validPickup; p.bookingID = ""; return p }())),
             campaign: "rcg_halva_activation", code: .invalidArgument, field: "result.reached.halva.self_pickup.booking_id"),
    RuleCase(name: "Халва Самовывоз without office", result: halva(.selfPickup({ var p = validPickup; p.officeID = ""; return p }())),
             campaign: "rcg_halva_activation", code: .invalidArgument, field: "result.reached.halva.self_pickup.office_id"),
]

func dnd(_ reason: ContactsV1.DoNotDisturbReason) -> ContactsV1.CallResult {
    ContactsV1.CallResult(firstLevel: .doNotDisturb(.init(reason: reason)))
}

func visit(_ at: TypesV1.LocalDateTime?) -> ContactsV1.CallResult {
    ContactsV1.CallResult(firstLevel: .clientVisit(.init(at: at)))
}

func halva(_ delivery: ContactsV1.HalvaResult.Delivery) -> ContactsV1.CallResult {
    reached(.halva(.init(delivery: delivery)))
}

let agreedProducts = [ContactsV1.OfferedProduct(category: .credit, productID: "dk_realty_pledge")]

func agreed(_ change: (inout ContactsV1.Visit) -> Void) -> ContactsV1.CallResult {
    var visit = validVisit
    change(&visit)
    return reached(.agreed(.init(visit: visit, products: agreedProducts)))
}

let validMpp = ContactsV1.HalvaMppDelivery(officeID: "mpp-1", officeName: "МПП Москва", at: local(tomorrow, 13), employeesCovered: 40, address: "ул. Ленина, 1")
let validFc = ContactsV1.HalvaFcDelivery(officeID: "msk-do11", officeName: "ДО №11", at: local(tomorrow, 13), place: .cafe, address: "Кафе «Встреча»")
let validPickup = ContactsV1.HalvaSelfPickup(officeID: "msk-do11", officeName: "ДО №11", at: local(tomorrow, 13), bookingID: "booking-2")

@Suite("Result rules (DOMAIN.md §3)")
struct ResultRulesTests {
    @Test("each rule", arguments: ruleCases)
    func rule(_ row: RuleCase) {
        do {
            _ = try ResultRules.validate(row.result, row.context())
            #expect(row.code == nil, "accepted, but the rule should refuse with \(String(describing: row.code))")
        } catch {
            #expect(error.code == row.code, "\(error)")
            // Every refusal names its field (PROTOCOL.md, API.md): a row that refuses must say which.
            #expect(row.field != nil, "a refusing row names the field it expects")
            #expect(error.rpcError.fieldViolations.map(\.field) == row.field.map { [$0] })
        }
    }

    @Test("every first- and second-level result has a row")
    func coverage() {
        let kinds = Set(ruleCases.map { ResultRules.kind($0.result) })
        #expect(kinds.isSuperset(of: Set(ContactsV1.CallResultKind.allCases.dropFirst())))
    }

    @Test("Перезвонить with no date: the next day at the call's local time, in the client's region")
    func callbackNextDay() throws {
        var context = RuleCase(name: "", result: ContactsV1.CallResult()).context()
        context.clientUtcOffsetMinutes = 600  // Приморский край: 16:00 local at 09:00 Moscow
        let result = try ResultRules.validate(reached(.callback(.init(reason: .callDropped))), context)
        guard case .reached(let r) = result.firstLevel, case .callback(let callback) = r.result else { Issue.record("no callback"); return }
        #expect(callback.at == local(tomorrow, 16, offset: 600))
        #expect(callback.reason == .callDropped)
    }

    @Test("refused callback: +14 days, reason Просьба клиента, comment «клиент перезвонит сам»")
    func clientWillCallBack() throws {
        let context = RuleCase(name: "", result: ContactsV1.CallResult()).context()
        let result = try ResultRules.validate(reached(.callback(.init(clientWillCallBack: true)), comment: "занят"), context)
        guard case .reached(let r) = result.firstLevel, case .callback(let callback) = r.result else { Issue.record("no callback"); return }
        #expect(callback.at == local(tuesday.adding(days: 14), 9))
        #expect(callback.reason == .clientRequest)
        #expect(result.comment == "занят; клиент перезвонит сам")
        // Validating again (at save) does not add the comment twice.
        #expect(try ResultRules.validate(result, context).comment == "занят; клиент перезвонит сам")
    }

    @Test("Подумаю with no date: +14 days from the contact")
    func thinkingDefault() throws {
        let context = RuleCase(name: "", result: ContactsV1.CallResult()).context()
        let result = try ResultRules.validate(reached(.thinking(.init())), context)
        guard case .reached(let r) = result.firstLevel, case .thinking(let thinking) = r.result else { Issue.record("no thinking"); return }
        #expect(thinking.nextActionAt == local(tuesday.adding(days: 14), 9))
    }

    @Test("changing a chosen result needs confirm", arguments: [
        (ContactsV1.CallResultKind?.none, ContactsV1.CallResultKind.callback, false, false),
        (.callback, .callback, false, false),
        (.callback, .agreed, false, true),
        (.callback, .agreed, true, false),
    ])
    func confirmChange(previous: ContactsV1.CallResultKind?, new: ContactsV1.CallResultKind, confirmed: Bool, refused: Bool) {
        do {
            try ResultRules.checkChange(previous: previous, new: new, confirmed: confirmed)
            #expect(!refused)
        } catch {
            #expect(refused)
            #expect(error.code == .failedPrecondition)
            #expect(error.rpcError.message == "Вы хотите изменить ранее выбранный результат?")
        }
    }
}
