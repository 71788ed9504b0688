import ArgumentParser
import Foundation
import CRMAPI
import Gateway
import Wire

struct Card: AsyncParsableCommand {
    enum Tab: String, ExpressibleByArgument, CaseIterable {
        case personal, sms, history, products, halva, closed, linked, changes

        var title: String {
            switch self {
            case .personal: "Личные данные"
            case .sms: "SMS-сообщения клиенту"
            case .history: "История последних контактов"
            case .products: "Текущие продукты"
            case .closed: "История оформленных продуктов"
            case .halva: "Транзакции по Халве"
            case .linked: "Связанные карточки"
            case .changes: "История изменения контактных данных"
            }
        }

        /// The tab by its number on the card (1–8), its Russian name (or a word of it that
        /// names one tab: «халва», «смс», «изменения»), or its key.
        init?(argument: String) {
            let wanted = argument.trimmingCharacters(in: .whitespaces).lowercased()
            if let number = Int(wanted), Self.allCases.indices.contains(number - 1) {
                self = Self.allCases[number - 1]
                return
            }
            if let tab = Self(rawValue: wanted) { self = tab; return }
            let aliases: [String: Tab] = ["смс": .sms, "sms": .sms, "халва": .halva, "изменения": .changes, "связанные": .linked]
            if let tab = aliases[wanted] { self = tab; return }
            let matches = Self.allCases.filter { $0.title.lowercased().contains(wanted) }
            guard !wanted.isEmpty, matches.count == 1 else { return nil }
            self = matches[0]
        }

        /// The help lists the tabs by number and name in its discussion, not by key.
        static var allValueStrings: [String] { [] }
        static var allValueDescriptions: [String: String] { [:] }

        static var help: String {
            allCases.enumerated().map { "\($0.offset + 1) — \($0.element.title.lowercased()) (\($0.element.rawValue))" }.joined(separator: "; ")
        }
    }

    static let configuration = CommandConfiguration(abstract: "Карточка клиента и её вкладки.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "ID CRM карточки.")
    var cardID: Int64

    @Option(help: ArgumentHelp("Вкладка: номер, название или ключ.", discussion: Tab.help))
    var tab: Tab = .personal

    @OptionGroup var pages: PageOptions

    func show<T>(_ items: [T], _ render: ([T]) -> String) { pages.show(items, render) }

    /// Every page of a list the service gives out in pages.
    func everyPage<T>(_ fetch: (String) async throws -> (items: [T], next: String)) async throws -> [T] {
        var items: [T] = []
        var token = ""
        repeat {
            let answer = try await fetch(token)
            items += answer.items
            token = answer.next
        } while !token.isEmpty && items.count < 10_000
        return items
    }

    func run() async throws {
        let registry = try authorizedRegistry(global)
        let client = RegistryV1.ClientRegistry.Client(wrapping: registry.rpc)
        let id = cardID
        switch tab {
        case .personal:
            let answer = try await registry.call { _ in try await client.getCard(RegistryV1.GetCardRequest(cardID: id)) }
            if global.json { return try Console.printJSON(answer) }
            guard let card = answer.card else { throw GatewayError("Карточка \(id) не найдена") }
            print(CardView.personal(card))
        case .products, .closed:
            let products = tab == .products
                ? try await registry.call { _ in try await client.listCurrentProducts(RegistryV1.ListCurrentProductsRequest(cardID: id)) }.products
                : try await registry.call { _ in try await client.listProductHistory(RegistryV1.ListProductHistoryRequest(cardID: id)) }.products
            if global.json { return try Console.printJSON(products) }
            print(tab.title)
            show(products) { CardView.products($0) }
        case .halva:
            let transactions = try await everyPage { token in
                let answer = try await registry.call { _ in
                    try await client.listHalvaTransactions(RegistryV1.ListHalvaTransactionsRequest(cardID: id, pageSize: 100, pageToken: token))
                }
                return (answer.transactions, answer.nextPageToken)
            }
            if global.json { return try Console.printJSON(transactions) }
            print(tab.title)
            show(transactions, CardView.halva)
        case .linked:
            let answer = try await registry.call { _ in try await client.listLinkedCards(RegistryV1.ListLinkedCardsRequest(cardID: id)) }
            if global.json { return try Console.printJSON(answer) }
            print(tab.title)
            show(answer.cards) { CardView.summaries($0) }
        case .history:
            let auth = try Authorized(global)
            let history = ContactsV1.ContactHistory.Client(wrapping: auth.contacts.rpc)
            let entries = try await everyPage { token in
                let answer = try await auth.contacts.call { _ in try await history.listContactHistory(.init(cardID: id, pageSize: 100, pageToken: token)) }
                return (answer.entries, answer.nextPageToken)
            }
            if global.json { return try Console.printJSON(entries) }
            // A refusal is stored by its reason's id: the campaigns give its label.
            let campaigns = ContactsV1.Campaigns.Client(wrapping: auth.contacts.rpc)
            let reasons = try await auth.contacts.call { _ in try await campaigns.listCampaigns(.init(includeInactive: true)) }.refusalReasonLabels
            print(tab.title)
            show(entries) { HistoryView.entries($0, refusalReasons: reasons) }
        case .sms:
            let auth = try Authorized(global)
            let sms = SchedulingV1.Sms.Client(wrapping: auth.scheduling.rpc)
            let messages = try await everyPage { token in
                let answer = try await auth.scheduling.call { _ in try await sms.listClientSms(.init(cardID: id, pageSize: 100, pageToken: token)) }
                return (answer.messages, answer.nextPageToken)
            }
            if global.json { return try Console.printJSON(messages) }
            print(tab.title)
            show(messages, HistoryView.sms)
        case .changes:
            let changes = try await everyPage { token in
                let answer = try await registry.call { _ in
                    try await client.listContactChanges(RegistryV1.ListContactChangesRequest(cardID: id, pageSize: 100, pageToken: token))
                }
                return (answer.changes, answer.nextPageToken)
            }
            if global.json { return try Console.printJSON(changes) }
            print(tab.title)
            show(changes) { CardView.changes($0) }
        }
    }
}
