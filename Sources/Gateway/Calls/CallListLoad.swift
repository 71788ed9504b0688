public import CRMAPI
public import RPCCore
public import Wire

/// Loads a campaign's call list from the registry's cards: the registry picks the cards
/// (types, regions or explicit ids), the contacts service lists them. Loading is
/// idempotent (an already listed card is only counted), so a load cut short by a failure
/// is finished by running it again.
public struct CallListLoad: Sendable {
    public struct Filter: Sendable, Hashable {
        public var types: [TypesV1.CardType]
        public var regionCodes: [String]
        public var cardIDs: [Int64]

        public init(types: [TypesV1.CardType] = [], regionCodes: [String] = [], cardIDs: [Int64] = []) {
            self.types = types
            self.regionCodes = regionCodes
            self.cardIDs = cardIDs
        }

        public var isEmpty: Bool { types.isEmpty && regionCodes.isEmpty && cardIDs.isEmpty }
    }

    /// What a load did, as `crm calllist load` reports it.
    public struct Report: Sendable, Hashable, Encodable {
        public var campaignID: String
        /// Cards the registry found for the filter.
        public var found = 0
        /// Found but without a live phone: not listed.
        public var withoutLivePhone = 0
        public var added = 0
        public var alreadyListed = 0
        public var skippedDoNotDisturb = 0
        /// Ids from the file the registry does not know.
        public var unknownCardIDs: [Int64] = []
    }

    /// LoadCallList takes up to 1,000 entries; a registry page is at most this many.
    static let pageSize: Int32 = 500
    /// Ids asked for at once, so a long file is split into requests of a sane size.
    static let idsPerRequest = 500

    let registry: ServiceClient
    let contacts: ServiceClient

    public init(registry: ServiceClient, contacts: ServiceClient) {
        self.registry = registry
        self.contacts = contacts
    }

    public func load(campaignID: String, _ filter: Filter) async throws(GatewayError) -> Report {
        guard !filter.isEmpty else { throw GatewayError("Укажите, кого загрузить: --region, --type или --ids-file") }
        let cards = RegistryV1.ClientRegistry.Client(wrapping: registry.rpc)
        let lists = ContactsV1.CallLists.Client(wrapping: contacts.rpc)
        var report = Report(campaignID: campaignID)
        let idGroups: [[Int64]] = filter.cardIDs.isEmpty
            ? [[]]
            : stride(from: 0, to: filter.cardIDs.count, by: Self.idsPerRequest).map { Array(filter.cardIDs[$0..<min($0 + Self.idsPerRequest, filter.cardIDs.count)]) }
        for ids in idGroups {
            var token = ""
            repeat {
                let request = RegistryV1.ListCardsForCallListRequest(
                    types: filter.types, regionCodes: filter.regionCodes, cardIDs: ids, pageSize: Self.pageSize, pageToken: token
                )
                let page = try await registry.call { _ in try await cards.listCardsForCallList(request) }
                report.found += page.cards.count
                report.unknownCardIDs += page.unknownCardIDs
                let entries = page.cards.filter(\.hasLivePhone).map { ContactsV1.CallListEntry(cardID: $0.cardID, region: $0.region) }
                report.withoutLivePhone += page.cards.count - entries.count
                if !entries.isEmpty {
                    let loaded: ContactsV1.LoadCallListResponse
                    do {
                        loaded = try await contacts.call { _ in try await lists.loadCallList(.init(campaignID: campaignID, entries: entries)) }
                    } catch {
                        guard report.added + report.alreadyListed > 0 else { throw error }
                        var partial = error
                        partial.message += "\nЗагружено до сбоя: \(report.added) (уже были в списке: \(report.alreadyListed)). "
                            + "Повторите ту же команду: загруженные не задвоятся."
                        throw partial
                    }
                    report.added += Int(loaded.added)
                    report.alreadyListed += Int(loaded.alreadyListed)
                    report.skippedDoNotDisturb += Int(loaded.skippedDoNotDisturb)
                }
                token = page.nextPageToken
            } while !token.isEmpty
        }
        report.unknownCardIDs = Array(Set(report.unknownCardIDs)).sorted()
        return report
    }

    /// A file of client ids: numbers separated by line breaks, spaces, commas or semicolons;
    /// `#` starts a comment. Each id once, in the file's order.
    public static func parseIDs(_ text: String, file: String) throws(GatewayError) -> [Int64] {
        var ids: [Int64] = []
        var seen = Set<Int64>()
        for (index, line) in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }).enumerated() {
            let content = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            for token in content.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "," || $0 == ";" || $0 == "\r" }) {
                guard let id = Int64(token), id > 0 else {
                    throw GatewayError("Файл \(file), строка \(index + 1): «\(token)» — не ID CRM карточки (нужно целое положительное число)")
                }
                if seen.insert(id).inserted { ids.append(id) }
            }
        }
        guard !ids.isEmpty else { throw GatewayError("В файле \(file) нет ни одного ID CRM карточки") }
        return ids
    }

    /// How the operator reads a report.
    public static func describe(_ report: Report, campaignName: String) -> String {
        var lines = ["Кампания «\(campaignName)»: загружено в список обзвона \(report.added)"]
        if report.alreadyListed > 0 { lines.append("  уже были в списке: \(report.alreadyListed)") }
        if report.skippedDoNotDisturb > 0 { lines.append("  пропущены («Не беспокоить»): \(report.skippedDoNotDisturb)") }
        if report.withoutLivePhone > 0 { lines.append("  пропущены (нет действующего телефона): \(report.withoutLivePhone)") }
        if !report.unknownCardIDs.isEmpty {
            let shown = report.unknownCardIDs.prefix(20).map(String.init).joined(separator: ", ")
            lines.append("  не найдены карточки (\(report.unknownCardIDs.count)): \(shown)\(report.unknownCardIDs.count > 20 ? ", …" : "")")
        }
        if report.found == 0 { lines.append("  по условиям не найдено ни одной карточки") }
        return lines.joined(separator: "\n")
    }
}
