import Auth
import CRMAPI
import Foundation
public import RPCCore
import Wire

/// What the loan system and the campaign planners feed the contacts service, for a fresh
/// `crm up` or `crm demo`: the debtor portfolio (the registry's contracts with debt, with
/// their real figures) for the collector, and the outgoing call lists of the campaigns
/// (cards selected in the registry). It runs as a system account signed with the secret
/// the supervisor gave the services — the same way the registry sends login codes.
public struct ContactsFeed: Sendable {
    /// A portfolio row to load: which contract, whose work list, how urgent.
    public struct PortfolioItem: Sendable {
        public var contractNumber: String
        public var collectorLogin: String
        public var procedure: ContactsV1.CollectionProcedure
        public var priority: Int32

        public init(contractNumber: String, collectorLogin: String, procedure: ContactsV1.CollectionProcedure, priority: Int32) {
            self.contractNumber = contractNumber
            self.collectorLogin = collectorLogin
            self.procedure = procedure
            self.priority = priority
        }
    }

    /// A campaign's call list: the card types it calls.
    public struct CallListPlan: Sendable {
        public var campaignID: String
        public var types: [TypesV1.CardType]
        /// At most this many cards.
        public var limit: Int

        public init(campaignID: String, types: [TypesV1.CardType], limit: Int) {
            self.campaignID = campaignID
            self.types = types
            self.limit = limit
        }
    }

    /// The demo's anchors (Sources/ClientRegistry/DemoData/DemoAnchors.swift): the overdue
    /// contracts of «client» (outgoing work, offered only in the debtor's legal hours) and
    /// «bureau-refusal» (an incoming-call task, offered at any hour) on collector.volkov's
    /// list. The repaid Z600531987510 is loaded too: with debt 0 it must stay off the list.
    public static let demoPortfolio = [
        PortfolioItem(contractNumber: "Z600531987509", collectorLogin: "collector.volkov", procedure: .portfolio, priority: 100),
        PortfolioItem(contractNumber: "Z600531987511", collectorLogin: "collector.volkov", procedure: .incomingCall, priority: 10),
        PortfolioItem(contractNumber: "Z600531987510", collectorLogin: "collector.volkov", procedure: .portfolio, priority: 1),
    ]

    public static let demoCallLists = [
        CallListPlan(campaignID: "internet_calls", types: [.internetApplicant], limit: 500),
        CallListPlan(campaignID: "rcg_halva_activation", types: [.client], limit: 500),
        CallListPlan(campaignID: "announcement_marking", types: [.interested, .onlineChat], limit: 500),
    ]

    let registry: ServiceClient
    let contacts: ServiceClient

    public init(endpoints: ServiceEndpoints, authSecret: String) throws(GatewayError) {
        let signer: SessionTokenSigner
        do {
            signer = try SessionTokenSigner(secret: authSecret, lifetime: .seconds(3600))
        } catch {
            throw GatewayError("Секрет подписи сессий слишком короткий: \(error)")
        }
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let token = signer.sign(signer.claims(operatorID: 0, login: "crm-feed", role: .system, fullName: "Загрузка данных", nowMs: now))
        var metadata = Metadata()
        metadata.bearerToken = token
        registry = endpoints.registry.client(metadata: metadata, timeout: .seconds(30))
        contacts = endpoints.contacts.client(metadata: metadata, timeout: .seconds(30))
    }

    /// Loads the portfolio rows from the registry's loans; returns how many were loaded.
    @discardableResult
    public func loadPortfolio(_ items: [PortfolioItem]) async throws(GatewayError) -> Int {
        let loans = RegistryV1.ClientRegistry.Client(wrapping: registry.rpc)
        var contracts: [ContactsV1.PortfolioContract] = []
        let today = SchedulingDates.moscowToday()
        for item in items {
            let loan = try await registry.call { _ in try await loans.getLoan(.init(contractNumber: item.contractNumber)) }.loan
            guard let loan else { continue }
            contracts.append(ContactsV1.PortfolioContract(
                contractNumber: loan.contractNumber, cardID: loan.cardID, borrower: loan.borrower, region: loan.region,
                collectorLogin: item.collectorLogin, procedure: item.procedure, priority: item.priority,
                plannedStart: loan.general?.overdueSince ?? today,
                debtKopecks: loan.general?.debtKopecks ?? 0, overdueKopecks: loan.general?.overdueKopecks ?? 0,
                overdueDays: loan.general?.overdueDays ?? 0, lastPaymentDate: loan.paymentStatus?.lastPaymentDate
            ))
        }
        let collection = ContactsV1.Collection.Client(wrapping: contacts.rpc)
        _ = try await contacts.call { _ in try await collection.upsertPortfolio(.init(contracts: contracts)) }
        return contracts.count
    }

    /// Fills each campaign's list with the registry's cards of its types; returns how many
    /// cards were added in all.
    @discardableResult
    public func loadCallLists(_ plans: [CallListPlan]) async throws(GatewayError) -> Int {
        let registryClient = RegistryV1.ClientRegistry.Client(wrapping: registry.rpc)
        let lists = ContactsV1.CallLists.Client(wrapping: contacts.rpc)
        var added = 0
        for plan in plans {
            var token = ""
            var taken = 0
            repeat {
                let page = try await registry.call { _ in
                    try await registryClient.listCardsForCallList(.init(
                        types: plan.types, pageSize: Int32(min(500, plan.limit - taken)), pageToken: token
                    ))
                }
                let entries = page.cards.filter(\.hasLivePhone).map { ContactsV1.CallListEntry(cardID: $0.cardID, region: $0.region) }
                if !entries.isEmpty {
                    added += Int(try await contacts.call { _ in
                        try await lists.loadCallList(.init(campaignID: plan.campaignID, entries: entries))
                    }.added)
                }
                taken += page.cards.count
                token = page.nextPageToken
            } while !token.isEmpty && taken < plan.limit
        }
        return added
    }
}
