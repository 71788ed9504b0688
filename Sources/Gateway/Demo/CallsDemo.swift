import CRMAPI
import Foundation
import RPCCore
import Wire

/// The call results of DOMAIN.md §3, each as the operator saves it, the rule refusals in
/// the operator's words, a visit booked with its SMS, and the contact history they leave.
struct CallsDemo {
    let run: DemoRun
    let endpoints: ServiceEndpoints
    let session: Session
    let smsFile: URL

    struct Card {
        var id: Int64
        var type: TypesV1.CardType
        var region: TypesV1.RegionRef?
        var name: TypesV1.FullName?
    }

    func perform() async {
        var metadata = Metadata()
        metadata.bearerToken = session.token
        let registry = endpoints.registry.client(metadata: metadata)
        let contacts = endpoints.contacts.client(metadata: metadata)
        let scheduling = endpoints.scheduling.client(metadata: metadata)
        let pending = PendingCalls(path: smsFile.deletingLastPathComponent().appendingPathComponent("pending-calls.json").path)

        func card(_ id: Int64, _ registry: ServiceClient) async throws -> Card {
            let client = RegistryV1.ClientRegistry.Client(wrapping: registry.rpc)
            let card = try await registry.call { _ in try await client.getCard(.init(cardID: id)) }.card
            return Card(id: id, type: card?.type ?? .unspecified, region: card?.region, name: card?.fullName)
        }
        func composer(_ session: Session, contacts: ServiceClient, scheduling: ServiceClient) -> CallComposer {
            CallComposer(
                backend: RPCCallBackend(contacts: contacts, scheduling: scheduling), pending: pending,
                operatorLogin: session.login, say: { run.say($0) }
            )
        }
        let vcc = composer(session, contacts: contacts, scheduling: scheduling)
        func plan(_ card: Card, _ campaign: String, _ result: CallPlan.Result, objections: [String] = []) -> CallPlan {
            CallPlan(cardID: card.id, cardType: card.type, clientRegion: card.region, clientName: card.name,
                     campaignID: campaign, direction: .outgoing, objections: objections, result: result)
        }
        func plain(_ level: ContactsV1.CallResult.FirstLevel, comment: String = "") -> CallPlan.Result {
            .plain(ContactsV1.CallResult(comment: comment, firstLevel: level))
        }
        func reached(_ result: ContactsV1.ReachedResult.Result, comment: String = "") -> CallPlan.Result {
            plain(.reached(ContactsV1.ReachedResult(result: result)), comment: comment)
        }
        func saved(_ outcome: CallComposer.Outcome) {
            run.say("Сохранено: \(ResultChoices.kindLabel(outcome.saved.kind)) — \(CallResultView.describe(outcome.draft ?? .init()))")
            run.say("Списки обзвона: \(ResultChoices.effectLabel(outcome.saved.callListEffect, returnAtMs: outcome.saved.returnAtUnixMs))")
        }
        func refusal(_ what: String, _ plan: CallPlan, using: CallComposer? = nil, contains words: String) async {
            let error = await run.expectRefusal(what) { try await (using ?? vcc).perform(plan) }
            run.expect(error?.message.contains(words) == true, "\(what): ожидались слова «\(words)», получено «\(error?.message ?? "")»")
        }

        let internet: Card, client: Card, interested: Card, approval: Card
        do {
            internet = try await card(2, registry)
            client = try await card(1, registry)
            interested = try await card(3, registry)
            approval = try await card(6, registry)
        } catch {
            return run.fail("карточки для звонков не прочитаны: \(error)")
        }

        await run.step("Не дозвонились: без причины — отказ по правилу; с причиной «Не отвечает» — повторный звонок по кампании") {
            await refusal("Не дозвонились без причины", plan(internet, "internet_calls", plain(.notReached(.init()))),
                          contains: "Для результата \"Не дозвонились\" нужно указать причину")
            let outcome = try await vcc.perform(plan(internet, "internet_calls", plain(.notReached(.init(reason: .noAnswer)))))
            saved(outcome)
            run.expect(outcome.saved.kind == .notReached && outcome.saved.callListEffect == .retryAt, "эффект \(outcome.saved.callListEffect)")
        }

        await run.step("Звонок сорвался: клиент вернётся в список через задержку кампании") {
            let outcome = try await vcc.perform(plan(internet, "internet_calls", plain(.callDropped(.init()))))
            saved(outcome)
            run.expect(outcome.saved.kind == .callDropped && outcome.saved.callListEffect == .retryAt, "эффект \(outcome.saved.callListEffect)")
        }

        await run.step("Перезвонить без даты — на следующий день; «клиент перезвонит сам» — через 14 дней") {
            let tomorrow = try await vcc.perform(plan(internet, "internet_calls", reached(.callback(.init(reason: .clientRequest)))))
            saved(tomorrow)
            let later = try await vcc.perform(plan(internet, "internet_calls", reached(.callback(.init(clientWillCallBack: true)))))
            saved(later)
            guard case .reached(let first)? = tomorrow.draft?.firstLevel, case .callback(let callback)? = first.result,
                  case .reached(let second)? = later.draft?.firstLevel, case .callback(let selfCall)? = second.result else {
                return run.fail("нет даты перезвона в сохранённом результате")
            }
            let offset = Int(SchedulingDates.offsetMinutes(internet.region))
            run.expect(callback.at?.date == SchedulingDates.day(after: 1, offsetMinutes: offset), "перезвон не на следующий день: \(SchedulingDates.localDateTime(callback.at))")
            run.expect(selfCall.at?.date == SchedulingDates.day(after: 14, offsetMinutes: offset) && later.draft?.comment.contains("клиент перезвонит сам") == true,
                       "не +14 дней / нет комментария")
        }

        await run.step("Подумаю без даты — следующее действие через 14 дней") {
            let outcome = try await vcc.perform(plan(internet, "internet_calls", reached(.thinking(.init()))))
            saved(outcome)
            run.expect(outcome.saved.kind == .thinking && outcome.saved.callListEffect == .returnsAt, "эффект \(outcome.saved.callListEffect)")
        }

        await run.step("Клиент передумал: смена выбранного результата требует подтверждения «Вы хотите изменить ранее выбранный результат?»") {
            let backend = RPCCallBackend(contacts: contacts, scheduling: scheduling)
            let call = try await backend.openSession(.init(cardID: internet.id, campaignID: "internet_calls", direction: .incoming,
                                                           cardType: internet.type, clientRegion: internet.region))
            let thinking = ContactsV1.CallResult(firstLevel: .reached(.init(result: .thinking(.init()))))
            let callback = ContactsV1.CallResult(firstLevel: .reached(.init(result: .callback(.init(reason: .clientRequest)))))
            _ = try await backend.setDraft(.init(sessionID: call.sessionID, result: thinking))
            run.say("Выбрано: Подумаю")
            let unconfirmed = await run.expectRefusal("смена без подтверждения") {
                try await backend.setDraft(.init(sessionID: call.sessionID, result: callback))
            }
            run.expect(unconfirmed?.message.contains("Вы хотите изменить ранее выбранный результат?") == true, "нет вопроса о смене")
            _ = try await backend.setDraft(.init(sessionID: call.sessionID, result: callback, confirmChange: true))
            let saved = try await backend.save(.init(sessionID: call.sessionID), key: "demo-changed-mind")
            run.say("Подтверждено; сохранено: \(ResultChoices.kindLabel(saved.kind))")
            run.expect(saved.kind == .callback, "сохранён \(saved.kind)")
        }

        await run.step("Нецелевой, причина «возраст»; «клиент-вкладчик» вне кампании «Оценка заемщика» — отказ") {
            await refusal("клиент-вкладчик в чужой кампании", plan(interested, "announcement_marking", reached(.nonTarget(.init(reason: .depositor)))),
                          contains: "Оценка заемщика")
            let outcome = try await vcc.perform(plan(interested, "announcement_marking", reached(.nonTarget(.init(reason: .age)))))
            saved(outcome)
            run.expect(outcome.saved.kind == .nonTarget, "результат \(outcome.saved.kind)")
        }

        await run.step("Отказался (НЕТ): без двух попыток работы с возражениями — отказ; после двух — сохранён") {
            await refusal("Отказался без возражений", plan(interested, "announcement_marking", reached(.refused(.init(refusalReasonID: "high_rate")))),
                          contains: "2 попытки работы с возражениями")
            let outcome = try await vcc.perform(plan(
                interested, "announcement_marking", reached(.refused(.init(refusalReasonID: "high_rate"))), objections: ["expensive", "think"]
            ))
            saved(outcome)
            run.expect(outcome.saved.kind == .refused, "результат \(outcome.saved.kind)")
        }

        await run.step("Консультация до продажи — отказ: нужна «Согласился» за последние 14 дней") {
            await refusal("Консультация без продажи", plan(approval, "rcp", plain(.consultation(.init()))), contains: "14 дней")
        }

        let kazan = TypesV1.RegionRef(code: "16", name: "Республика Татарстан", moscowOffsetHours: 0)
        let visitDay = SchedulingDates.day(after: 3)
        let visit = CallPlan.Visit(region: kazan, settlement: "г. Казань", officeID: "kzn-mini203", officeName: "Мини-офис №203",
                                   date: visitDay, start: TypesV1.TimeOfDay(hour: 12, minute: 0))
        let offices = SchedulingV1.Offices.Client(wrapping: scheduling.rpc)
        func bookingsOfCard6() async throws -> Int {
            let calendar = try await scheduling.call { _ in try await offices.getOfficeCalendar(.init(officeID: visit.officeID, date: visitDay)) }
            return calendar.slots.first { $0.start == visit.start }?.bookings.filter { $0.cardID == 6 }.count ?? 0
        }

        await run.step("Согласился (ДА): офис в Казани, визит через 3 дня, продукт; сбой SMS — повтор команды не записывает второй раз") {
            let plan = plan(approval, "rcp", .agreed(
                visit: visit,
                products: [ContactsV1.OfferedProduct(category: .credit, productID: "dk_realty_pledge", productName: "ДК под залог недвижимости")],
                sms: CallPlan.VisitSms(send: true, phone: "9172345678"), comment: "Клиент придёт с паспортом"
            ))
            // The SMS step fails once (scheduling unreachable for it): the outcome and the booking stay.
            let broken = CallComposer(
                backend: SmsUnreachable(base: RPCCallBackend(contacts: contacts, scheduling: scheduling)),
                pending: pending, operatorLogin: session.login, say: { run.say($0) }
            )
            let failure = await run.expectRefusal("SMS при недоступном сервисе") { try await broken.perform(plan) }
            run.expect(failure?.message.contains("Результат звонка сохранён") == true, "нет объяснения: \(failure?.message ?? "")")
            let outcome = try await vcc.perform(plan)
            saved(outcome)
            if let sms = outcome.sms {
                run.say("SMS о визите: «\(sms.text)» на \(Labels.phone(sms.phone)), уйдёт \(sms.scheduledForUnixMs > 0 ? CardView.dateTime(sms.scheduledForUnixMs) : "сразу")")
            }
            let booked = try await bookingsOfCard6()
            run.say("Календарь \(visit.officeName) \(Labels.date(visitDay)) 12:00: записей клиента — \(booked)")
            run.expect(outcome.resumed && outcome.saved.kind == .agreed, "повтор не продолжил прежний звонок")
            run.expect(booked == 1, "записей клиента \(booked), ожидалась одна")
            run.expect(outcome.sms?.scheduledForUnixMs ?? 0 > 0, "SMS о визите не запланировано на день до визита")
        }

        await run.step("Консультация после продажи — сохранена") {
            let outcome = try await vcc.perform(plan(approval, "rcp", plain(.consultation(.init()))))
            saved(outcome)
            run.expect(outcome.saved.kind == .consultation, "результат \(outcome.saved.kind)")
        }

        await run.step("Изменил дату прихода: специалисту VCC — отказ; менеджеру DS_Sales — сохранено") {
            await refusal("Изменил дату прихода от VCC", plan(approval, "rcp", reached(.changedVisitDate(.init()))), contains: "Изменил дату прихода")
            let sales = try await OperatorLogin.login("sales.petrov", mobile: "9161234568", registry: endpoints.registry, smsFile: smsFile)
            var salesMetadata = Metadata()
            salesMetadata.bearerToken = sales.token
            let salesComposer = composer(sales, contacts: endpoints.contacts.client(metadata: salesMetadata), scheduling: endpoints.scheduling.client(metadata: salesMetadata))
            let outcome = try await salesComposer.perform(plan(approval, "rcp", reached(.changedVisitDate(.init()))))
            saved(outcome)
            run.expect(outcome.saved.kind == .changedVisitDate, "результат \(outcome.saved.kind)")
        }

        await run.step("Выезд к клиенту: специалисту VCC — отказ; сотруднику МСБ — на дату и время") {
            let at = TypesV1.LocalDateTime(date: SchedulingDates.day(after: 2), time: .init(hour: 15, minute: 0), utcOffsetMinutes: 180)
            await refusal("Выезд к клиенту от VCC", plan(interested, "rcp", plain(.clientVisit(.init(at: at)))), contains: "МСБ")
            let smb = try await OperatorLogin.login("smb.sidorov", mobile: "9161234569", registry: endpoints.registry, smsFile: smsFile)
            var smbMetadata = Metadata()
            smbMetadata.bearerToken = smb.token
            let smbComposer = composer(smb, contacts: endpoints.contacts.client(metadata: smbMetadata), scheduling: endpoints.scheduling.client(metadata: smbMetadata))
            let outcome = try await smbComposer.perform(plan(interested, "rcp", plain(.clientVisit(.init(at: at)))))
            saved(outcome)
            run.expect(outcome.saved.kind == .clientVisit, "результат \(outcome.saved.kind)")
        }

        await run.step("Халва: вне кампании Халвы — отказ; Доставка МПП, Доставка ФК и Самовывоз с записью в офис") {
            let moscow = TypesV1.RegionRef(code: "77", name: "Москва", moscowOffsetHours: 0)
            let when = TypesV1.LocalDateTime(date: SchedulingDates.day(after: 4), time: .init(hour: 11, minute: 0), utcOffsetMinutes: 180)
            let mpp = ContactsV1.HalvaResult(delivery: .mpp(.init(officeID: "msk-mpp", officeName: "МПП Москва", at: when, employeesCovered: 40, address: "ул. Бахрушина, д. 32, стр. 1, завод «Рассвет»")))
            await refusal("Халва в кампании РЦП", plan(client, "rcp", reached(.halva(mpp))), contains: "Халв")
            saved(try await vcc.perform(plan(client, "rcg_halva_activation", reached(.halva(mpp)))))
            let fc = ContactsV1.HalvaResult(delivery: .fc(.init(officeID: "msk-tverskoy", officeName: "ККО «Тверской» филиала «Центральный»", at: when, place: .cafe, address: "Тверская, д. 18, кафе «Пушкин»")))
            saved(try await vcc.perform(plan(client, "rcg_halva_activation", reached(.halva(fc)))))
            let pickupVisit = CallPlan.Visit(region: moscow, settlement: "г. Москва", officeID: "msk-mini160", officeName: "Мини-офис №160",
                                             date: SchedulingDates.day(after: 4), start: .init(hour: 14, minute: 0))
            let pickup = try await vcc.perform(plan(client, "rcg_halva_activation", .halvaSelfPickup(visit: pickupVisit, sms: .init(send: true, phone: "9372888099"), comment: "")))
            saved(pickup)
            run.expect(pickup.booking != nil && pickup.saved.kind == .halva, "самовывоз без записи в офис")
        }

        await run.step("Не беспокоить: «Бизнес не ведется» не для VCC — отказ; «Отказ от разговора» — больше не звонить ни по одной кампании") {
            await refusal("Бизнес не ведется от VCC", plan(interested, "announcement_marking", plain(.doNotDisturb(.init(reason: .noBusiness)))), contains: "МСБ")
            let outcome = try await vcc.perform(plan(interested, "announcement_marking", plain(.doNotDisturb(.init(reason: .refusedToTalk)))))
            saved(outcome)
            run.expect(outcome.saved.callListEffect == .offAllCampaigns, "эффект \(outcome.saved.callListEffect)")
        }

        await run.step("История последних контактов и SMS клиента (вкладки 3 и 2)") {
            let history = ContactsV1.ContactHistory.Client(wrapping: contacts.rpc)
            let entries = try await contacts.call { _ in try await history.listContactHistory(.init(cardID: approval.id, pageSize: 20)) }.entries
            run.say("История последних контактов, ID CRM \(approval.id)\n" + HistoryView.entries(entries))
            let sms = SchedulingV1.Sms.Client(wrapping: scheduling.rpc)
            let messages = try await scheduling.call { _ in try await sms.listClientSms(.init(cardID: approval.id, pageSize: 20)) }.messages
            run.say("SMS клиента\n" + HistoryView.sms(messages))
            let kinds = Set(entries.compactMap { entry -> ContactsV1.CallResultKind? in
                if case .call(let call)? = entry.details { return call.kind }
                return nil
            })
            run.expect(kinds.isSuperset(of: [.agreed, .consultation, .changedVisitDate]), "в истории нет всех звонков: \(kinds)")
            run.expect(messages.contains { $0.bookingID != "" && $0.scheduledForUnixMs > 0 }, "нет запланированного SMS о визите")
        }
    }
}

/// Scheduling unreachable for the visit SMS only, for the demo's failure-and-retry step.
struct SmsUnreachable: CallBackend {
    let base: any CallBackend

    func openSession(_ request: ContactsV1.OpenCallSessionRequest) async throws(GatewayError) -> ContactsV1.CallSession { try await base.openSession(request) }
    func nextBlock(_ request: ContactsV1.NextScriptBlockRequest) async throws(GatewayError) -> ContactsV1.ScriptBlock? { try await base.nextBlock(request) }
    func recordObjection(_ request: ContactsV1.RecordObjectionHandlingRequest) async throws(GatewayError) -> Int32 { try await base.recordObjection(request) }
    func setDraft(_ request: ContactsV1.SetDraftResultRequest) async throws(GatewayError) -> ContactsV1.SetDraftResultResponse { try await base.setDraft(request) }
    func save(_ request: ContactsV1.SaveCallResultRequest, key: String) async throws(GatewayError) -> ContactsV1.SaveCallResultResponse { try await base.save(request, key: key) }
    func exitWithoutSaving(sessionID: String) async throws(GatewayError) { try await base.exitWithoutSaving(sessionID: sessionID) }
    func book(_ request: SchedulingV1.BookVisitRequest, key: String) async throws(GatewayError) -> SchedulingV1.Booking { try await base.book(request, key: key) }
    func cancelBooking(_ bookingID: String, reason: String) async throws(GatewayError) { try await base.cancelBooking(bookingID, reason: reason) }
    func scheduleVisitSms(_ request: SchedulingV1.ScheduleVisitSmsRequest, key: String) async throws(GatewayError) -> SchedulingV1.SmsMessage? {
        let dead = ServiceEndpoints.Endpoint(service: "scheduling", host: "127.0.0.1", port: 1).client()
        return try await RPCCallBackend(contacts: dead, scheduling: dead).scheduleVisitSms(request, key: key)
    }
}
