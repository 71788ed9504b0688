import CRMAPI
public import RPCCore
import Wire

/// Cards the registry holds, with their mobile numbers, read through GetCard before a run:
/// what `registry.search-by-phone` searches for, and what a template's `{{card}}` and
/// `{{card.phone}}` give.
public struct PreparedCards: Sendable {
    public struct Card: Sendable, Hashable {
        public var id: Int64
        /// The card's mobile numbers not struck out.
        public var phones: [String]
    }

    public var cards: [Card]

    public init(cards: [Card]) {
        self.cards = cards
    }

    /// Reads cards from id 1 up until `limit` of them have a mobile, stopping after 50
    /// missing ids in a row (the end of the registry).
    public static func load(_ rpc: RPCClient, metadata: Metadata, limit: Int = 2_000) async throws -> PreparedCards {
        let registry = RegistryV1.ClientRegistry.Client(wrapping: rpc)
        var cards: [Card] = []
        var missing = 0
        var cardID: Int64 = 1
        while cards.count < limit, missing < 50 {
            do {
                let card = try await registry.getCard(.init(cardID: cardID), metadata: metadata).card
                let phones = (card?.contacts ?? []).filter { $0.kind == .mobilePhone && !$0.struckOut }.map(\.value)
                if !phones.isEmpty { cards.append(Card(id: cardID, phones: phones)) }
                missing = 0
            } catch let error as RPCError where error.code == .notFound {
                missing += 1
            }
            cardID += 1
        }
        guard !cards.isEmpty else {
            throw LoadTestError("The registry holds no cards with a mobile phone: seed it first (registry --seed-clients N)")
        }
        return PreparedCards(cards: cards)
    }

    public var phones: [String] { cards.flatMap(\.phones) }
}
