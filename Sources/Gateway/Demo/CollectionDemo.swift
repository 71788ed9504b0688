import CRMAPI
import Foundation
import RPCCore
import Wire

/// The collector's day (DOMAIN.md §7): the work list, and an incoming call of every kind —
/// each client result, each third-party result (where nothing about the debt is shown),
/// back and cancel, and a contract without debt that identification does not find.
struct CollectionDemo {
    let run: DemoRun
    let endpoints: ServiceEndpoints
    let smsFile: URL

    static let clientContract = "Z600531987509"
    static let secondContract = "Z600531987511"

    func perform() async {
        var collector: Session?
        await run.step("Взыскание: вход СВВ и список задач (активные, новые; договор без долга не в списке)") {
            let session = try await OperatorLogin.login("collector.volkov", mobile: "9161234573", registry: endpoints.registry, smsFile: smsFile)
            collector = session
            let contacts = client(endpoints.contacts, session)
            let list = try await contacts.call { rpc in try await ContactsV1.Collection.Client(wrapping: rpc).getWorkList(.init(pageSize: 50)) }
            run.say(IncomingCallView.workList(list))
            run.expect(list.activeCount >= 1 && list.rows.contains { $0.contractNumber == Self.secondContract }, "нет задачи по \(Self.secondContract)")
            run.expect(!list.rows.contains { $0.contractNumber == "Z600531987510" }, "договор без долга в списке")
        }
        guard let collector else { return }
        let call = IncomingCall(registry: client(endpoints.registry, collector), contacts: client(endpoints.contacts, collector))
        let history = ContactsV1.ContactHistory.Client(wrapping: call.contacts.rpc)
        func historyCount(_ contract: String) async throws -> Int {
            try await call.contacts.call { _ in try await history.listContactHistory(.init(contractNumber: contract, pageSize: 200)) }.entries.count
        }

        /// Walks phone → identification (first match) → who called, printing each frame.
        func identified(_ phone: String, as caller: ContactsV1.Caller?, contract: String) async throws(GatewayError) -> ContactsV1.IncomingCallStep {
            var step = try await call.start()
            run.say("Принять звонок: \(step.processKey)")
            step = try await call.submit(step, .phoneEntry(.init(phone: phone)))
            run.say(IncomingCallView.render(step))
            let matches = try await call.identify(phone: phone)
            guard let match = matches.first(where: { $0.contractNumber == contract }) else {
                throw GatewayError("по номеру \(phone) не найден договор \(contract)")
            }
            run.say(IncomingCallView.matches(matches))
            step = try await call.submit(step, IncomingCall.identification(match, byPhone: true))
            run.say(IncomingCallView.render(step))
            guard let caller else { return step }
            step = try await call.submit(step, .whoCalled(.init(caller: caller)))
            run.say("→ \(CollectionChoices.caller.label(caller))")
            return step
        }

        func finish(_ step: ContactsV1.IncomingCallStep) async throws(GatewayError) -> ContactsV1.IncomingCallStep {
            run.say(IncomingCallView.render(step))
            let done = try await call.submit(step, .finish(.init()), finishKey: step.processKey + "-finish")
            run.say(IncomingCallView.render(done))
            return done
        }

        await run.step("Входящий звонок: «Вернуться назад» с фрейма 800 на 200, затем «Отмена» — ничего не записано") {
            let before = try await historyCount(Self.clientContract)
            var step = try await identified("8 937 288 80 99", as: nil, contract: Self.clientContract)
            run.expect(step.frame == .whoCalled, "ожидался фрейм 800")
            step = try await call.back(step)
            run.say("← Вернуться назад: " + IncomingCallView.render(step))
            run.expect(step.frame == .identification, "назад не на фрейм 200: \(step.frame.rawValue)")
            try await call.cancel(step)
            run.say("Отмена: звонок завершён без сохранения")
            run.expect(try await historyCount(Self.clientContract) == before, "отменённый звонок записан в историю")
        }

        await run.step("3-е лицо (номер сестры клиента): без комментария — отказ; каждый результат сохранён, о долге не сказано ни слова") {
            for outcome in [ContactsV1.ThirdPartyResult.infoWillBePassed, .refusedCommunication, .problemClient] {
                var printed: [String] = []
                var step = try await identified("+7 951-018-70-60", as: .thirdParty, contract: Self.clientContract)
                printed.append(IncomingCallView.render(step))
                run.say(printed.last!)
                if outcome == .infoWillBePassed {
                    let blank = await run.expectRefusal("3-е лицо без комментария") {
                        try await call.submit(step, .thirdParty(.init(result: outcome, comment: "  ")))
                    }
                    run.expect(blank?.message.contains("Комментарий") == true, "отказ не о комментарии")
                }
                step = try await call.submit(step, .thirdParty(.init(result: outcome, comment: "Сестра клиента, обещала передать")))
                printed.append(IncomingCallView.render(step))
                let done = try await finish(step)
                printed.append(IncomingCallView.render(done))
                let text = printed.joined(separator: "\n")
                run.expect(!text.contains("₽") && !text.contains(Self.clientContract) && !text.contains("Смирнов") && !text.contains("Задолженность"),
                           "в разговоре с 3-м лицом показано о долге: \(text)")
                run.expect(done.finished, "\(CollectionChoices.thirdPartyResult.label(outcome)): не сохранено")
            }
        }

        await run.step("Клиент: «Готов платить» через 3 дня — договор вне списка задач до даты платежа") {
            var step = try await identified("9372888099", as: .client, contract: Self.clientContract)
            run.say(IncomingCallView.render(step))
            if let loan = try await call.loan(for: step) {
                run.say("Займ: \(loan.general?.productName ?? "—"), задолженность \(Labels.money(kopecks: loan.general?.debtKopecks ?? 0))")
            }
            step = try await call.submit(step, .clientResult(.init(result: .readyToPay)))
            run.say(IncomingCallView.render(step))
            let promised = SchedulingDates.day(after: 3, offsetMinutes: 240)
            step = try await call.submit(step, .readyToPay(.init(paymentDate: promised, paymentTime: .init(hour: 18, minute: 0))))
            let done = try await finish(step)
            guard case .clientFinish(let view)? = done.view else { return run.fail("нет итога разговора с клиентом") }
            run.expect(view.hiddenUntil == promised, "скрыт до \(Labels.date(view.hiddenUntil)), ожидалось \(Labels.date(promised))")
        }

        await run.step("Клиент: «Требуется перезвонить позднее» через 10 дней — из списка не дольше чем на 7 дней") {
            var step = try await identified("9372888099", as: .client, contract: Self.clientContract)
            step = try await call.submit(step, .clientResult(.init(result: .callBack)))
            run.say(IncomingCallView.render(step))
            step = try await call.submit(step, .callBack(.init(callbackDate: SchedulingDates.day(after: 10, offsetMinutes: 240))))
            let done = try await finish(step)
            guard case .clientFinish(let view)? = done.view else { return run.fail("нет итога разговора с клиентом") }
            run.expect(view.hiddenUntil == SchedulingDates.day(after: 7, offsetMinutes: 240), "скрыт до \(Labels.date(view.hiddenUntil))")
        }

        await run.step("Клиент: «Рефинансирование задолженности» — запущен подпроцесс «Рефинансирование по телефону»") {
            var step = try await identified("9372888099", as: .client, contract: Self.clientContract)
            step = try await call.submit(step, .clientResult(.init(result: .refinancing)))
            run.say(IncomingCallView.render(step))
            guard case .refinancing(let view)? = step.view, !view.refinancingProcessKey.isEmpty else { return run.fail("подпроцесс не запущен") }
            step = try await call.submit(step, .refinancing(.init()))
            let done = try await finish(step)
            run.expect(done.finished, "не сохранено")
        }

        await run.step("Клиент: «Отказ в выполнении оплаты», причина «Отказ клиента» — вне списка не меньше 4 дней") {
            var step = try await identified("9372888099", as: .client, contract: Self.clientContract)
            step = try await call.submit(step, .clientResult(.init(result: .refusal)))
            let missing = await run.expectRefusal("отказ без причины") { try await call.submit(step, .refusal(.init())) }
            run.expect(missing?.code == .invalidArgument, "код \(String(describing: missing?.code))")
            step = try await call.submit(step, .refusal(.init(reason: .clientRefusal)))
            let done = try await finish(step)
            guard case .clientFinish(let view)? = done.view, let hidden = view.hiddenUntil else { return run.fail("договор не скрыт") }
            run.expect((SchedulingDates.days(from: SchedulingDates.today(offsetMinutes: 240), to: hidden) ?? 0) >= 4, "скрыт до \(Labels.date(hidden)) — меньше 4 дней")
        }

        await run.step("Клиент по второму договору: «Отказ», причина «Банкротство» — кампания по договору завершена, задачи больше нет") {
            var step = try await identified("9122345678", as: .client, contract: Self.secondContract)
            step = try await call.submit(step, .clientResult(.init(result: .refusal)))
            step = try await call.submit(step, .refusal(.init(reason: .bankruptcy)))
            let done = try await finish(step)
            guard case .clientFinish(let view)? = done.view else { return run.fail("нет итога") }
            run.expect(view.campaignEnded, "кампания не завершена")
            let list = try await call.contacts.call { rpc in try await ContactsV1.Collection.Client(wrapping: rpc).getWorkList(.init(pageSize: 50)) }
            run.say(IncomingCallView.workList(list))
            run.expect(!list.rows.contains { $0.contractNumber == Self.secondContract }, "договор остался в списке")
        }

        await run.step("Договор без задолженности не находится ни по номеру, ни по ФИО") {
            let byPhone = try await call.identify(phone: "9031112233")
            let byName = try await call.identify(name: .init(surname: "Орлов", name: "Игорь", patronymic: "Павлович"), withoutPatronymic: false, birthDate: nil)
            run.say("По номеру +7 (903) 111-22-33: \(byPhone.count) договоров; по ФИО Орлов Игорь Павлович: \(byName.count)")
            run.expect(byPhone.isEmpty && byName.isEmpty, "найден договор без долга")
        }

        await run.step("История коммуникаций по договору \(Self.clientContract)") {
            let entries = try await call.contacts.call { _ in try await history.listContactHistory(.init(contractNumber: Self.clientContract, pageSize: 20)) }.entries
            run.say(HistoryView.entries(entries))
            run.expect(entries.count >= 7, "в истории \(entries.count) записей, ожидалось не меньше 7")
        }
    }

    func client(_ endpoint: ServiceEndpoints.Endpoint, _ session: Session) -> ServiceClient {
        var metadata = Metadata()
        metadata.bearerToken = session.token
        return endpoint.client(metadata: metadata)
    }
}
