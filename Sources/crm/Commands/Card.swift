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
    }

    static let configuration = CommandConfiguration(abstract: "Карточка клиента и её вкладки.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "ID CRM карточки.")
    var cardID: Int64

    @Option(help: "Вкладка: \(Tab.allCases.map(\.rawValue).joined(separator: ", ")).")
    var tab: Tab = .personal

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
            print(CardView.products(products))
        case .halva:
            let answer = try await registry.call { _ in
                try await client.listHalvaTransactions(RegistryV1.ListHalvaTransactionsRequest(cardID: id, pageSize: 20))
            }
            if global.json { return try Console.printJSON(answer) }
            print(tab.title)
            print(CardView.halva(answer.transactions))
        case .linked:
            let answer = try await registry.call { _ in try await client.listLinkedCards(RegistryV1.ListLinkedCardsRequest(cardID: id)) }
            if global.json { return try Console.printJSON(answer) }
            print(tab.title)
            print(CardView.summaries(answer.cards))
        case .history:
            let auth = try Authorized(global)
            let history = ContactsV1.ContactHistory.Client(wrapping: auth.contacts.rpc)
            let answer = try await auth.contacts.call { _ in try await history.listContactHistory(.init(cardID: id, pageSize: 30)) }
            if global.json { return try Console.printJSON(answer) }
            print(tab.title)
            print(HistoryView.entries(answer.entries))
        case .sms:
            let auth = try Authorized(global)
            let sms = SchedulingV1.Sms.Client(wrapping: auth.scheduling.rpc)
            let answer = try await auth.scheduling.call { _ in try await sms.listClientSms(.init(cardID: id, pageSize: 30)) }
            if global.json { return try Console.printJSON(answer) }
            print(tab.title)
            print(HistoryView.sms(answer.messages))
        case .changes:
            let answer = try await registry.call { _ in
                try await client.listContactChanges(RegistryV1.ListContactChangesRequest(cardID: id, pageSize: 20))
            }
            if global.json { return try Console.printJSON(answer) }
            print(tab.title)
            print(CardView.changes(answer.changes))
        }
    }
}
