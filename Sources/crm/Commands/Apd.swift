import ArgumentParser
import CRMAPI
import CRMDomain
import Foundation
import Gateway
import RPCCore
import Wire

/// «Ввод АПД» — the questionnaire of a potential client: a new card of type «Заинтересованный»
/// or «Онлайн чат», from flags or at the prompts, each answer checked by the registry's own
/// rules (CRMDomain.QuestionnaireRules) before anything is sent.
struct Apd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apd",
        abstract: "Ввод АПД: анкета потенциального клиента — новая карточка «Заинтересованный» или «Онлайн чат».",
        discussion: "Без флагов спрашивает каждое поле анкеты; «назад» — предыдущий вопрос, «отмена» — отменить ввод."
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "Тип карточки: «заинтересованный» (по умолчанию) или «онлайн чат».") var type: String?
    @Option(help: "Фамилия.") var surname: String?
    @Option(help: "Имя.") var name: String?
    @Option(help: "Отчество.") var patronymic: String?
    @Flag(help: "Отчества нет.") var noPatronymic = false
    @Option(help: "Дата рождения ДД.ММ.ГГГГ.") var birthDate: String?
    @Option(help: "Регион проживания: код, название или его начало.") var region: String?
    @Option(help: "Населённый пункт.") var settlement: String?
    @Option(help: "Паспорт: серия и номер, «4510 123456».") var passport: String?
    @Option(help: "Мобильный телефон.") var mobile: String?
    @Option(help: "Контактный телефон.") var contactPhone: String?
    @Option(help: "Рабочий телефон.") var workPhone: String?
    @Option(help: "E-mail.") var email: String?
    @Option(help: "Комментарий.") var comment: String?

    func validate() throws {
        if noPatronymic, patronymic != nil { throw ValidationError("Укажите --patronymic или --no-patronymic, не оба") }
    }

    func run() async throws {
        let auth = try Authorized(global)
        let form = ApdForm(today: LocalDate.of(unixMs: Int64(Date().timeIntervalSince1970 * 1000), utcOffsetMinutes: Regions.moscowUTCOffsetMinutes))
        var questionnaire = try form.questionnaire(self)
        let registry = RegistryV1.ClientRegistry.Client(wrapping: auth.registry.rpc)
        if Console.isInteractive {
            try questionnaire.run()
            try await confirmNoDuplicate(form, registry: registry, client: auth.registry)
        }
        /// A field refused after the questions: at the terminal its question again; in a
        /// script an error naming its flag.
        func correct(field: String?, message: String, error: GatewayError) throws {
            guard let field, let index = form.question(for: field) else { throw error }
            guard Console.isInteractive else {
                throw GatewayError.refusal("\(questionnaire.questions[index].flag): \(message)", field: field)
            }
            FileHandle.standardError.write(Data("\(questionnaire.questions[index].text): \(message)\n".utf8))
            questionnaire.questions[index].given = false
            try questionnaire.run(from: index, only: true)
        }
        while true {
            let request = form.request()
            // The services' length and range bounds, checked here before anything is sent.
            do {
                try FieldBounds.check(request)
            } catch {
                let violation = error.fieldViolations.first
                try correct(field: violation?.field, message: violation?.description ?? error.message, error: GatewayError(error.message, code: error.code))
                continue
            }
            let bytes: [UInt8]
            do { bytes = try request.serializedBytes() } catch { throw GatewayError(error) }
            // The same questionnaire sent again (a retry after a lost answer) makes no second card.
            let key = "apd-" + PendingCalls.fingerprint([auth.session.login, "\(bytes)"])
            do {
                let created = try await auth.registry.call { _ in try await registry.createCard(request, metadata: keyed(key)) }
                if global.json { return try Console.printJSON(created) }
                guard let card = created.card else { return }
                print("Создана карточка \(card.cardID): \(Labels.cardType(card.type))")
                print(CardView.personal(card))
                return
            } catch let error as GatewayError where error.code == .invalidArgument {
                // The registry refused a field the console let through: that question again.
                try correct(field: error.field, message: error.message, error: error)
            }
        }
    }
}

extension Apd {
    /// The manual searches by phone before anything else: a questionnaire whose phone is
    /// already on a card is shown those cards and created only when the operator confirms.
    func confirmNoDuplicate(_ form: ApdForm, registry: RegistryV1.ClientRegistry.Client, client: ServiceClient) async throws {
        var found: [RegistryV1.CardSummary] = []
        for (_, phone) in form.phones {
            let answer = try await client.call { _ in try await registry.searchByPhone(RegistryV1.SearchByPhoneRequest(phone: phone)) }
            found += answer.cards.filter { card in !found.contains { $0.cardID == card.cardID } }
        }
        guard !found.isEmpty else { return }
        print("Телефон из анкеты уже есть в \(Labels.plural(found.count, "карточке", "карточках", "карточках")):")
        print(CardView.summaries(found))
        guard Console.confirm("Всё равно создать новую карточку?", default: false) else {
            throw GatewayError("Ввод анкеты отменён: ничего не сохранено (откройте найденную карточку: crm card ID)", reason: .discarded)
        }
    }
}

/// The questionnaire's answers as they are taken, and the questions that take them.
final class ApdForm {
    let today: LocalDate
    var type: TypesV1.CardType = .interested
    var surname = ""
    var name = ""
    var patronymic = ""
    var birthDate: LocalDate?
    var region: Region?
    var settlement = ""
    var passport: TypesV1.Passport?
    var phones: [(RegistryV1.ContactDataKind, String)] = []
    var email: String?
    var comment = ""

    init(today: LocalDate) { self.today = today }

    static let types: [(TypesV1.CardType, String)] = [(.interested, "Заинтересованный"), (.onlineChat, "Онлайн чат")]
    static let phoneKinds: [(RegistryV1.ContactDataKind, String, String)] = [
        (.mobilePhone, "Мобильный телефон", "--mobile"), (.contactPhone, "Контактный телефон", "--contact-phone"),
        (.workPhone, "Рабочий телефон", "--work-phone"),
    ]
    /// The question (by its index) that answers each request field the registry may name.
    static let fieldQuestions: [(String, Int)] = [
        ("type", 0), ("full_name.surname", 1), ("full_name.name", 2), ("full_name.patronymic", 3), ("birth_date", 4),
        ("region_code", 5), ("settlement", 6), ("passport", 7), ("contacts", 8), ("comment", 12),
    ]

    func question(for field: String) -> Int? {
        Self.fieldQuestions.first { field == $0.0 || field.hasPrefix($0.0 + ".") || field.hasPrefix($0.0 + "[") }?.1
    }

    func setPhone(_ kind: RegistryV1.ContactDataKind, _ typed: String?, field: String) throws(FieldRefusal) {
        phones.removeAll { $0.0 == kind }
        guard let typed else { return }
        phones.append((kind, try QuestionnaireRules.phone(typed, field: field)))
    }

    /// The card type by number, by label (case-insensitive, «онлайн-чат» too) or by its first letters.
    static func cardType(_ typed: String) throws(FieldRefusal) -> TypesV1.CardType {
        let wanted = typed.lowercased().replacingOccurrences(of: "-", with: " ").trimmingCharacters(in: .whitespaces)
        if let number = Int(wanted), types.indices.contains(number - 1) { return types[number - 1].0 }
        let matches = types.filter { $0.1.lowercased().hasPrefix(wanted) }
        guard !wanted.isEmpty, matches.count == 1 else {
            throw FieldRefusal(field: "type", "Тип карточки: 1 — Заинтересованный или 2 — Онлайн чат, а не «\(typed)»")
        }
        return matches[0].0
    }

    /// A region by its code, its name, or a unique part of its name. The list shows codes,
    /// not numbers: a number in the list would collide with a code («14»).
    static func region(_ typed: String) throws(FieldRefusal) -> Region {
        let wanted = typed.lowercased().trimmingCharacters(in: .whitespaces)
        if let region = Regions.byCode[wanted] { return region }
        if let exact = Regions.all.first(where: { $0.name.lowercased() == wanted }) { return exact }
        let matches = Regions.all.filter { $0.name.lowercased().contains(wanted) }
        if matches.count == 1 { return matches[0] }
        if matches.isEmpty { throw FieldRefusal(field: "region_code", "Нет региона «\(typed)»; «?» — список регионов") }
        throw FieldRefusal(field: "region_code", "«\(typed)» подходит к нескольким: " + matches.map { "\($0.name) (\($0.code))" }.joined(separator: ", "))
    }

    /// The regions by code, in two columns (fits 80 columns).
    static var regionMenu: String {
        let cells = Regions.all.map { "\($0.code)  \($0.name)" }
        let half = (cells.count + 1) / 2
        let width = cells.prefix(half).map(\.count).max() ?? 0
        let lines = (0..<half).map { row in
            let left = cells[row].padding(toLength: width, withPad: " ", startingAt: 0)
            return "  " + left + (row + half < cells.count ? "   " + cells[row + half] : "")
        }
        return "Регионы (код — название):\n" + lines.joined(separator: "\n")
    }

    /// «4510 123456», «4510123456» or «45 10 123456».
    static func passport(_ typed: String) throws(FieldRefusal) -> TypesV1.Passport {
        let digits = typed.filter { !$0.isWhitespace && $0 != "-" && $0 != "№" }
        guard digits.count == 10 else { throw FieldRefusal(field: "passport", "Паспорт — серия (4 цифры) и номер (6 цифр), а не «\(typed)»") }
        let series = String(digits.prefix(4)), number = String(digits.suffix(6))
        try QuestionnaireRules.passport(series: series, number: number)
        return TypesV1.Passport(series: series, number: number)
    }

    static let noPatronymicWords: Set<String> = ["без отчества", "нет", "-", "—"]

    func questionnaire(_ flags: Apd) throws -> Questionnaire {
        typealias Q = Questionnaire.Question
        var questions: [Q] = [
            Q(text: "Тип карточки: 1 — Заинтересованный, 2 — Онлайн чат", flag: "--type", optional: true, enter: "Заинтересованный") {
                [self] typed throws(FieldRefusal) in type = try typed.map(Self.cardType) ?? .interested
            },
            Q(text: "Фамилия", flag: "--surname") { [self] typed throws(FieldRefusal) in surname = try QuestionnaireRules.surname(typed ?? "") },
            Q(text: "Имя", flag: "--name") { [self] typed throws(FieldRefusal) in name = try QuestionnaireRules.name(typed ?? "") },
            Q(text: "Отчество (или «без отчества»)", flag: "--patronymic") { [self] typed in
                let text = (typed ?? "").trimmingCharacters(in: .whitespaces)
                patronymic = Self.noPatronymicWords.contains(text.lowercased()) ? "" : text
            },
            Q(text: "Дата рождения ДД.ММ.ГГГГ", flag: "--birth-date", optional: true) { [self] typed throws(FieldRefusal) in
                guard let typed else { birthDate = nil; return }
                let wire: TypesV1.Date
                do { wire = try SchedulingDates.parseCalendarDate(typed, flag: "Дата рождения") } catch {
                    throw FieldRefusal(field: "birth_date", "\(error)")
                }
                guard let date = LocalDate(wire) else { throw FieldRefusal(field: "birth_date", "Неверная дата") }
                try QuestionnaireRules.birthDate(date, today: today)
                birthDate = date
            },
            Q(text: "Регион проживания (название, код или часть названия; «?» — список)", flag: "--region") { [self] typed throws(FieldRefusal) in
                region = try Self.region(typed ?? "")
            },
            Q(text: "Населённый пункт", flag: "--settlement", optional: true) { [self] typed in settlement = typed ?? "" },
            Q(text: "Паспорт: серия и номер", flag: "--passport", optional: true) { [self] typed throws(FieldRefusal) in
                passport = try typed.map(Self.passport)
            },
        ]
        for (offset, (kind, label, flag)) in Self.phoneKinds.enumerated() {
            let last = offset == Self.phoneKinds.count - 1
            questions.append(Q(text: label, flag: flag, optional: true) { [self] typed throws(FieldRefusal) in
                try setPhone(kind, typed, field: "contacts[\(offset)].value")
                if last, phones.isEmpty { throw FieldRefusal(field: "contacts", "Укажите хотя бы один телефон") }
            })
        }
        questions.append(Q(text: "E-mail", flag: "--email", optional: true) { [self] typed throws(FieldRefusal) in
            if let typed { email = try QuestionnaireRules.email(typed, field: "contacts.value") } else { email = nil }
        })
        questions.append(Q(text: "Комментарий", flag: "--comment", optional: true) { [self] typed in comment = typed ?? "" })
        questions[5].menu = Self.regionMenu

        // Flags answer their questions first, through the same checks; a refusal names the flag.
        let given: [String?] = [
            flags.type, flags.surname, flags.name, flags.noPatronymic ? "" : flags.patronymic, flags.birthDate, flags.region,
            flags.settlement, flags.passport, flags.mobile, flags.contactPhone, flags.workPhone, flags.email, flags.comment,
        ]
        let anyPhoneGiven = flags.mobile != nil || flags.contactPhone != nil || flags.workPhone != nil
        for index in questions.indices {
            guard let value = given[index] else { continue }
            do { try questions[index].take(value.isEmpty ? nil : value) } catch let refusal {
                throw GatewayError.refusal("\(questions[index].flag): \(refusal.message)", field: refusal.field)
            }
            questions[index].given = true
        }
        if !Console.isInteractive {
            // A script: every required question must come from a flag, and one phone at least.
            if let missing = questions.first(where: { !$0.given && !$0.optional }) {
                throw GatewayError.refusal("Не хватает значения: укажите \(missing.flag)", field: nil)
            }
            if !anyPhoneGiven {
                throw GatewayError.refusal("Укажите хотя бы один телефон: --mobile, --contact-phone или --work-phone", field: "contacts")
            }
        } else if anyPhoneGiven {
            // The phones came by flag: the «one phone at least» rule is met.
            for index in 8..<11 { questions[index].given = true }
        }
        var questionnaire = Questionnaire(confirmation: "Создать карточку", what: "ввод анкеты", questions: questions)
        questionnaire.summary = { [self] in summary() }
        questionnaire.recheck = { [self] index in
            // The services' length bounds (FieldBounds), said at the question they concern.
            do { try FieldBounds.check(request()) } catch let error as RPCError {
                guard let violation = error.fieldViolations.first, question(for: violation.field) == index else { return nil }
                return violation.description
            } catch {
                return nil
            }
            return nil
        }
        return questionnaire
    }

    /// What the operator checks before the card is created.
    func summary() -> String {
        var lines = [
            "Анкета:",
            "  Тип: \(Self.types.first { $0.0 == type }?.1 ?? "—")",
            "  ФИО: \([surname, name, patronymic].filter { !$0.isEmpty }.joined(separator: " "))" + (patronymic.isEmpty ? " (без отчества)" : ""),
            "  Дата рождения: \(birthDate?.russian ?? "—")",
            "  Регион проживания: \(region.map { "\($0.name) (\($0.code))" } ?? "—")",
            "  Населённый пункт: \(settlement.isEmpty ? "—" : settlement)",
            "  Паспорт: \(passport.map { "\($0.series) \($0.number)" } ?? "—")",
        ]
        for (kind, label, _) in Self.phoneKinds {
            if let phone = phones.first(where: { $0.0 == kind }) { lines.append("  \(label): \(Labels.phone(phone.1))") }
        }
        if let email { lines.append("  E-mail: \(email)") }
        if !comment.isEmpty { lines.append("  Комментарий: \(comment)") }
        return lines.joined(separator: "\n")
    }

    func request() -> RegistryV1.CreateCardRequest {
        var contacts = phones.map { RegistryV1.NewContactData(kind: $0.0, value: $0.1) }
        if let email { contacts.append(RegistryV1.NewContactData(kind: .email, value: email)) }
        return RegistryV1.CreateCardRequest(
            type: type, fullName: TypesV1.FullName(surname: surname, name: name, patronymic: patronymic),
            birthDate: birthDate?.wire, regionCode: region?.code ?? "", settlement: settlement, passport: passport,
            contacts: contacts, comment: comment
        )
    }
}

extension GatewayError {
    /// A refusal of the operator's input before anything was sent, naming the request field.
    static func refusal(_ message: String, field: String?) -> GatewayError {
        var error = GatewayError(message, code: .invalidArgument)
        error.field = field
        return error
    }
}
