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
}
