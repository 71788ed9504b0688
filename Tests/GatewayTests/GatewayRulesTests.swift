import Foundation
import CRMAPI
@testable import Gateway
import Testing
import Wire

@Suite struct ChoicesTests {
    @Test(arguments: [("no-answer", ContactsV1.NotReachedReason.noAnswer), ("Не отвечает", .noAnswer), ("не отвечает", .noAnswer),
                      ("2", .noAnswer), ("Факс/Модем", .faxModem)])
    func aReasonIsPickedByKeyLabelOrNumber(text: String, expected: ContactsV1.NotReachedReason) throws {
        #expect(try ResultChoices.notReached.pick(text, flag: "--reason") == expected)
    }

    @Test func anUnknownChoiceNamesTheFlagAndTheOptions() {
        let error = #expect(throws: GatewayError.self) { try ResultChoices.kinds.pick("перезвоню", flag: "--result") }
        #expect(error?.message.contains("--result") == true)
        #expect(error?.message.contains("callback («Перезвонить»)") == true)
    }

    @Test func everyResultKindOfTheManualHasAChoice() {
        #expect(ResultChoices.kinds.options.map(\.label) == [
            "Не дозвонились", "Звонок сорвался", "Не беспокоить", "Консультация", "Выезд к клиенту", "Перезвонить",
            "Нецелевой", "Подумаю", "Отказался (НЕТ)", "Согласился (ДА)", "Изменил дату прихода", "Халва",
        ])
        #expect(CollectionChoices.clientResult.options.count == 4 && CollectionChoices.thirdPartyResult.options.count == 3)
    }
}

@Suite struct CallPlanTests {
    static let visit = CallPlan.Visit(
        region: .init(code: "77", name: "Москва", moscowOffsetHours: 0), settlement: "г. Москва", officeID: "msk-mini160",
        officeName: "Мини-офис №160", date: .init(year: 2027, month: 3, day: 2), start: .init(hour: 10, minute: 0)
    )

    @Test func anAgreedResultCarriesTheBookingItWasSavedWith() {
        let result = CallPlan.Result.agreed(
            visit: Self.visit, products: [.init(category: .credit, productID: "p", productName: "ДК")], sms: .init(send: true, phone: "9161234567"), comment: "c"
        )
        guard case .reached(let reached)? = result.wire(bookingID: "b-1").firstLevel, case .agreed(let agreed)? = reached.result else {
            Issue.record("not an agreed result")
            return
        }
        #expect(agreed.visit?.bookingID == "b-1" && agreed.visit?.at?.utcOffsetMinutes == 180 && agreed.products.count == 1)
    }

    @Test func theSameChoicesHaveTheSameFingerprintAndAnyChangeAnother() {
        func plan(_ comment: String, card: Int64 = 6) -> CallPlan {
            CallPlan(cardID: card, cardType: .client, clientRegion: nil, clientName: nil, campaignID: "rcp", direction: .outgoing,
                     result: .agreed(visit: Self.visit, products: [], sms: .init(send: true, phone: "9161234567"), comment: comment))
        }
        #expect(plan("a").fingerprint(operator: "x") == plan("a").fingerprint(operator: "x"))
        #expect(plan("a").fingerprint(operator: "x") != plan("b").fingerprint(operator: "x"))
        #expect(plan("a").fingerprint(operator: "x") != plan("a", card: 7).fingerprint(operator: "x"))
        #expect(plan("a").fingerprint(operator: "x") != plan("a").fingerprint(operator: "y"))
    }

    @Test func unfinishedCallsAreKeptReadableByTheirOwnerOnly() throws {
        let path = NSTemporaryDirectory() + "crm-pending-\(UUID().uuidString)/pending-calls.json"
        let pending = PendingCalls(path: path)
        try pending.put("f", .init(key: "k", sessionID: "s", bookingID: nil))
        #expect(pending.entry("f")?.sessionID == "s")
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        pending.remove("f")
        #expect(pending.entry("f") == nil)
    }
}

@Suite struct IncomingCallViewTests {
    /// 230-ФЗ: the third-party frames print nothing about the debtor or the debt.
    @Test func thirdPartyFramesShowNothingOfTheDebt() {
        let frames = [
            ContactsV1.IncomingCallStep(processKey: "ВЗ-1", frame: .thirdParty, canGoBack: true, finished: false, view: .thirdParty(.init())),
            ContactsV1.IncomingCallStep(processKey: "ВЗ-1", frame: .finish, canGoBack: false, finished: true,
                                        view: .thirdPartyFinish(.init(result: .problemClient))),
        ]
        for step in frames {
            let text = IncomingCallView.render(step)
            #expect(!text.contains("₽") && !text.contains("Z6") && !text.contains("Задолженность"))
        }
        let client = IncomingCallView.render(.init(
            processKey: "ВЗ-1", frame: .client, canGoBack: true, finished: false,
            view: .client(.init(contractNumber: "Z600531987509", borrower: .init(surname: "Смирнов", name: "Алексей"), debtKopecks: 100_00, overdueKopecks: 50_00, overdueDays: 3))
        ))
        #expect(client.contains("Задолженность: 100,00\u{00A0}₽"), "money keeps its sign on the amount's line (a no-break space)")
    }
}

import RPCCore

@Suite struct GatewayErrorTests {
    static let contacts = ServiceEndpoints.Endpoint(service: "contacts", host: "10.0.0.5", port: 7102)

    /// Whether a failed call may have been carried out decides between cancelling a booking
    /// and asking for a retry with the same key.
    @Test func onlyALostAnswerLeavesTheOutcomeUnknown() {
        #expect(!GatewayError(RPCError(code: .unavailable, message: "Cannot connect to the server at 10.0.0.5:7102: refused", reason: .notSent), endpoint: Self.contacts).outcomeUnknown)
        #expect(GatewayError(RPCError(code: .unavailable, message: "The connection to 10.0.0.5:7102 was lost before the answer came"), endpoint: Self.contacts).outcomeUnknown)
        #expect(GatewayError(RPCError(code: .deadlineExceeded, message: "deadline"), endpoint: Self.contacts).outcomeUnknown)
        #expect(!GatewayError(RPCError(code: .invalidArgument, message: "Для результата \"Не дозвонились\" нужно указать причину"), endpoint: Self.contacts).outcomeUnknown)
    }

    @Test func failuresReadAsOperatorWords() {
        let down = GatewayError(RPCError(code: .unavailable, message: "Cannot connect to the server at 10.0.0.5:7102: refused", reason: .notSent), endpoint: Self.contacts)
        #expect(down.message == "Сервис contacts (10.0.0.5:7102) недоступен: не удаётся подключиться")
        let stale = GatewayError(RPCError(code: .aborted, message: "Карточку изменил другой сотрудник, обновите её"), endpoint: Self.contacts)
        #expect(stale.message.hasPrefix("Карточку изменил другой сотрудник") && stale.message.contains("crm card"))
        let rule = GatewayError(RPCError(code: .invalidArgument, message: "Для результата \"Не дозвонились\" нужно указать причину"), endpoint: Self.contacts)
        #expect(rule.message == "Для результата \"Не дозвонились\" нужно указать причину")
    }
}

@Suite struct NulTextTests {
    @Test func aFieldWithNulIsNamedInTheOperatorsWords() {
        let refused = RPCError(wire: WireError(message: WireError.nulMessage, field: "full_name.surname"))
        let endpoint = ServiceEndpoints.Endpoint(service: "registry", host: "127.0.0.1", port: 1)
        #expect(GatewayError(refused, endpoint: endpoint).message == "Поле full_name.surname: недопустимый символ NUL (U+0000) — уберите его из текста")
        #expect(GatewayError(WireError(message: WireError.nulMessage, field: "comment")).message
            == "Поле comment: недопустимый символ NUL (U+0000) — уберите его из текста")
    }
}
