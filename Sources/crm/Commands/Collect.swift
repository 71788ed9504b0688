import ArgumentParser
import CRMAPI
import Foundation
import Gateway
import RPCCore
import Wire

/// The collector (ВИВА-ЗАЙМЫ): the work list and the incoming-call process.
struct Collect: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Взыскание: список задач и входящий звонок должника или 3-го лица.",
        subcommands: [WorkList.self, Incoming.self, Outgoing.self],
        defaultSubcommand: WorkList.self
    )

    struct WorkList: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "Список задач: активных и новых, строки по приоритету.")

        @OptionGroup var global: GlobalOptions

        @Flag(help: "Только новые задачи.")
        var newOnly = false

        @Option(help: "Только этот договор.")
        var contract: String?

        @Flag(name: .customLong("held-back"), help: "Показать и задачи, отложенные по 230-ФЗ: когда у должника откроется время звонка (звонить до этого нельзя).")
        var heldBack = false

        func run() async throws {
            let auth = try Authorized(global)
            let collection = ContactsV1.Collection.Client(wrapping: auth.contacts.rpc)
            let list = try await auth.contacts.call { _ in
                try await collection.getWorkList(.init(newOnly: newOnly, contractNumber: contract ?? "", pageSize: 100, includeHeldBack: true))
            }
            if global.json { return try Console.printJSON(list) }
            print(IncomingCallView.workList(list))
            if let summary = IncomingCallView.heldBackSummary(list, listed: heldBack) { print(summary) }
            if heldBack && list.heldBackCount > 0 {
                print(IncomingCallView.heldBack(list, nowMs: Int64(Date().timeIntervalSince1970 * 1000)))
            }
        }
    }

    struct Outgoing: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Исходящий звонок или встреча с должником по договору: проверка 230-ФЗ по его местному времени, запись в историю коммуникаций."
        )
        @OptionGroup var global: GlobalOptions

        @Argument(help: "Номер договора.")
        var contract: String

        @Option(help: "Номер, по которому звоните.")
        var phone: String?

        @Flag(help: "Личная встреча вместо звонка.")
        var meeting = false

        @Flag(help: "Только проверить, можно ли сейчас: ничего не записывается.")
        var check = false

        func run() async throws {
            let auth = try Authorized(global)
            let collection = ContactsV1.Collection.Client(wrapping: auth.contacts.rpc)
            let number = meeting ? "" : try phone ?? Console.question("Номер телефона", flag: "--phone") { try PromptChecks.phone($0) }
            let answer = try await auth.contacts.call { _ in
                try await collection.recordContactAttempt(.init(contractNumber: contract, channel: meeting ? .meeting : .call, phone: number, dryRun: check))
            }
            if global.json {
                try Console.printJSON(answer)
                // A refused check is the same failure with --json as without it.
                if check && !answer.allowed { throw ExitCode(1) }
                return
            }
            let counts = answer.counts.map { "звонков сегодня \($0.callsToday), за неделю \($0.callsThisWeek), за месяц \($0.callsThisMonth); встреч за неделю \($0.meetingsThisWeek)" } ?? ""
            if check {
                let nowMs = Int64(Date().timeIntervalSince1970 * 1000)
                print("У должника сейчас \(IncomingCallView.localMoment(nowMs, offsetMinutes: answer.debtorUtcOffsetMinutes))")
                print(answer.allowed ? "Сейчас можно (\(counts))" : "Сейчас нельзя: \(Self.rule(answer.refusedBy)) (\(counts))")
                if !answer.allowed {
                    print(answer.nextAllowedUnixMs == 0 ? "Звонить нельзя, пока действует запрет"
                        : "Следующий разрешённый момент: \(IncomingCallView.localMoment(answer.nextAllowedUnixMs, offsetMinutes: answer.debtorUtcOffsetMinutes)) у должника, \(CardView.dateTime(answer.nextAllowedUnixMs)) по Москве")
                    throw ExitCode(1)
                }
            } else {
                print("\(meeting ? "Встреча" : "Звонок") записан в историю коммуникаций договора \(contract): \(counts)")
            }
        }

        static func rule(_ limit: ContactsV1.ContactLimit) -> String {
            switch limit {
            case .localHours: "230-ФЗ: рабочие дни 08:00–22:00, выходные и праздники 09:00–20:00 по местному времени должника"
            case .callsPerDay: "230-ФЗ: не более 1 звонка в сутки"
            case .callsPerWeek: "230-ФЗ: не более 2 звонков в неделю"
            case .callsPerMonth: "230-ФЗ: не более 8 звонков в месяц"
            case .meetingsPerWeek: "230-ФЗ: не более 1 встречи в неделю"
            case .contactBan: "230-ФЗ: непосредственное взаимодействие запрещено (банкротство, недееспособность, стационар, инвалидность I группы, несовершеннолетний)"
            default: "—"
            }
        }
    }

    struct Incoming: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Входящий звонок: телефон → идентификация → клиент или 3-е лицо → результат → «Завершить».",
            discussion: """
            За терминалом на каждом шаге можно ответить «назад» или «отмена». В скрипте: --back-at ФРЕЙМ, --cancel-at ФРЕЙМ.
            Прерванный звонок (и подпроцесс «Рефинансирование по телефону» из списка задач) продолжается по ключу: --resume КЛЮЧ.
            """
        )

        @OptionGroup var global: GlobalOptions

        @Option(help: "Номер телефона звонящего (фрейм 100).")
        var phone: String?

        @Option(help: "Фамилия — поиск по ФИО, если по номеру ничего не найдено.")
        var surname: String?

        @Option(help: "Имя.")
        var name: String?

        @Option(help: "Отчество (без него — «Без отчества»).")
        var patronymic: String?

        @Option(help: "Дата рождения ДД.ММ.ГГГГ для поиска по ФИО.")
        var birthDate: String?

        @Option(help: "Договор из найденных (номер или номер строки).")
        var contract: String?

        @Option(help: "Кто звонит: client или third-party (фрейм 800).")
        var caller: String?

        @Option(help: "Результат: ready-to-pay, refinancing, call-back, refusal (клиент) или info-will-be-passed, refused-communication, problem-client (3-е лицо).")
        var result: String?

        @Option(help: "Дата платежа или перезвона: ДД.ММ.ГГГГ или +N.")
        var date: String?

        @Option(help: "Время платежа или перезвона ЧЧ:ММ (необязательно).")
        var time: String?

        @Option(help: "Причина отказа в оплате: problem-client, bankruptcy, client-refusal.")
        var reason: String?

        @Option(help: "Комментарий (обязателен в разговоре с 3-м лицом).")
        var comment: String?

        @Option(help: "Вернуться назад, дойдя до этого фрейма (один раз на каждое указание).")
        var backAt: [Int32] = []

        @Option(help: "Отменить звонок на этом фрейме: ничего не сохраняется.")
        var cancelAt: Int32?

        @Option(help: "Продолжить открытый процесс по его ключу: прерванный звонок (ВЗ-…) или подпроцесс «Рефинансирование по телефону» (РТ-…) из списка задач.")
        var resume: String?

        @Flag(help: "С --resume: отменить этот процесс на его текущем фрейме, ничего не сохраняя.")
        var cancel = false

        enum Move { case back, cancel }

        func validate() throws {
            if cancel && resume == nil { throw ValidationError("--cancel указывается вместе с --resume КЛЮЧ") }
        }

        /// What `--json` prints: every step shown, and how the process ended.
        struct Summary: Encodable {
            var processKey: String
            /// saved, cancelled.
            var outcome: String
            /// The «Рефинансирование по телефону» sub-process this call started, to resume later.
            var refinancingProcessKey: String?
            var steps: [ContactsV1.IncomingCallStep]
        }

        func run() async throws {
            let auth = try Authorized(global)
            let call = IncomingCall(registry: auth.registry, contacts: auth.contacts)
            let json = global.json
            var shown: [ContactsV1.IncomingCallStep] = []
            var refinancingKey: String?
            // With --json stdout holds only the summary; the operator at a terminal still reads the frames.
            func say(_ text: String) {
                if !json { print(text) } else if Console.isInteractive { FileHandle.standardError.write(Data((text + "\n").utf8)) }
            }
            func show(_ step: ContactsV1.IncomingCallStep) {
                shown.append(step)
                if case .refinancing(let view)? = step.view, view.refinancingProcessKey != step.processKey, !view.refinancingProcessKey.isEmpty {
                    refinancingKey = view.refinancingProcessKey
                }
                say(IncomingCallView.render(step))
            }
            func finish(_ outcome: String, _ step: ContactsV1.IncomingCallStep) throws {
                if json {
                    try Console.printJSON(Summary(processKey: step.processKey, outcome: outcome, refinancingProcessKey: refinancingKey, steps: shown))
                }
            }

            var step: ContactsV1.IncomingCallStep
            if let resume {
                step = try await call.resume(resume)
                say("Продолжить звонок: процесс \(step.processKey)")
            } else {
                step = try await call.start()
                say("Принять звонок: процесс \(step.processKey)")
            }
            show(step)
            if cancel {
                try await call.cancel(step)
                say("Звонок отменён: ничего не сохранено")
                return try finish("cancelled", step)
            }
            Console.movesAllowed = true
            var pendingBacks = backAt
            var callerPhone = ""
            if case .identification(let view)? = step.view { callerPhone = view.phone }
            var byPhone = true
            var lastMatchCount = 0
            // «Назад» lands on a question: identification with one contract asks nothing (it
            // is taken at once), so going back from «Кто звонит» reaches the phone entry.
            func backToQuestion(_ from: ContactsV1.IncomingCallStep) async throws -> ContactsV1.IncomingCallStep {
                var step = try await call.back(from)
                if step.frame == .identification && lastMatchCount <= 1 && step.canGoBack { step = try await call.back(step) }
                say("← Вернуться назад")
                show(step)
                return step
            }
            while !step.finished {
                Interrupt.onCtrlC(
                    "Звонок не завершён (процесс \(step.processKey), фрейм \(step.frame.rawValue)): продолжить — crm collect incoming --resume \(step.processKey) "
                        + "(или номер договора); отменить — crm collect incoming --resume \(step.processKey) --cancel"
                )
                if let index = pendingBacks.firstIndex(of: step.frame.rawValue) {
                    pendingBacks.remove(at: index)
                    step = try await call.back(step)
                    say("← Вернуться назад")
                    show(step)
                    continue
                }
                if step.frame.rawValue == cancelAt {
                    try await call.cancel(step)
                    say("Звонок отменён: ничего не сохранено")
                    return try finish("cancelled", step)
                }
                do {
                    let next: ContactsV1.IncomingCallStep
                    switch step.frame {
                    case .phoneEntry:
                        callerPhone = try phone ?? Console.question("Номер телефона звонящего", flag: "--phone") { try PromptChecks.phone($0) }
                        next = try await call.submit(step, .phoneEntry(.init(phone: callerPhone)))
                    case .identification:
                        var matches = try await call.identify(phone: callerPhone)
                        byPhone = true
                        if matches.isEmpty {
                            say("По номеру \(callerPhone) договоров с задолженностью не найдено: поиск по ФИО")
                            guard surname != nil || Console.isInteractive else {
                                throw GatewayError("Договор с задолженностью по номеру не найден; для поиска по ФИО укажите --surname и --name")
                            }
                            let (fullName, withoutPatronymic, birth) = try await nameEntry()
                            matches = try await call.identify(name: fullName, withoutPatronymic: withoutPatronymic, birthDate: birth)
                            byPhone = false
                        }
                        lastMatchCount = matches.count
                        guard !matches.isEmpty else {
                            guard Console.isInteractive && surname == nil && phone == nil else { throw GatewayError("Договор с задолженностью не найден: звонок не по взысканию") }
                            say("Договор с задолженностью не найден: проверьте номер или ФИО («назад» — к номеру телефона, «отмена» — звонок не по взысканию)")
                            continue
                        }
                        say(IncomingCallView.matches(matches))
                        let match = try Console.pick(contract, matches, what: "Договор", flag: "--contract", key: \.contractNumber, label: \.contractNumber)
                        next = try await call.submit(step, IncomingCall.identification(match, byPhone: byPhone))
                    case .whoCalled:
                        next = try await call.submit(step, .whoCalled(.init(caller: try Console.pick(caller, CollectionChoices.caller, flag: "--caller"))))
                    case .client:
                        if let loan = try await call.loan(for: step) {
                            say("  Займ: \(loan.general?.productName ?? "—"), платёж \(Labels.money(kopecks: loan.paymentStatus?.nextDueKopecks ?? 0)) до \(Labels.date(loan.paymentStatus?.nextDueDate)); офис: \(loan.office?.address ?? "—")")
                        }
                        next = try await call.submit(step, .clientResult(.init(result: try Console.pick(result, CollectionChoices.clientResult, flag: "--result"))))
                    case .readyToPay:
                        let (day, clock) = try dateTime(question: "Дата платежа")
                        next = try await call.submit(step, .readyToPay(.init(paymentDate: day, paymentTime: clock)))
                    case .callBack:
                        let (day, clock) = try dateTime(question: "Дата звонка")
                        next = try await call.submit(step, .callBack(.init(callbackDate: day, callbackTime: clock)))
                    case .refusal:
                        next = try await call.submit(step, .refusal(.init(reason: try Console.pick(reason, CollectionChoices.refusalReason, flag: "--reason"))))
                    case .refinancing:
                        next = try await call.submit(step, .refinancing(.init()))
                    case .thirdParty:
                        // «назад» at the comment returns to the result, the frame's other question.
                        var answered: (ContactsV1.ThirdPartyResult, String)?
                        while answered == nil {
                            let outcome = try Console.pick(result, CollectionChoices.thirdPartyResult, flag: "--result")
                            do {
                                answered = (outcome, try Console.value(comment, "Комментарий", flag: "--comment"))
                            } catch let error as GatewayError where error.reason == .back && result == nil {
                                continue
                            }
                        }
                        next = try await call.submit(step, .thirdParty(.init(result: answered!.0, comment: answered!.1)))
                    case .finish:
                        next = try await call.submit(step, .finish(.init()), finishKey: step.processKey + "-finish")
                    default:
                        throw GatewayError("Неожиданный фрейм \(step.frame.rawValue)")
                    }
                    step = next
                    show(step)
                } catch let move as GatewayError where Console.isMove(move) {
                    if move.reason == .cancelCall {
                        try await call.cancel(step)
                        say("Звонок отменён: ничего не сохранено")
                        return try finish("cancelled", step)
                    }
                    guard step.canGoBack else {
                        FileHandle.standardError.write(Data("Назад некуда: это первый фрейм\n".utf8))
                        continue
                    }
                    step = try await backToQuestion(step)
                } catch let error as GatewayError where Console.isInteractive && error.code != nil {
                    FileHandle.standardError.write(Data("\(error.message)\n".utf8))
                    switch askMove() {
                    case .back?: step = try await backToQuestion(step)
                    case .cancel?:
                        try await call.cancel(step)
                        say("Звонок отменён: ничего не сохранено")
                        return try finish("cancelled", step)
                    case nil: continue
                    }
                } catch {
                    // Nothing is recorded before «Завершить»: the process stays open where it
                    // stopped, for the operator to continue with the missing answer or cancel.
                    let key = step.processKey
                    throw Self.interrupted(error, key: key, frame: step.frame.rawValue)
                }
            }
            say("Звонок сохранён в истории коммуникаций")
            if let refinancingKey {
                say("Подпроцесс «Рефинансирование по телефону» в списке задач: продолжить — crm collect incoming --resume \(refinancingKey)")
            }
            try finish("saved", step)
        }

        /// The refusal, and how to go on from the frame where the call stopped.
        static func interrupted(_ error: any Error, key: String, frame: Int32) -> any Error {
            let advice = "Звонок не завершён (процесс \(key), фрейм \(frame)): продолжить — crm collect incoming --resume \(key) с недостающими флагами; "
                + "отменить — crm collect incoming --resume \(key) --cancel"
            // A process already ended cannot be continued: no advice to.
            if let ended = error as? GatewayError, ended.reason == .callEnded {
                return ended
            }
            guard let refusal = error as? GatewayError else {
                FileHandle.standardError.write(Data((advice + "\n").utf8))
                return error
            }
            var combined = refusal
            combined.message += "\n" + advice
            return combined
        }

        /// A date from today on and an optional time, each asked again until it is right;
        /// «назад» at the time returns to the date.
        func dateTime(question: String) throws -> (TypesV1.Date, TypesV1.TimeOfDay?) {
            if let date {
                return (try SchedulingDates.parseDate(date, flag: "--date"), try time.map { try SchedulingDates.parseTime($0, flag: "--time") })
            }
            while true {
                let day = try Console.question("\(question), ДД.ММ.ГГГГ или +N", flag: "--date") {
                    try PromptChecks.dateFromToday($0, utcOffsetMinutes: 180, what: question)
                }
                if let time { return (day, try SchedulingDates.parseTime(time, flag: "--time")) }
                do {
                    let clock = try Console.optional("Время, ЧЧ:ММ", hint: "Enter — без времени", flag: "--time") {
                        try SchedulingDates.parseTime($0, flag: "Время")
                    }
                    return (day, clock)
                } catch let error as GatewayError where error.reason == .back {
                    continue
                }
            }
        }

        struct NameAnswers {
            var name = TypesV1.FullName()
            var birth: TypesV1.Date?
        }

        /// «Поиск по ФИО»: surname, name, Отчество or «Без отчества», and the birth date if
        /// known; «назад» moves between these questions, and from the surname to the phone.
        func nameEntry() async throws -> (TypesV1.FullName, Bool, TypesV1.Date?) {
            typealias Step = Flow<NameAnswers>.Step
            let birthStep = Step { answers in
                if let birthDate {
                    answers.birth = try SchedulingDates.parseCalendarDate(birthDate, flag: "--birth-date")
                } else if Console.isInteractive {
                    answers.birth = try Console.optional("Дата рождения, ДД.ММ.ГГГГ", hint: "Enter — неизвестна", flag: "--birth-date") {
                        try SchedulingDates.parseCalendarDate($0, flag: "Дата рождения")
                    }
                }
                return nil
            }
            let middle = Step { answers in
                if let patronymic {
                    answers.name.patronymic = patronymic
                } else if Console.isInteractive {
                    answers.name.patronymic = try Console.question("Отчество (или «без отчества»)", flag: "--patronymic") { text in
                        ChoiceMatch<Bool>.normalized(text) == "без отчества" ? "" : text
                    }
                }
                return birthStep
            }
            let first = Step { answers in
                answers.name.name = try Console.value(name, "Имя", flag: "--name")
                return middle
            }
            let last = Step { answers in
                answers.name.surname = try Console.value(surname, "Фамилия", flag: "--surname")
                return first
            }
            var flow = Flow(state: NameAnswers())
            try await flow.run(from: last, backFromFirst: true)
            return (flow.state.name, flow.state.name.patronymic.isEmpty, flow.state.birth)
        }

        /// At a terminal, after a refusal: try again, go back or cancel.
        func askMove() -> Move? {
            FileHandle.standardError.write(Data("Enter — ввести заново, «назад» — вернуться, «отмена» — отменить звонок: ".utf8))
            switch Console.answer()?.lowercased() {
            case "назад"?: return .back
            case "отмена"?: return .cancel
            default: return nil
            }
        }
    }
}
