import ArgumentParser
import CRMAPI
import Foundation
import Gateway
import RPCCore
import Wire

extension Authorized {
    func card(_ id: Int64) async throws -> RegistryV1.Card {
        let client = RegistryV1.ClientRegistry.Client(wrapping: registry.rpc)
        guard let card = try await registry.call({ _ in try await client.getCard(.init(cardID: id)) }).card else {
            throw GatewayError("Карточка \(id) не найдена")
        }
        return card
    }
}

func keyed(_ key: String = UUID().uuidString.lowercased()) -> Metadata {
    var metadata = Metadata()
    metadata.idempotencyKey = key
    return metadata
}

/// «Отправка SMS-сообщения клиенту».
struct Sms: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "SMS клиенту по шаблону.", subcommands: [Templates.self, Send.self])

    struct Templates: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Шаблоны SMS.")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let auth = try Authorized(global)
            let sms = SchedulingV1.Sms.Client(wrapping: auth.scheduling.rpc)
            let templates = try await auth.scheduling.call { _ in try await sms.listSmsTemplates(.init()) }.templates
            if global.json { return try Console.printJSON(templates) }
            print(TextTable(headers: ["КЛЮЧ", "ШАБЛОН", "ТЕКСТ"], rows: templates.map { [$0.templateID, $0.name, $0.text] }).render())
        }
    }

    struct Send: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Отправить SMS по шаблону: текст шаблона не редактируется.")
        @OptionGroup var global: GlobalOptions

        @Argument(help: "ID CRM карточки.")
        var cardID: Int64

        @Option(help: "Шаблон: ключ или название (crm sms templates).")
        var template: String?

        @Option(help: "Номер, который продиктовал клиент (по умолчанию мобильный из карточки).")
        var phone: String?

        @Option(help: "Договор — для шаблонов о задолженности.")
        var contract: String = ""

        func run() async throws {
            let auth = try Authorized(global)
            let sms = SchedulingV1.Sms.Client(wrapping: auth.scheduling.rpc)
            let card = try await auth.card(cardID)
            let templates = try await auth.scheduling.call { _ in try await sms.listSmsTemplates(.init()) }.templates
            let mobile = card.contacts.first { $0.kind == .mobilePhone && !$0.struckOut }?.value
            let chosen: SchedulingV1.SmsTemplate
            let number: String
            if Console.isInteractive && !global.json && (template == nil || phone == nil) {
                guard let answered = try await ask(templates: templates, mobile: mobile) else {
                    print("Отменено: SMS не отправлено")
                    return
                }
                (chosen, number) = answered
            } else {
                chosen = try Console.pick(template, templates, what: "Шаблон SMS", flag: "--template", key: \.templateID, label: \.name)
                guard let given = phone ?? mobile else { throw GatewayError("В карточке нет мобильного: укажите номер (--phone)") }
                number = given
            }
            let request = SchedulingV1.SendSmsRequest(templateID: chosen.templateID, cardID: cardID, phone: number,
                                                      regionCode: card.region?.code ?? "", contractNumber: contract)
            let sent = try await auth.scheduling.call { _ in try await sms.sendSms(request, metadata: keyed()) }
            if global.json { return try Console.printJSON(sent) }
            guard let message = sent.sms else { return }
            print("«\(message.text)» на \(Labels.phone(message.phone)): "
                + (sent.deferred ? "отложено до \(CardView.dateTime(message.scheduledForUnixMs)) (разрешённый час по местному времени клиента)" : "принято в очередь"))
        }

        struct Answers {
            var template: SchedulingV1.SmsTemplate?
            var phone = ""
            var send = false
        }

        /// At the terminal: the template, the number the client dictates (the card's mobile
        /// by default), and a confirmation before anything is sent; «назад» and «отмена»
        /// at every question. Nil when the operator cancelled or declined.
        func ask(templates: [SchedulingV1.SmsTemplate], mobile: String?) async throws -> (SchedulingV1.SmsTemplate, String)? {
            typealias Step = Flow<Answers>.Step
            let confirm = Step { answers in
                guard let chosen = answers.template else { return nil }
                let choices = [("Отправить", true), ("Не отправлять", false)]
                answers.send = try Console.choose(
                    "SMS «\(chosen.text)» на \(Labels.phone(answers.phone))", choices, flag: "--phone", default: "1", label: { $0.0 }
                ).1
                return nil
            }
            let number = Step { answers in
                if let phone {
                    answers.phone = phone
                } else {
                    answers.phone = try Console.question(
                        "Номер, который диктует клиент" + (mobile == nil ? "" : " (Enter — мобильный из карточки)"),
                        default: mobile.map(Labels.phone), flag: "--phone"
                    ) { try PromptChecks.phone($0) }
                }
                return confirm
            }
            let first = Step { answers in
                answers.template = try Console.pick(template, templates, what: "Шаблон SMS", flag: "--template", key: \.templateID, label: \.name)
                return number
            }
            Console.cancelQuestion = "Отменить отправку SMS?"
            var flow = Flow(state: Answers())
            do {
                try await flow.run(from: first)
            } catch let error as GatewayError where error.reason == .cancelCall {
                return nil
            }
            guard flow.state.send, let chosen = flow.state.template else { return nil }
            return (chosen, flow.state.phone)
        }
    }
}

/// «Получить решение БКИ».
struct Bki: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Предварительное решение БКИ по паспорту и дате рождения (только в разговоре о карте Халва); действует 10 дней."
    )
    @OptionGroup var global: GlobalOptions

    @Argument(help: "ID CRM карточки.")
    var cardID: Int64

    @Option(help: "Серия паспорта (4 цифры); по умолчанию из карточки.")
    var series: String?

    @Option(help: "Номер паспорта (6 цифр); по умолчанию из карточки.")
    var number: String?

    @Option(help: "Дата рождения ДД.ММ.ГГГГ; по умолчанию из карточки.")
    var birthDate: String?

    func run() async throws {
        let auth = try Authorized(global)
        let card = try await auth.card(cardID)
        let registry = RegistryV1.ClientRegistry.Client(wrapping: auth.registry.rpc)
        let passport = TypesV1.Passport(
            series: try series ?? card.passport.map(\.series).flatMap { $0.isEmpty ? nil : $0 } ?? Console.ask("Серия паспорта", flag: "--series"),
            number: try number ?? card.passport.map(\.number).flatMap { $0.isEmpty ? nil : $0 } ?? Console.ask("Номер паспорта", flag: "--number")
        )
        let birth = try birthDate.map { try SchedulingDates.parseCalendarDate($0, flag: "--birth-date") } ?? card.birthDate
        let decision = try await auth.registry.call { _ in
            try await registry.requestBureauDecision(.init(cardID: cardID, passport: passport, birthDate: birth))
        }
        // The registry itself wrote the decision into the contact history (tab 3).
        if global.json { return try Console.printJSON(decision) }
        print("Предварительное решение: \(decision.decision == .approved ? "ОДОБРЕНО" : "ОТКАЗ") (\(decision.rule))")
        print(decision.reused ? "Взято решение от \(CardView.dateTime(decision.decidedUnixMs)), действует до \(CardView.dateTime(decision.validUntilUnixMs))"
                              : "Действует до \(CardView.dateTime(decision.validUntilUnixMs))")
    }
}

/// «Ввод рекомендации» (office staff only).
struct Recommend: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Ввод рекомендации: новая связанная карточка типа «Рекомендация» (только сотрудники офиса).")
    @OptionGroup var global: GlobalOptions

    @Argument(help: "ID CRM карточки рекомендателя.")
    var cardID: Int64
    @Option(help: "Фамилия.") var surname: String?
    @Option(help: "Имя.") var name: String?
    @Option(help: "Отчество (пусто — «Без отчества»).") var patronymic: String?
    @Option(help: "Регион: код (по умолчанию регион рекомендателя).") var region: String?
    @Option(help: "Дата рождения ДД.ММ.ГГГГ.") var birthDate: String?
    @Option(help: "Мобильный телефон.") var mobile: String?
    @Option(help: "Контактный телефон.") var contactPhone: String?

    func run() async throws {
        let auth = try Authorized(global)
        let recommender = try await auth.card(cardID)
        let request: RegistryV1.AddRecommendationRequest
        if Console.isInteractive && !global.json {
            guard let asked = try await ask(recommender: recommender, auth: auth) else {
                print("Отменено: рекомендация не введена")
                return
            }
            request = asked
        } else {
            request = RegistryV1.AddRecommendationRequest(
                recommenderCardID: cardID,
                fullName: TypesV1.FullName(surname: try Console.value(surname, "Фамилия", flag: "--surname"),
                                           name: try Console.value(name, "Имя", flag: "--name"), patronymic: patronymic ?? ""),
                regionCode: region ?? recommender.region?.code ?? "",
                birthDate: try SchedulingDates.parseCalendarDate(Console.value(birthDate, "Дата рождения", flag: "--birth-date"), flag: "--birth-date"),
                mobilePhone: try Console.value(mobile, "Мобильный телефон", flag: "--mobile"), contactPhone: contactPhone ?? ""
            )
        }
        let registry = RegistryV1.ClientRegistry.Client(wrapping: auth.registry.rpc)
        let bytes: [UInt8]
        do { bytes = try request.serializedBytes() } catch { throw GatewayError(error) }
        let key = "recommend-" + PendingCalls.fingerprint([auth.session.login, "\(cardID)", "\(bytes)"])
        let created = try await auth.registry.call { _ in try await registry.addRecommendation(request, metadata: keyed(key)) }
        if global.json { return try Console.printJSON(created) }
        guard let card = created.card else { return }
        print("Создана карточка \(card.cardID): \(Labels.cardType(card.type)), \(Labels.fullName(card.fullName)); связана с \(cardID)")
    }

    /// The questionnaire at the prompts, each answer checked where it is typed, «назад» and
    /// «отмена» at every question. Nil when the operator cancelled.
    func ask(recommender: RegistryV1.Card, auth: Authorized) async throws -> RegistryV1.AddRecommendationRequest? {
        typealias Step = Flow<RegistryV1.AddRecommendationRequest>.Step
        let offices = SchedulingV1.Offices.Client(wrapping: auth.scheduling.rpc)
        let regions = try await auth.scheduling.call { _ in try await offices.listRegions(.init()) }.regions
        let contact = Step { request in
            request.contactPhone = try contactPhone ?? Console.optional("Контактный телефон", hint: "Enter — нет", flag: "--contact-phone") {
                try PromptChecks.phone($0)
            } ?? ""
            return nil
        }
        let mobileStep = Step { request in
            request.mobilePhone = try mobile ?? Console.question("Мобильный телефон", flag: "--mobile") { try PromptChecks.phone($0) }
            return contact
        }
        let birth = Step { request in
            request.birthDate = try birthDate.map { try SchedulingDates.parseCalendarDate($0, flag: "--birth-date") }
                ?? Console.question("Дата рождения, ДД.ММ.ГГГГ", flag: "--birth-date") { try SchedulingDates.parseCalendarDate($0, flag: "Дата рождения") }
            return mobileStep
        }
        let regionStep = Step { request in
            if let region {
                request.regionCode = region
            } else {
                let home = regions.firstIndex { $0.code == recommender.region?.code }.map { "\($0 + 1)" }
                request.regionCode = try Console.choose("Регион", regions, flag: "--region", default: home, label: \.name, key: \.code).code
            }
            return birth
        }
        let middle = Step { request in
            request.fullName?.patronymic = try patronymic ?? Console.question("Отчество (или «без отчества»)", flag: "--patronymic") { text in
                ChoiceMatch<Bool>.normalized(text) == "без отчества" ? "" : text
            }
            return regionStep
        }
        let names = Step { request in
            let surnameValue = try surname ?? Console.ask("Фамилия", flag: "--surname")
            request.fullName = TypesV1.FullName(surname: surnameValue, name: "", patronymic: "")
            return Step { request in
                request.fullName?.name = try name ?? Console.ask("Имя", flag: "--name")
                return middle
            }
        }
        Console.cancelQuestion = "Отменить ввод рекомендации?"
        var flow = Flow(state: RegistryV1.AddRecommendationRequest(recommenderCardID: cardID))
        do {
            try await flow.run(from: names)
        } catch let error as GatewayError where error.reason == .cancelCall {
            return nil
        }
        return flow.state
    }
}

/// Tab 1 edits: personal data (only on some card types) and contact data (on any).
struct Edit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Изменение личных и контактных данных карточки (каждое изменение — в истории изменения контактных данных).",
        subcommands: [Personal.self, AddContact.self, ChangeContact.self, StrikeContact.self]
    )

    struct Version: ParsableArguments {
        @Option(help: "Версия карточки, которую вы видели (crm card --json); по умолчанию текущая.")
        var expectedVersion: Int64?
    }

    struct Personal: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Личные данные: только в карточках Интернет, Заинтересованный, Рекомендованный, Онлайн чат."
        )
        @OptionGroup var global: GlobalOptions
        @OptionGroup var version: Version
        @Argument(help: "ID CRM карточки.") var cardID: Int64
        @Option(help: "Фамилия.") var surname: String?
        @Option(help: "Имя.") var name: String?
        @Option(help: "Отчество.") var patronymic: String?
        @Option(help: "Дата рождения ДД.ММ.ГГГГ.") var birthDate: String?
        @Option(help: "Регион проживания: код.") var region: String?
        @Option(help: "Населённый пункт.") var settlement: String?
        @Option(help: "Комментарий к изменению.") var comment: String = ""

        func run() async throws {
            let auth = try Authorized(global)
            let card = try await auth.card(cardID)
            var fullName = card.fullName ?? TypesV1.FullName()
            if let surname { fullName.surname = surname }
            if let name { fullName.name = name }
            if let patronymic { fullName.patronymic = patronymic }
            let request = RegistryV1.UpdatePersonalDataRequest(
                cardID: cardID, expectedVersion: version.expectedVersion ?? card.version, fullName: fullName,
                birthDate: try birthDate.map { try SchedulingDates.parseCalendarDate($0, flag: "--birth-date") } ?? card.birthDate,
                regionCode: region ?? card.region?.code ?? "", settlement: settlement ?? card.settlement, comment: comment
            )
            let registry = RegistryV1.ClientRegistry.Client(wrapping: auth.registry.rpc)
            let updated = try await auth.registry.call { _ in try await registry.updatePersonalData(request) }
            if global.json { return try Console.printJSON(updated) }
            if let card = updated.card { print(CardView.personal(card)) }
        }
    }

    struct AddContact: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add-contact", abstract: "Добавить телефон или e-mail.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var version: Version
        @Argument(help: "ID CRM карточки.") var cardID: Int64
        @Option(help: "Вид: mobile, work, contact, extra1, extra2, registration, email.") var kind: String?
        @Option(help: "Телефон в любом виде или e-mail.") var value: String?
        @Option(help: "Комментарий.") var comment: String = ""

        func run() async throws {
            let auth = try Authorized(global)
            let card = try await auth.card(cardID)
            let request = RegistryV1.AddContactDataRequest(
                cardID: cardID, expectedVersion: version.expectedVersion ?? card.version,
                contact: .init(kind: try Console.pick(kind, CardChoices.contactKind, flag: "--kind"),
                               value: try Console.value(value, "Значение", flag: "--value")),
                comment: comment
            )
            let registry = RegistryV1.ClientRegistry.Client(wrapping: auth.registry.rpc)
            let updated = try await auth.registry.call { _ in try await registry.addContactData(request) }
            if global.json { return try Console.printJSON(updated) }
            if let card = updated.card { print(CardView.personal(card)) }
        }
    }

    struct ChangeContact: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "change-contact", abstract: "Заменить телефон или e-mail.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var version: Version
        @Argument(help: "ID CRM карточки.") var cardID: Int64
        @Option(help: "Какой контакт: вид (mobile, work, …) или его id.") var entry: String?
        @Option(help: "Новое значение.") var value: String?
        @Option(help: "Причина: do-not-contact, changed, not-in-use, wrong.") var reason: String?
        @Option(help: "Комментарий.") var comment: String = ""

        func run() async throws {
            let auth = try Authorized(global)
            let card = try await auth.card(cardID)
            let target = try Edit.entry(entry, in: card)
            let request = RegistryV1.ChangeContactDataRequest(
                cardID: cardID, expectedVersion: version.expectedVersion ?? card.version, entryID: target.id,
                newValue: try Console.value(value, "Новое значение", flag: "--value"),
                reason: try reason.map { try CardChoices.strikeReason.pick($0, flag: "--reason") } ?? .unspecified, comment: comment
            )
            let registry = RegistryV1.ClientRegistry.Client(wrapping: auth.registry.rpc)
            let updated = try await auth.registry.call { _ in try await registry.changeContactData(request) }
            if global.json { return try Console.printJSON(updated) }
            if let card = updated.card { print(CardView.personal(card)) }
        }
    }

    struct StrikeContact: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "strike-contact", abstract: "Вычеркнуть номер, который не принадлежит клиенту, с причиной.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var version: Version
        @Argument(help: "ID CRM карточки.") var cardID: Int64
        @Option(help: "Какой контакт: вид (mobile, work, …) или его id.") var entry: String?
        @Option(help: "Причина: do-not-contact, changed, not-in-use, wrong.") var reason: String?
        @Option(help: "Комментарий.") var comment: String = ""

        func run() async throws {
            let auth = try Authorized(global)
            let card = try await auth.card(cardID)
            let target = try Edit.entry(entry, in: card)
            let request = RegistryV1.StrikeOutContactDataRequest(
                cardID: cardID, expectedVersion: version.expectedVersion ?? card.version, entryID: target.id,
                reason: try Console.pick(reason, CardChoices.strikeReason, flag: "--reason"), comment: comment
            )
            let registry = RegistryV1.ClientRegistry.Client(wrapping: auth.registry.rpc)
            let updated = try await auth.registry.call { _ in try await registry.strikeOutContactData(request) }
            if global.json { return try Console.printJSON(updated) }
            if let card = updated.card { print(CardView.personal(card)) }
        }
    }

    /// A live contact entry by its kind's key or its id.
    static func entry(_ given: String?, in card: RegistryV1.Card) throws -> RegistryV1.ContactEntry {
        let live = card.contacts.filter { !$0.struckOut }
        return try Console.pick(
            given.map { text in (try? CardChoices.contactKind.pick(text, flag: "--entry")).flatMap { kind in live.first { $0.kind == kind }?.id } ?? text },
            live, what: "Контакт", flag: "--entry", key: \.id, label: { "\(CardChoices.contactKind.label($0.kind)): \($0.kind == .email ? $0.value : Labels.phone($0.value))" }
        )
    }
}
