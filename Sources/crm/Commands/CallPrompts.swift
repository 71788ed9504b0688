import CRMAPI
import Foundation
import Gateway
import Wire

/// «Звонок» at the prompts, in the manual's order: the card's header and the campaign's
/// dynamic script (the operator's name filled in, the копилка возражений where the script
/// sends to it), «Дозвонились до клиента?», the second level, then each result's fields and
/// a comment. Every answer is checked where it is typed; «назад» returns to the question
/// before and «отмена» (confirmed) leaves with nothing written. Nothing is sent to a
/// service until the operator saves, so an abandoned call leaves nothing behind.
struct CallPrompts {
    let command: Call
    let card: RegistryV1.Card
    let campaign: ContactsV1.Campaign
    let script: ContactsV1.Script?
    let auth: Authorized
    let role: TypesV1.OperatorRole
    let say: (String) -> Void

    /// What has been answered so far; «назад» restores an earlier copy.
    struct State {
        var scriptAnswers: [ContactsV1.ScriptAnswer] = []
        var givenAnswers: [String] = []
        var objections: [String] = []
        var kind: ResultChoices.Kind?
        var result: CallPlan.Result?
        var comment = ""
        // Pieces of a result being composed.
        var notReached = ContactsV1.NotReachedReason.unspecified
        var doNotDisturb = ContactsV1.DoNotDisturbReason.unspecified
        var callbackReason = ContactsV1.CallbackReason.unspecified
        var nonTarget = ContactsV1.NonTargetReason.unspecified
        var refusalReason = ""
        var day: TypesV1.Date?
        var time: TypesV1.TimeOfDay?
        var office: PickedOffice?
        var products: [ContactsV1.OfferedProduct] = []
        var sms = CallPlan.VisitSms(send: false, phone: "")
        var delivery: ResultChoices.Delivery?
        var employees: Int32 = 0
        var address = ""
        var place = ContactsV1.FcDeliveryPlace.unspecified
        var save = true
    }

    struct PickedOffice {
        var region: TypesV1.RegionRef
        var settlement: SchedulingV1.Settlement
        var office: SchedulingV1.Office
    }

    typealias Step = Flow<State>.Step

    var offset: Int32 { SchedulingDates.offsetMinutes(card.region) }
    var offices: SchedulingV1.Offices.Client { .init(wrapping: auth.scheduling.rpc) }

    /// The operator's role from the session, for offering only the results it may use.
    static func role(of session: Session) -> TypesV1.OperatorRole {
        let roles: [TypesV1.OperatorRole] = [.vcc, .sales, .smb, .office, .activeControl, .fc, .collector, .administrator]
        return roles.first { Labels.role($0) == session.role } ?? .unspecified
    }

    /// The operator's first name for «Меня зовут <имя>»: the session holds «Фамилия Имя Отчество».
    static func operatorFirstName(_ fullName: String) -> String {
        let words = fullName.split(separator: " ")
        return words.count >= 2 ? String(words[1]) : fullName
    }

    /// Runs the prompts; nil when the operator chose «Выйти без сохранения».
    func run(_ state: inout State, from first: Step? = nil) async throws -> State? {
        var flow = Flow(state: state)
        try await flow.run(from: first ?? scriptStart())
        state = flow.state
        return flow.state.save ? flow.state : nil
    }

    // MARK: the script

    func scriptStart() -> Step {
        Step { state in
            state.givenAnswers = command.answer
            guard let script, let block = script.blocks.first(where: { $0.blockID == script.firstBlockID }) else {
                return firstLevel()
            }
            say("\(script.scriptName)")
            return scriptBlock(block)
        }
    }

    func scriptBlock(_ block: ContactsV1.ScriptBlock) -> Step {
        Step { state in
            let name = Self.operatorFirstName(auth.session.fullName)
            say("[\(block.title)] \(block.text.replacingOccurrences(of: "<имя>", with: name))")
            // «Работа с возражениями» opens the копилка: two distinct attempts before the answer.
            if block.blockID == "objections" && state.objections.count < 2 {
                return objection(then: blockAnswer(block))
            }
            return blockAnswer(block)
        }
    }

    static let leaveScript = ContactsV1.ScriptAnswer(answerID: "", label: "Дальше без скрипта", nextBlockID: "")

    func blockAnswer(_ block: ContactsV1.ScriptBlock) -> Step {
        Step { state in
            guard !block.answers.isEmpty else { return firstLevel() }
            let answer: ContactsV1.ScriptAnswer
            if !state.givenAnswers.isEmpty {
                answer = try Console.pick(state.givenAnswers.removeFirst(), block.answers, what: "Ответ (\(block.title))", flag: "--answer", key: \.answerID, label: \.label)
            } else {
                answer = try Console.choose("Ответ клиента", block.answers + [Self.leaveScript], flag: "--answer", label: \.label, key: \.answerID)
            }
            guard !answer.answerID.isEmpty else { return firstLevel() }
            state.scriptAnswers.append(answer)
            guard let next = script?.blocks.first(where: { $0.blockID == answer.nextBlockID }) else { return firstLevel() }
            return scriptBlock(next)
        }
    }

    /// One attempt from the копилка возражений: an objection not yet handled in this call,
    /// and its answer to read to the client.
    func objection(then next: Step) -> Step {
        Step { state in
            let bank = (script?.objections ?? []).filter { !state.objections.contains($0.objectionID) }
            guard !bank.isEmpty else { return next }
            let chosen = try Console.choose(
                "Копилка возражений (попытка \(state.objections.count + 1) из 2)", bank, flag: "--objection", label: \.objection, key: \.objectionID
            )
            say("  Ответ: \(chosen.answer)")
            state.objections.append(chosen.objectionID)
            return state.objections.count < 2 ? objection(then: next) : next
        }
    }

    // MARK: the result, level by level

    enum FirstLevel: Equatable { case kind(ResultChoices.Kind), reached }

    /// `askAlways`: asked even when --result was given (the result is being changed).
    func firstLevel(askAlways: Bool = false) -> Step {
        Step { state in
            var options: [(String, FirstLevel)] = [
                ("Не дозвонились", .kind(.notReached)), ("Звонок сорвался", .kind(.callDropped)), ("Дозвонились", .reached),
                ("Не беспокоить", .kind(.doNotDisturb)), ("Консультация", .kind(.consultation)),
            ]
            if role == .smb { options.append(("Выезд к клиенту", .kind(.clientVisit))) }
            let choice: FirstLevel
            if let given = command.result, !askAlways {
                choice = .kind(try ResultChoices.kinds.pick(given, flag: "--result"))
            } else {
                choice = try Console.choose("Дозвонились до клиента?", options, flag: "--result", label: { $0.0 }).1
            }
            switch choice {
            case .reached: return secondLevel()
            case .kind(let kind):
                state.kind = kind
                return fields(kind)
            }
        }
    }

    func secondLevel() -> Step {
        Step { state in
            var options: [(String, ResultChoices.Kind)] = [
                ("Перезвонить", .callback), ("Нецелевой", .nonTarget), ("Подумаю", .thinking),
                ("Отказался (НЕТ)", .refused), ("Согласился (ДА)", .agreed),
            ]
            if role != .vcc { options.append(("Изменил дату прихода", .changedVisitDate)) }
            if campaign.halva { options.append(("Халва", .halva)) }
            let kind = try Console.choose("Результат разговора", options, flag: "--result", label: { $0.0 }).1
            state.kind = kind
            return fields(kind)
        }
    }

    /// The fields `kind` carries, then the comment.
    func fields(_ kind: ResultChoices.Kind) -> Step {
        switch kind {
        case .notReached:
            return Step { state in
                state.notReached = try reason(ResultChoices.notReached)
                return comment { .plain(ContactsV1.CallResult(comment: $0.comment, firstLevel: .notReached(.init(reason: $0.notReached)))) }
            }
        case .callDropped:
            return comment { .plain(ContactsV1.CallResult(comment: $0.comment, firstLevel: .callDropped(.init()))) }
        case .doNotDisturb:
            return Step { state in
                let allowed = ResultChoices.doNotDisturb.filter { reason in
                    switch reason {
                    case .didNotApply: card.type == .internetApplicant
                    case .noBusiness: role == .smb
                    case .negativeInfo: role == .activeControl
                    default: true
                    }
                }
                state.doNotDisturb = try self.reason(allowed)
                return comment { .plain(ContactsV1.CallResult(comment: $0.comment, firstLevel: .doNotDisturb(.init(reason: $0.doNotDisturb)))) }
            }
        case .consultation:
            return comment { .plain(ContactsV1.CallResult(comment: $0.comment, firstLevel: .consultation(.init()))) }
        case .clientVisit:
            return dateStep("Дата выезда", defaultDays: nil, then: timeStep("Время выезда", daytimeOnly: false, then: comment {
                .plain(ContactsV1.CallResult(comment: $0.comment, firstLevel: .clientVisit(.init(at: at($0)))))
            }))
        case .callback:
            return Step { state in
                if command.reason == nil {
                    // The manual's fourth case: the client refuses a callback but not the offer
                    // (the service sets +14 days, «Просьба клиента», «клиент перезвонит сам»).
                    let options = ResultChoices.callback.options.map { ($0.label, Optional($0.value)) }
                        + [("Клиент перезвонит сам (отказ от звонка, не от предложения)", nil)]
                    guard let chosen = try Console.choose("Причина", options, flag: "--reason", label: { $0.0 }).1 else {
                        return comment { reached($0, .callback(.init(reason: .clientRequest, clientWillCallBack: true))) }
                    }
                    state.callbackReason = chosen
                } else {
                    state.callbackReason = try reason(ResultChoices.callback)
                }
                return dateStep("Дата перезвона", defaultDays: 1, then: timeStep("Время перезвона (местное время клиента)", daytimeOnly: true, then: comment {
                    reached($0, .callback(.init(reason: $0.callbackReason, at: at($0), clientWillCallBack: false)))
                }))
            }
        case .nonTarget:
            return Step { state in
                let allowed = ResultChoices.nonTarget.filter { reason in
                    switch reason {
                    case .didNotApply: card.type == .internetApplicant
                    case .depositor: campaign.borrowerAssessment && role == .fc
                    default: true
                    }
                }
                state.nonTarget = try self.reason(allowed)
                return comment { reached($0, .nonTarget(.init(reason: $0.nonTarget))) }
            }
        case .thinking:
            return dateStep("Дата следующего действия («Подумаю»)", defaultDays: 14, then: optionalTimeStep(then: comment {
                reached($0, .thinking(.init(nextActionAt: at($0))))
            }))
        case .refused:
            let reasonStep = Step { state in
                let reasons = campaign.refusalReasons
                state.refusalReason = try Console.choose("Причина отказа", reasons, flag: "--reason", label: \.label, key: \.reasonID).reasonID
                return comment { reached($0, .refused(.init(refusalReasonID: $0.refusalReason))) }
            }
            return Step { state in
                guard state.objections.count < 2 else { return reasonStep }
                say("Перед отказом — работа с возражениями: 2 попытки из копилки (сделано \(state.objections.count))")
                return objection(then: reasonStep)
            }
        case .changedVisitDate:
            return comment { reached($0, .changedVisitDate(.init())) }
        case .agreed:
            return officeStep(kind: .office, then: slotStep(then: productsStep(then: smsStep(then: comment { state in
                .agreed(visit: visit(state), products: state.products, sms: state.sms, comment: state.comment)
            }))))
        case .halva:
            return Step { state in
                let way = try Console.choose("Способ доставки", ResultChoices.delivery.options, flag: "--delivery", label: \.label, key: \.key).value
                state.delivery = way
                switch way {
                case .selfPickup:
                    return officeStep(kind: .office, then: slotStep(then: smsStep(then: comment { state in
                        .halvaSelfPickup(visit: visit(state), sms: state.sms, comment: state.comment)
                    })))
                case .mpp:
                    return officeStep(kind: .mpp, then: halvaDelivery())
                case .fc:
                    return officeStep(kind: .office, then: halvaDelivery())
                }
            }
        }
    }

    /// МПП or ФК (the way may have turned to ФК where the city has no МПП): date, time,
    /// then the employees and address (МПП) or the place and address (ФК).
    func halvaDelivery() -> Step {
        let finish = comment { state in
            guard let picked = state.office else { return .plain(.init()) }
            let when = TypesV1.LocalDateTime(date: state.day, time: state.time, utcOffsetMinutes: SchedulingDates.offsetMinutes(picked.region))
            let delivery: ContactsV1.HalvaResult.Delivery = state.delivery == .mpp
                ? .mpp(.init(officeID: picked.office.officeID, officeName: picked.office.name, at: when, employeesCovered: state.employees, address: state.address))
                : .fc(.init(officeID: picked.office.officeID, officeName: picked.office.name, at: when, place: state.place, address: state.address))
            return reached(state, .halva(.init(delivery: delivery)))
        }
        let address = Step { state in
            state.address = try Console.ask(state.delivery == .mpp ? "Адрес предприятия" : "Адрес встречи", flag: "--address")
            return finish
        }
        let details = Step { state in
            if state.delivery == .mpp {
                state.employees = try Console.question("Охват сотрудников на предприятии", flag: "--employees") {
                    try PromptChecks.count($0, in: 1...100_000, what: "Охват сотрудников")
                }
            } else {
                state.place = try Console.choose("Место встречи", ResultChoices.fcPlace.options, flag: "--place", label: \.label, key: \.key).value
            }
            return address
        }
        return dateStep("Дата доставки", defaultDays: nil, then: timeStep("Время доставки", daytimeOnly: true, then: details))
    }

    // MARK: fields

    func reason<T>(_ choices: Choices<T>) throws -> T {
        if let given = command.reason { return try choices.pick(given, flag: "--reason") }
        return try Console.choose("Причина", choices.options, flag: "--reason", label: \.label, key: \.key).value
    }

    func reached(_ state: State, _ result: ContactsV1.ReachedResult.Result) -> CallPlan.Result {
        .plain(ContactsV1.CallResult(comment: state.comment, firstLevel: .reached(ContactsV1.ReachedResult(result: result))))
    }

    func at(_ state: State) -> TypesV1.LocalDateTime? {
        state.day.map { TypesV1.LocalDateTime(date: $0, time: state.time, utcOffsetMinutes: offset) }
    }

    func visit(_ state: State) -> CallPlan.Visit {
        let picked = state.office!
        return CallPlan.Visit(
            region: picked.region, settlement: picked.settlement.name, officeID: picked.office.officeID, officeName: picked.office.name,
            date: state.day ?? .init(), start: state.time ?? .init()
        )
    }

    /// A date from the client's today on; `defaultDays` ahead is what Enter means.
    func dateStep(_ question: String, defaultDays: Int?, then next: Step) -> Step {
        Step { state in
            let shown = defaultDays.map { Labels.date(SchedulingDates.day(after: $0, offsetMinutes: Int(offset))) }
            state.day = try Console.question("\(question), ДД.ММ.ГГГГ или +N", default: shown, flag: "--date") {
                try PromptChecks.dateFromToday($0, utcOffsetMinutes: offset, what: question)
            }
            return next
        }
    }

    func timeStep(_ question: String, daytimeOnly: Bool, then next: Step) -> Step {
        Step { state in
            let day = state.day ?? SchedulingDates.today(offsetMinutes: Int(offset))
            let shown = daytimeOnly ? SchedulingDates.time(PromptChecks.defaultCallbackTime(on: day, utcOffsetMinutes: offset)) : nil
            say("  у клиента сейчас \(PromptChecks.localNow(utcOffsetMinutes: offset))")
            state.time = try Console.question("\(question), ЧЧ:ММ", default: shown, flag: "--time") {
                try PromptChecks.timeAhead($0, on: day, utcOffsetMinutes: offset, daytimeOnly: daytimeOnly, what: question)
            }
            return next
        }
    }

    func optionalTimeStep(then next: Step) -> Step {
        Step { state in
            let day = state.day ?? SchedulingDates.today(offsetMinutes: Int(offset))
            state.time = try Console.optional("Время, ЧЧ:ММ", hint: "Enter — без времени", flag: "--time") {
                try PromptChecks.timeAhead($0, on: day, utcOffsetMinutes: offset, daytimeOnly: false)
            }
            return next
        }
    }

    /// The comment every result may carry, then the last look before saving.
    func comment(_ compose: @escaping (State) -> CallPlan.Result) -> Step {
        Step { state in
            state.comment = try Console.optional("Комментарий", hint: "Enter — без комментария", flag: "--comment") { $0 } ?? ""
            state.result = compose(state)
            return confirmSave()
        }
    }

    enum Ending { case save, change, leave }

    /// «Сохранить результат звонка», «Изменить результат» (the client changed their mind:
    /// confirmed, then the result's questions again) or «Выйти без сохранения результата».
    func confirmSave() -> Step {
        Step { state in
            guard let result = state.result else { return nil }
            say("Результат: \(result.label)")
            let choices: [(String, Ending)] = [
                ("Сохранить результат звонка", .save), ("Изменить результат", .change), ("Выйти без сохранения результата", .leave),
            ]
            switch try Console.choose("Что дальше", choices, flag: "--result", default: "1", label: { $0.0 }).1 {
            case .save:
                state.save = true
                return nil
            case .leave:
                state.save = false
                return nil
            case .change:
                guard Console.confirm("Вы хотите изменить ранее выбранный результат?", default: false) else { return confirmSave() }
                state.result = nil
                return firstLevel(askAlways: true)
            }
        }
    }

    // MARK: office, calendar, products, SMS

    /// Region → settlement → office, narrowed by a search string. A region or settlement
    /// with nothing to offer is said so and asked again; МПП where the city has none turns
    /// to ФК, as the manual says.
    func officeStep(kind: SchedulingV1.OfficeKind, then next: Step) -> Step {
        let regionStep = Step { state in
            let regions = try await auth.scheduling.call { _ in try await offices.listRegions(.init()) }.regions
            let home = regions.firstIndex { $0.code == card.region?.code }.map { "\($0 + 1)" }
            let region = try Console.choose("Регион", regions, flag: "--region", default: home, label: \.name, key: \.code)
            state.office = nil
            return settlementStep(region, kind: kind, then: next)
        }
        return regionStep
    }

    func settlementStep(_ region: TypesV1.RegionRef, kind: SchedulingV1.OfficeKind, then next: Step) -> Step {
        Step { state in
            let settlements = try await auth.scheduling.call { _ in try await offices.listSettlements(.init(regionCode: region.code)) }.settlements
            guard !settlements.isEmpty else {
                say("В регионе «\(region.name)» нет офисов: выберите другой регион")
                throw Console.backRequested
            }
            let home = settlements.firstIndex { $0.name == card.settlement || $0.name.hasSuffix(" " + card.settlement) }.map { "\($0 + 1)" }
            let settlement = settlements.count == 1 ? settlements[0]
                : try Console.choose("Населённый пункт (\(region.name))", settlements, flag: "--settlement", default: home, label: \.name, key: \.settlementID)
            var kind = kind
            if kind == .mpp {
                let mpp = try await search(region, settlement, query: "", kind: .mpp)
                if mpp.isEmpty {
                    say("В «\(settlement.name)» нет офиса МПП: доставку выполнит финансовый консультант (Доставка ФК)")
                    state.delivery = .fc
                    kind = .office
                }
            }
            return searchStep(region, settlement, kind: kind, then: next)
        }
    }

    func search(_ region: TypesV1.RegionRef, _ settlement: SchedulingV1.Settlement, query: String, kind: SchedulingV1.OfficeKind) async throws -> [SchedulingV1.Office] {
        try await auth.scheduling.call { _ in
            try await offices.searchOffices(.init(regionCode: region.code, settlementID: settlement.settlementID, query: query, kind: kind, pageSize: 20))
        }.offices
    }

    func searchStep(_ region: TypesV1.RegionRef, _ settlement: SchedulingV1.Settlement, kind: SchedulingV1.OfficeKind, then next: Step) -> Step {
        Step { state in
            while true {
                let query = try Console.optional("Поисковая строка (метро, улица, ориентир)", hint: "Enter — все офисы", flag: "--office-search") { $0 } ?? ""
                let found = try await search(region, settlement, query: query, kind: kind)
                guard !found.isEmpty else {
                    say("В «\(settlement.name)» нет офисов\(query.isEmpty ? "" : " по запросу «\(query)»"): измените поисковую строку")
                    continue
                }
                return officeChoice(found, region, settlement, then: next)
            }
        }
    }

    func officeChoice(_ found: [SchedulingV1.Office], _ region: TypesV1.RegionRef, _ settlement: SchedulingV1.Settlement, then next: Step) -> Step {
        Step { state in
            say(TextTable(
                headers: ["№", "ОФИС", "АДРЕС", "ЧАСЫ РАБОТЫ", "МЕТРО"], keep: [0],
                rows: found.enumerated().map { ["\($0.offset + 1)", $0.element.name, $0.element.address, $0.element.hoursText, $0.element.metroStations.joined(separator: ", ")] }
            ).render())
            let office = found.count == 1 ? found[0] : try Console.choose("Офис", found, flag: "--office", label: \.name, key: \.officeID)
            state.office = PickedOffice(region: region, settlement: settlement, office: office)
            return next
        }
    }

    /// The office's calendar on a date with free places, then a time; a full slot is said
    /// to be full.
    func slotStep(then next: Step) -> Step {
        Step { state in
            guard let picked = state.office else { return next }
            let officeOffset = SchedulingDates.offsetMinutes(picked.region)
            state.day = try Console.question("Дата визита, ДД.ММ.ГГГГ или +N", flag: "--visit-date") {
                try PromptChecks.dateFromToday($0, utcOffsetMinutes: officeOffset, what: "Дата визита")
            }
            return visitTime(then: next)
        }
    }

    /// The calendar of the date chosen; a date with no free place sends back to the date.
    func visitTime(then next: Step) -> Step {
        Step { state in
            guard let picked = state.office, let day = state.day else { return next }
            let calendar = try await auth.scheduling.call { _ in
                try await offices.getOfficeCalendar(.init(officeID: picked.office.officeID, date: day))
            }
            let open = calendar.slots.filter { !$0.past && $0.freePlaces > 0 }
            guard !open.isEmpty else {
                say(calendar.slots.isEmpty ? "\(picked.office.name) \(Labels.date(day)) не работает: выберите другую дату"
                    : "На \(Labels.date(day)) свободных мест нет: выберите другую дату")
                throw Console.backRequested
            }
            say("Календарь \(picked.office.name) на \(Labels.date(day)):")
            say(CalendarView.slots(calendar.slots))
            let freeList = open.map { SchedulingDates.time($0.start) }.joined(separator: ", ")
            let slot = try Console.question("Время визита, ЧЧ:ММ", default: SchedulingDates.time(open[0].start), flag: "--visit-time") { text in
                let time = try SchedulingDates.parseTime(text, flag: "Время визита")
                guard let slot = calendar.slots.first(where: { $0.start == time }) else {
                    throw GatewayError("Время визита: в \(SchedulingDates.time(time)) приёма нет; свободно: \(freeList)")
                }
                if slot.past { throw GatewayError("Время визита: \(SchedulingDates.time(time)) уже прошло; свободно: \(freeList)") }
                if slot.freePlaces <= 0 { throw GatewayError("Время визита: \(SchedulingDates.time(time)) занято (мест нет); свободно: \(freeList)") }
                return slot
            }
            state.time = slot.start
            return next
        }
    }

    /// «ПРЕДЛОЖИТЕ ПРОДУКТЫ»: category, then a product of it; at least one, as many as offered.
    func productsStep(then next: Step) -> Step {
        Step { state in
            let campaigns = ContactsV1.Campaigns.Client(wrapping: auth.contacts.rpc)
            let catalogue = try await auth.contacts.call { _ in try await campaigns.listOfferableProducts(.init()) }.products
            state.products = []
            return productCategory(catalogue, then: next)
        }
    }

    func productCategory(_ catalogue: [ContactsV1.OfferableProduct], then next: Step) -> Step {
        Step { state in
            let chosen = state.products.map(\.productID)
            let categories = ResultChoices.category.options.filter { option in
                catalogue.contains { $0.category == option.value && !chosen.contains($0.productID) }
            }
            guard !categories.isEmpty else { return next }
            let category = try Console.choose("Категория продукта", categories, flag: "--product", label: \.label, key: \.key).value
            return Step { state in
                let left = catalogue.filter { $0.category == category && !state.products.map(\.productID).contains($0.productID) }
                let product = try Console.choose("Продукт", left, flag: "--product", label: \.name, key: \.productID)
                state.products.append(.init(category: product.category, productID: product.productID, productName: product.name))
                say("  Предложено: " + state.products.map(\.productName).joined(separator: ", "))
                return Step { _ in
                    try Console.yesNo("Добавить ещё продукт?", default: false, flag: "--product") ? productCategory(catalogue, then: next) : next
                }
            }
        }
    }

    /// «Отправить информационное SMS»: the visit rule's default; the number is the card's
    /// mobile or the one the client dictates, confirmed before it is used.
    func smsStep(then next: Step) -> Step {
        Step { state in
            guard let picked = state.office, let day = state.day else { return next }
            let smsClient = SchedulingV1.Sms.Client(wrapping: auth.scheduling.rpc)
            let plan = try await auth.scheduling.call { _ in try await smsClient.planVisitSms(.init(officeID: picked.office.officeID, visitDate: day)) }
            let mobile = card.contacts.first { $0.kind == .mobilePhone && !$0.struckOut }?.value ?? ""
            say("Информационное SMS: «\(plan.text)»" + (plan.sendAtUnixMs > 0 ? ", уйдёт \(CardView.dateTime(plan.sendAtUnixMs))" : ""))
            if plan.sendByDefault && !mobile.isEmpty {
                say("  (визит не сегодня: SMS отправляется всегда)")
                return smsPhone(mobile, then: next)
            }
            return Step { state in
                guard try Console.yesNo("Отправить информационное SMS?", default: plan.sendByDefault, flag: "--sms") else {
                    state.sms = CallPlan.VisitSms(send: false, phone: mobile)
                    return next
                }
                return smsPhone(mobile, then: next)
            }
        }
    }

    /// The number: the card's mobile (Enter) or the one the client dictates, which is read
    /// back and confirmed before it is used.
    func smsPhone(_ mobile: String, then next: Step) -> Step {
        Step { state in
            let phone = try Console.question(
                "Номер для SMS (Enter — мобильный из карточки, или номер, который диктует клиент)",
                default: mobile.isEmpty ? nil : Labels.phone(mobile), flag: "--sms-phone"
            ) { try PromptChecks.phone($0) }
            state.sms = CallPlan.VisitSms(send: true, phone: phone)
            guard phone != mobile else { return next }
            return Step { _ in
                try Console.yesNo("Отправить SMS на \(Labels.phone(phone))?", default: true, flag: "--sms-phone") ? next : smsPhone(mobile, then: next)
            }
        }
    }
}
