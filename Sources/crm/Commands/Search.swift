import ArgumentParser
import Foundation
import CRMAPI
import Gateway
import RPCCore
import Wire

struct Search: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Поиск клиента по телефону (в любом виде: (937) 288-80-99, 8 937 288 80 99 …) или по ФИО."
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "Телефон клиента.")
    var phone: String?

    @Option(help: "Фамилия (поиск по ФИО).")
    var surname: String?

    @Option(help: "Имя.")
    var name: String?

    @Option(help: "Отчество.")
    var patronymic: String?

    @Flag(help: "Отчества нет (поиск по ФИО различает «без отчества» и отчество).")
    var noPatronymic = false

    @Option(help: "Дата рождения ДД.ММ.ГГГГ, уточняет поиск по ФИО.")
    var birthDate: String?

    @OptionGroup var pages: PageOptions

    func validate() throws {
        if phone == nil, surname == nil, !Console.isInteractive {
            throw ValidationError("Укажите --phone или --surname и --name")
        }
        if noPatronymic, patronymic != nil {
            throw ValidationError("Укажите --patronymic или --no-patronymic, не оба")
        }
    }

    /// The patronymic asked for, never assumed: «Смирнов Алексей» without one would find only
    /// the cards that have none.
    func askedPatronymic() throws -> String {
        if let patronymic { return patronymic }
        if noPatronymic { return "" }
        guard Console.isInteractive else {
            throw GatewayError.refusal("Укажите --patronymic или --no-patronymic (без отчества)", field: "full_name.patronymic")
        }
        let typed = try Console.ask("Отчество (или «без отчества»)", flag: "--patronymic").trimmingCharacters(in: .whitespaces)
        return ApdForm.noPatronymicWords.contains(typed.lowercased()) ? "" : typed
    }

    func run() async throws {
        let registry = try authorizedRegistry(global)
        let client = RegistryV1.ClientRegistry.Client(wrapping: registry.rpc)
        let cards: [RegistryV1.CardSummary]
        var phone = self.phone, surname = self.surname
        if phone == nil, surname == nil {
            // At the terminal with no flag: one question, a number or a surname.
            let typed = try Console.ask("Телефон клиента или фамилия", flag: "--phone").trimmingCharacters(in: .whitespaces)
            if typed.contains(where: \.isNumber) { phone = typed } else { surname = typed }
        }
        if let phone {
            let found = try await registry.call { _ in try await client.searchByPhone(RegistryV1.SearchByPhoneRequest(phone: phone)) }
            if global.json { return try Console.printJSON(found) }
            cards = found.cards
            print("Телефон \(Labels.phone(found.normalizedPhone)): найдено \(Labels.plural(cards.count, "карточка", "карточки", "карточек"))")
        } else {
            var request = RegistryV1.SearchByNameRequest()
            let name = try Console.value(name, "Имя", flag: "--name")
            let patronymic = try askedPatronymic()
            request.fullName = TypesV1.FullName(surname: surname ?? "", name: name, patronymic: patronymic)
            request.withoutPatronymic = patronymic.isEmpty
            if let birthDate { request.birthDate = try SchedulingDates.parseCalendarDate(birthDate, flag: "--birth-date") }
            let found = try await registry.call { _ in try await client.searchByName(request) }
            if global.json { return try Console.printJSON(found) }
            cards = found.cards
            print("Найдено \(Labels.plural(cards.count, "карточка", "карточки", "карточек"))")
        }
        guard !cards.isEmpty else { return }
        pages.show(cards) { cards in searchTable(cards) }
    }
}

/// Search results with the passport, which the card list of other screens leaves out.
func searchTable(_ cards: [RegistryV1.CardSummary], width: Int = TextTable.terminalWidth()) -> String {
    TextTable(
        headers: ["ID CRM", "ТИП", "ФИО", "ДАТА РОЖДЕНИЯ", "РЕГИОН ПРОЖИВАНИЯ", "ГОРОД", "ТЕЛЕФОН", "ПАСПОРТ"], keep: [0, 2, 3, 6, 7],
        rows: cards.map { card in
            [
                "\(card.cardID)", Labels.cardType(card.type), Labels.fullName(card.fullName),
                Labels.date(card.birthDate), Labels.region(card.region), card.settlement,
                Labels.phone(card.phone), Labels.passport(card.passport),
            ]
        }
    ).render(width: width)
}

/// A registry client carrying the saved session's access token, renewed as it nears expiry.
func authorizedRegistry(_ global: GlobalOptions) throws -> ServiceClient {
    let session = try SessionStore.standard().require()
    let endpoint = try global.endpoints().registry
    return endpoint.client(session: SessionKeeper(session: session, store: SessionStore.standard(), registry: endpoint))
}
