import ArgumentParser
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

    @Option(help: "Отчество; не указывайте, если его нет.")
    var patronymic: String?

    @Option(help: "Дата рождения ДД.ММ.ГГГГ, уточняет поиск по ФИО.")
    var birthDate: String?

    func validate() throws {
        if phone == nil, surname == nil {
            throw ValidationError("Укажите --phone или --surname и --name")
        }
    }

    func run() async throws {
        let registry = try authorizedRegistry(global)
        let client = RegistryV1.ClientRegistry.Client(wrapping: registry.rpc)
        let cards: [RegistryV1.CardSummary]
        if let phone {
            let found = try await registry.call { _ in try await client.searchByPhone(RegistryV1.SearchByPhoneRequest(phone: phone)) }
            if global.json { return try Console.printJSON(found) }
            cards = found.cards
            print("Телефон \(Labels.phone(found.normalizedPhone)): найдено карточек: \(cards.count)")
        } else {
            var request = RegistryV1.SearchByNameRequest()
            // At a terminal the Отчество is asked, or «без отчества» said: never assumed silently.
            var middle = patronymic
            let given = try name ?? (Console.isInteractive ? Console.ask("Имя", flag: "--name") : "")
            if middle == nil && Console.isInteractive && !global.json {
                middle = try Console.question("Отчество (или «без отчества»)", flag: "--patronymic") { text in
                    ChoiceMatch<Bool>.normalized(text) == "без отчества" ? "" : text
                }
            }
            request.fullName = TypesV1.FullName(surname: surname ?? "", name: given, patronymic: middle ?? "")
            request.withoutPatronymic = (middle ?? "").isEmpty
            if let birthDate { request.birthDate = try SchedulingDates.parseCalendarDate(birthDate, flag: "--birth-date") }
            let found = try await registry.call { _ in try await client.searchByName(request) }
            if global.json { return try Console.printJSON(found) }
            cards = found.cards
            print("Найдено карточек: \(cards.count)")
        }
        guard !cards.isEmpty else { return }
        print(TextTable(
            headers: ["ID CRM", "ТИП", "ФИО", "ДАТА РОЖДЕНИЯ", "РЕГИОН ПРОЖИВАНИЯ", "ГОРОД", "ТЕЛЕФОН", "ПАСПОРТ"], keep: [0, 2, 3, 6, 7],
            rows: cards.map { card in
                [
                    "\(card.cardID)", Labels.cardType(card.type), Labels.fullName(card.fullName),
                    Labels.date(card.birthDate), Labels.region(card.region), card.settlement,
                    Labels.phone(card.phone), Labels.passport(card.passport),
                ]
            }
        ).render())
    }
}

/// A registry client carrying the saved session's access token, renewed as it nears expiry.
func authorizedRegistry(_ global: GlobalOptions) throws -> ServiceClient {
    let session = try SessionStore.standard().require()
    let endpoint = try global.endpoints().registry
    return endpoint.client(session: SessionKeeper(session: session, store: SessionStore.standard(), registry: endpoint))
}
