import ArgumentParser
import CRMAPI
import Foundation
import Gateway
import Wire

/// «Звонок»: an outgoing or incoming call on a card — campaign, script, result, save. Every
/// choice is a flag; what is missing is asked at a terminal and is an error in a script.
struct Call: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Звонок по карточке: кампания, скрипт, результат с причиной и полями, сохранение.",
        discussion: """
        Результаты (--result): not-reached, call-dropped, do-not-disturb, consultation, client-visit, callback, non-target,
        thinking, refused, agreed, changed-visit-date, halva (или их названия: «Не дозвонились», …).
        Согласился: --region, --settlement, --office-search, --office, --visit-date, --visit-time, --product (повторяемый),
        --sms/--no-sms, --sms-phone. Халва: --delivery mpp|fc|self-pickup и поля способа.
        Повтор той же команды после сбоя не запишет визит и не сохранит результат дважды.
        """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "ID CRM карточки (или --next для следующего клиента из списка кампании).")
    var cardID: Int64?

    @Flag(help: "Взять следующего клиента из списка обзвона кампании.")
    var next = false

    @Option(help: "Кампания: ключ или название.")
    var campaign: String?

    @Flag(help: "Входящий звонок (по умолчанию исходящий).")
    var incoming = false

    @Option(help: "Ответ в блоке скрипта (по порядку блоков; ключ, текст или номер). Повторяемый.")
    var answer: [String] = []

    @Option(help: "Отработанное возражение из копилки (ключ или текст). Повторяемый.")
    var objection: [String] = []

    @Option(help: "Результат звонка.")
    var result: String?

    @Option(help: "Причина результата (ключ или название).")
    var reason: String?

    @Option(help: "Дата (перезвонить, подумаю, выезд к клиенту, доставка Халвы): ДД.ММ.ГГГГ или +N.")
    var date: String?

    @Option(help: "Время ЧЧ:ММ к --date.")
    var time: String?

    @Flag(help: "Перезвонить: клиент отказался от звонка, но не от предложения (+14 дней, «клиент перезвонит сам»).")
    var clientWillCallBack = false

    @Option(help: "Комментарий к результату.")
    var comment: String = ""

    @Option(help: "Регион офиса: код или название (по умолчанию регион клиента).")
    var region: String?

    @Option(help: "Населённый пункт: ключ или название.")
    var settlement: String?

    @Option(help: "Поисковая строка офиса: метро, улица, ориентир.")
    var officeSearch: String?

    @Option(help: "Офис: ключ, название или номер в списке.")
    var office: String?

    @Option(help: "Дата визита: ДД.ММ.ГГГГ или +N.")
    var visitDate: String?

    @Option(help: "Время визита ЧЧ:ММ (свободный интервал календаря).")
    var visitTime: String?

    @Option(help: "Продукт: «категория:продукт» (например credit:«ДК под залог недвижимости») или ключ продукта. Повторяемый.")
    var product: [String] = []

    @Flag(inversion: .prefixedNo, help: "Отправить информационное SMS о визите (по умолчанию — по правилу визита).")
    var sms: Bool?

    @Option(help: "Номер для SMS о визите (по умолчанию мобильный из карточки).")
    var smsPhone: String?

    @Option(help: "Халва: способ доставки mpp, fc или self-pickup.")
    var delivery: String?

    @Option(help: "Доставка МПП: охват сотрудников на предприятии.")
    var employees: Int32?

    @Option(help: "Доставка МПП / ФК: адрес.")
    var address: String?

    @Option(help: "Доставка ФК: место (workplace, shopping-centre, cafe).")
    var place: String?

    @Flag(help: "Изменить результат, уже выбранный в незавершённом звонке по этой карточке и кампании (прежняя запись в офис отменяется).")
    var confirmChange = false

    @Flag(help: "«Выйти без сохранения результата»: звонок (и скрипт) без результата; ничего не записывается, клиент из списка возвращается.")
    var discard = false

    func validate() throws {
        if cardID == nil && !next { throw ValidationError("Укажите ID CRM карточки или --next") }
        if discard && result != nil { throw ValidationError("--discard и --result вместе не указываются") }
    }

    /// Opens the call, walks the script as told, and leaves without a result.
    func exitWithoutSaving(card: RegistryV1.Card, campaign: ContactsV1.Campaign, leaseID: String, auth: Authorized) async throws {
        let backend = RPCCallBackend(contacts: auth.contacts, scheduling: auth.scheduling)
        let session = try await backend.openSession(.init(
            cardID: card.cardID, campaignID: campaign.campaignID, direction: incoming ? .incoming : .outgoing,
            cardType: card.type, clientRegion: card.region, leaseID: leaseID
        ))
        let answers = ScriptAnswers(given: answer)
        let json = global.json
        func say(_ text: String) { if !json { print(text) } }
        if var block = session.currentBlock {
            while true {
                say("[\(block.title)] \(block.text)")
                guard let chosen = try await answers.next(for: block) else { break }
                say("  → \(chosen.label)")
                guard let next = try await backend.nextBlock(.init(sessionID: session.sessionID, blockID: block.blockID, answerID: chosen.answerID)) else { break }
                block = next
            }
        }
        try await backend.exitWithoutSaving(sessionID: session.sessionID)
        if json { return try Console.printJSON(CallDiscarded(sessionID: session.sessionID, cardID: card.cardID, campaignID: campaign.campaignID)) }
        print("Выход без сохранения результата: ничего не записано")
    }

    func run() async throws {
        let auth = try Authorized(global)
        let registry = RegistryV1.ClientRegistry.Client(wrapping: auth.registry.rpc)
        let campaigns = ContactsV1.Campaigns.Client(wrapping: auth.contacts.rpc)

        let all = try await auth.contacts.call { _ in try await campaigns.listCampaigns(.init()) }.campaigns
        let chosenCampaign = try Console.pick(campaign, all, what: "Кампания", flag: "--campaign", key: \.campaignID, label: \.name)

        var leaseID = ""
        var id = cardID ?? 0
        if next {
            let lists = ContactsV1.CallLists.Client(wrapping: auth.contacts.rpc)
            let answer = try await auth.contacts.call { _ in try await lists.nextClient(.init(campaignID: chosenCampaign.campaignID)) }
            guard let lease = answer.lease else {
                throw GatewayError(answer.nextDueUnixMs == 0
                    ? "В списке кампании «\(chosenCampaign.name)» никого нет"
                    : "Сейчас звонить некому: следующий клиент — \(CardView.dateTime(answer.nextDueUnixMs))")
            }
            leaseID = lease.leaseID
            id = lease.cardID
            if !global.json { print("Из списка кампании: карточка \(id), попытка \(lease.attempt)") }
        }
        let cardAnswer = try await auth.registry.call { _ in try await registry.getCard(.init(cardID: id)) }
        guard let card = cardAnswer.card else { throw GatewayError("Карточка \(id) не найдена") }
        if !global.json {
            print("Звонок: \(Labels.fullName(card.fullName)) (ID CRM \(card.cardID), \(Labels.cardType(card.type)), \(Labels.region(card.region)))")
        }

        if discard {
            return try await exitWithoutSaving(card: card, campaign: chosenCampaign, leaseID: leaseID, auth: auth)
        }
        if Console.isInteractive && !global.json {
            return try await runAtPrompts(card: card, campaign: chosenCampaign, leaseID: leaseID, auth: auth)
        }
        let kind = try Console.pick(result, ResultChoices.kinds, flag: "--result")
        let planResult = try await resolveResult(kind, card: card, campaign: chosenCampaign, auth: auth)
        let script = try await auth.contacts.call { _ in try await campaigns.getScript(.init(campaignID: chosenCampaign.campaignID)) }.script
        let objectionIDs = try objection.map { text in
            try Console.pick(text, script?.objections ?? [], what: "Возражение", flag: "--objection", key: \.objectionID, label: \.objection).objectionID
        }
        let plan = CallPlan(
            cardID: card.cardID, cardType: card.type, clientRegion: card.region, clientName: card.fullName,
            campaignID: chosenCampaign.campaignID, direction: incoming ? .incoming : .outgoing, leaseID: leaseID,
            objections: objectionIDs, result: planResult
        )
        let json = global.json
        let composer = CallComposer(
            backend: RPCCallBackend(contacts: auth.contacts, scheduling: auth.scheduling),
            pending: PendingCalls.beside(SessionStore.standard()), operatorLogin: auth.session.login,
            say: { if !json { print($0) } }
        )
        let answers = ScriptAnswers(given: answer)
        let confirmed = confirmChange
        let outcome: CallComposer.Outcome
        do {
            outcome = try await composer.perform(
                plan, walk: { block async throws(GatewayError) in try await answers.next(for: block) },
                confirmChange: { earlier in
                    confirmed || Console.confirm("В незавершённом звонке выбран результат «\(earlier)». Вы хотите изменить ранее выбранный результат?", default: false)
                }
            )
        } catch {
            guard error.reason == .discarded else { throw error }
            if json { return try Console.printJSON(CallDiscarded(sessionID: nil, cardID: card.cardID, campaignID: chosenCampaign.campaignID)) }
            print(error.message)
            return
        }
        if json {
            return try Console.printJSON(CallSummary(outcome))
        }
        await report(outcome, auth: auth)
    }

    func report(_ outcome: CallComposer.Outcome, auth: Authorized) async {
        print("Результат сохранён: \(ResultChoices.kindLabel(outcome.saved.kind)); \(ResultChoices.effectLabel(outcome.saved.callListEffect, returnAtMs: outcome.saved.returnAtUnixMs))")
        if let draft = outcome.draft { print(CallResultView.describe(draft)) }
        if let booking = outcome.booking {
            // The operator names a visit by office, date and time; the result is saved
            // already, so an office that cannot be read now only shortens the line.
            let offices = SchedulingV1.Offices.Client(wrapping: auth.scheduling.rpc)
            let office = try? await auth.scheduling.call { _ in try await offices.getOffice(.init(officeID: booking.officeID)) }.office
            print("Запись в офис: \(Labels.booking(officeName: office?.name ?? "", at: booking.at))")
        }
        if let sms = outcome.sms {
            print("SMS о визите на \(Labels.phone(sms.phone)): «\(sms.text)» — \(sms.scheduledForUnixMs > 0 ? "уйдёт \(CardView.dateTime(sms.scheduledForUnixMs))" : "отправляется")")
        } else if outcome.booking != nil {
            print("SMS о визите не отправляется")
        }
    }

    /// The result from the flags (and prompts), resolving offices, slots and products.
    func resolveResult(_ kind: ResultChoices.Kind, card: RegistryV1.Card, campaign: ContactsV1.Campaign, auth: Authorized) async throws -> CallPlan.Result {
        func reached(_ result: ContactsV1.ReachedResult.Result) -> CallPlan.Result {
            .plain(ContactsV1.CallResult(comment: comment, firstLevel: .reached(ContactsV1.ReachedResult(result: result))))
        }
        func first(_ level: ContactsV1.CallResult.FirstLevel) -> CallPlan.Result {
            .plain(ContactsV1.CallResult(comment: comment, firstLevel: level))
        }
        let offset = SchedulingDates.offsetMinutes(card.region)
        func at(required: Bool, dateFlag: String = "--date") throws -> TypesV1.LocalDateTime? {
            guard let text = try date ?? (required ? Console.ask("Дата (ДД.ММ.ГГГГ или +N)", flag: dateFlag) : nil) else { return nil }
            let day = try SchedulingDates.parseDate(text, flag: dateFlag)
            let clock = try time.map { try SchedulingDates.parseTime($0, flag: "--time") }
                ?? (required ? try SchedulingDates.parseTime(Console.ask("Время (ЧЧ:ММ)", flag: "--time"), flag: "--time") : nil)
            return TypesV1.LocalDateTime(date: day, time: clock, utcOffsetMinutes: offset)
        }
        // A reason the operator omitted is the service's rule to state, not ours: scripts
        // without --reason get the rule's refusal in the operator's words.
        func reasonOrAsk<T>(_ choices: Choices<T>) throws -> T? {
            if reason == nil && !Console.isInteractive { return nil }
            return try Console.pick(reason, choices, flag: "--reason")
        }
        switch kind {
        case .notReached:
            return first(.notReached(.init(reason: try reasonOrAsk(ResultChoices.notReached) ?? .unspecified)))
        case .callDropped:
            return first(.callDropped(.init()))
        case .doNotDisturb:
            return first(.doNotDisturb(.init(reason: try reasonOrAsk(ResultChoices.doNotDisturb) ?? .unspecified)))
        case .consultation:
            return first(.consultation(.init()))
        case .clientVisit:
            return first(.clientVisit(.init(at: try at(required: true))))
        case .callback:
            let reasonValue = clientWillCallBack ? ContactsV1.CallbackReason.clientRequest : try reasonOrAsk(ResultChoices.callback) ?? .unspecified
            return reached(.callback(.init(reason: reasonValue, at: try at(required: false), clientWillCallBack: clientWillCallBack)))
        case .nonTarget:
            return reached(.nonTarget(.init(reason: try reasonOrAsk(ResultChoices.nonTarget) ?? .unspecified)))
        case .thinking:
            return reached(.thinking(.init(nextActionAt: try at(required: false))))
        case .refused:
            let reasons = Choices<String>("Причина отказа", campaign.refusalReasons.map { ($0.reasonID, $0.label, $0.reasonID) })
            let chosen: String? = (reason == nil && !Console.isInteractive) ? nil : try Console.pick(reason, reasons, flag: "--reason")
            return reached(.refused(.init(refusalReasonID: chosen ?? "")))
        case .changedVisitDate:
            return reached(.changedVisitDate(.init()))
        case .agreed:
            let picker = VisitPicker(scheduling: auth.scheduling, quiet: global.json)
            let flags = visitFlags
            let (region, settlement, office) = try await picker.office(flags, card: card, kind: .office)
            let (day, start) = try await picker.slot(flags, office: office)
            let products = try await resolveProducts(auth)
            let visit = CallPlan.Visit(region: region, settlement: settlement.name, officeID: office.officeID, officeName: office.name, date: day, start: start)
            return .agreed(visit: visit, products: products, sms: try await resolveSms(office: office, date: day, card: card, auth: auth), comment: comment)
        case .halva:
            let way = try Console.pick(delivery, ResultChoices.delivery, flag: "--delivery")
            let picker = VisitPicker(scheduling: auth.scheduling, quiet: global.json)
            let flags = visitFlags
            switch way {
            case .selfPickup:
                let (region, settlement, office) = try await picker.office(flags, card: card, kind: .office)
                let (day, start) = try await picker.slot(flags, office: office)
                let visit = CallPlan.Visit(region: region, settlement: settlement.name, officeID: office.officeID, officeName: office.name, date: day, start: start)
                return .halvaSelfPickup(visit: visit, sms: try await resolveSms(office: office, date: day, card: card, auth: auth), comment: comment)
            case .mpp:
                let (region, _, office) = try await picker.office(flags, card: card, kind: .mpp)
                let when = try deliveryTime(region)
                let count = try employees ?? Int32(Console.ask("Охват сотрудников на предприятии", flag: "--employees")) ?? 0
                let where_ = try Console.value(address, "Адрес предприятия", flag: "--address")
                return reached(.halva(.init(delivery: .mpp(.init(officeID: office.officeID, officeName: office.name, at: when, employeesCovered: count, address: where_)))))
            case .fc:
                let (region, _, office) = try await picker.office(flags, card: card, kind: .office)
                let when = try deliveryTime(region)
                let placeValue = try Console.pick(place, ResultChoices.fcPlace, flag: "--place")
                let where_ = try Console.value(address, "Адрес встречи", flag: "--address")
                return reached(.halva(.init(delivery: .fc(.init(officeID: office.officeID, officeName: office.name, at: when, place: placeValue, address: where_)))))
            }
        }
    }

    var visitFlags: VisitPicker.Flags {
        VisitPicker.Flags(region: region, settlement: settlement, officeSearch: officeSearch, office: office, date: visitDate, time: visitTime)
    }

    func deliveryTime(_ region: TypesV1.RegionRef) throws -> TypesV1.LocalDateTime {
        let day = try SchedulingDates.parseDate(Console.value(visitDate ?? date, "Дата доставки (ДД.ММ.ГГГГ)", flag: "--visit-date"), flag: "--visit-date")
        let clock = try SchedulingDates.parseTime(Console.value(visitTime ?? time, "Время доставки (ЧЧ:ММ)", flag: "--visit-time"), flag: "--visit-time")
        return TypesV1.LocalDateTime(date: day, time: clock, utcOffsetMinutes: SchedulingDates.offsetMinutes(region))
    }

    /// «ПРЕДЛОЖИТЕ ПРОДУКТЫ»: category, then a product of it; at least one.
    func resolveProducts(_ auth: Authorized) async throws -> [ContactsV1.OfferedProduct] {
        let campaigns = ContactsV1.Campaigns.Client(wrapping: auth.contacts.rpc)
        let catalogue = try await auth.contacts.call { _ in try await campaigns.listOfferableProducts(.init()) }.products
        var given = product
        if given.isEmpty {
            guard Console.isInteractive else { throw GatewayError("Не хватает значения: укажите --product (предложенный продукт)") }
            let category = try Console.pick(nil, ResultChoices.category, flag: "--product")
            let ofCategory = catalogue.filter { $0.category == category }
            let chosen = try Console.pick(nil, ofCategory, what: "Продукт", flag: "--product", key: \.productID, label: \.name)
            given = [chosen.productID]
        }
        return try given.map { text in
            var candidates = catalogue
            var name = text
            if let colon = text.firstIndex(of: ":") {
                let category = try ResultChoices.category.pick(String(text[..<colon]), flag: "--product")
                candidates = catalogue.filter { $0.category == category }
                name = String(text[text.index(after: colon)...])
            }
            let found = try Console.pick(name, candidates, what: "Продукт", flag: "--product", key: \.productID, label: \.name)
            return ContactsV1.OfferedProduct(category: found.category, productID: found.productID, productName: found.name)
        }
    }

    /// «Отправить информационное SMS»: the visit rule's default unless the operator chose.
    func resolveSms(office: SchedulingV1.Office, date: TypesV1.Date, card: RegistryV1.Card, auth: Authorized) async throws -> CallPlan.VisitSms {
        let smsClient = SchedulingV1.Sms.Client(wrapping: auth.scheduling.rpc)
        let plan = try await auth.scheduling.call { _ in try await smsClient.planVisitSms(.init(officeID: office.officeID, visitDate: date)) }
        let mobile = card.contacts.first { $0.kind == .mobilePhone && !$0.struckOut }?.value ?? ""
        let phone = smsPhone ?? mobile
        let send = sms ?? (phone.isEmpty ? false : Console.confirm("Отправить информационное SMS «\(plan.text)»?", default: plan.sendByDefault))
        if plan.sendByDefault && !send && !phone.isEmpty {
            throw GatewayError("SMS о визите на следующий день отправляется всегда; снять отметку можно только у клиента без мобильного")
        }
        if send && phone.isEmpty {
            throw GatewayError("В карточке нет мобильного: укажите номер для SMS (--sms-phone)")
        }
        return CallPlan.VisitSms(send: send, phone: phone)
    }
}

/// Script answers from flags, in block order; at a terminal the rest are asked.
final class ScriptAnswers: @unchecked Sendable {
    private var given: [String]
    init(given: [String]) { self.given = given }

    func next(for block: ContactsV1.ScriptBlock) async throws(GatewayError) -> ContactsV1.ScriptAnswer? {
        guard !block.answers.isEmpty else { return nil }
        if !given.isEmpty {
            let text = given.removeFirst()
            do {
                return try Console.pick(text, block.answers, what: "Ответ (\(block.title))", flag: "--answer", key: \.answerID, label: \.label)
            } catch let error as GatewayError { throw error } catch { throw GatewayError("\(error)") }
        }
        guard Console.isInteractive else { return nil }
        let menu = block.answers.enumerated().map { "  \($0.offset + 1). \($0.element.label)" }.joined(separator: "\n")
        FileHandle.standardError.write(Data("\(menu)\n  0. Дальше без скрипта\n".utf8))
        guard let line = Console.answer(), let number = Int(line), number > 0, block.answers.indices.contains(number - 1) else { return nil }
        return block.answers[number - 1]
    }
}

/// What `crm call --json` prints when the call was left without a result.
struct CallDiscarded: Encodable {
    var outcome = "discarded"
    var sessionID: String?
    var cardID: Int64
    var campaignID: String
}

/// What `crm call --json` prints.
struct CallSummary: Encodable {
    var sessionID: String
    var entryID: String
    var kind: String
    var callListEffect: String
    var returnAtUnixMs: Int64
    var bookingID: String?
    var smsID: String?
    var resumed: Bool
    /// Replaced visits the service would not cancel: to cancel in the office.
    var uncancelledBookingIDs: [String]

    init(_ outcome: CallComposer.Outcome) {
        sessionID = outcome.sessionID
        entryID = outcome.saved.entryID
        kind = outcome.saved.kind.protoName
        callListEffect = outcome.saved.callListEffect.protoName
        returnAtUnixMs = outcome.saved.returnAtUnixMs
        bookingID = outcome.booking?.bookingID
        smsID = outcome.sms?.smsID
        resumed = outcome.resumed
        uncancelledBookingIDs = outcome.uncancelledBookings
    }
}
