import Auth
import CRMAPI
import RPCCore
import Wire

/// Search by phone and the card: what an operator does on every call.
enum RegistryScenarios {
    static let all = [searchByPhone, searchByPhoneMiss, getCard]

    /// Phones held by the first cards of the registry, read through GetCard before the
    /// run: every search finds at least one card, as a caller's number usually does.
    static let searchByPhone = LoadScenario(
        name: "registry.search-by-phone", service: "registry",
        summary: "SearchByPhone of numbers the registry holds (read from up to 2,000 cards before the run)",
        role: .vcc
    ) { rpc, metadata in
        let found = try await PreparedCards.load(rpc, metadata: metadata).phones
        return { rpc, metadata, iteration in
            _ = try await RegistryV1.ClientRegistry.Client(wrapping: rpc).searchByPhone(.init(phone: found[iteration % found.count]), metadata: metadata)
        }
    }

    /// Synthetic mobiles: most miss, as a busy line's lookups of unknown callers do.
    static let searchByPhoneMiss = LoadScenario(
        name: "registry.search-by-phone-miss", service: "registry",
        summary: "SearchByPhone of synthetic mobile numbers (mostly not in the registry)",
        role: .vcc
    ) { _, _ in
        { rpc, metadata, iteration in
            _ = try await RegistryV1.ClientRegistry.Client(wrapping: rpc).searchByPhone(
                .init(phone: RequestTemplate.syntheticPhone(iteration)), metadata: metadata
            )
        }
    }

    /// The card with its contacts, of ids spread over the registry.
    static let getCard = LoadScenario(
        name: "registry.get-card", service: "registry",
        summary: "GetCard of card ids spread over the registry's first 100,000 (or as many as it holds)",
        role: .vcc
    ) { rpc, metadata in
        let registry = RegistryV1.ClientRegistry.Client(wrapping: rpc)
        // The highest id that exists, by halving down from 100,000.
        var high: Int64 = 100_000
        while high > 1 {
            if (try? await registry.getCard(.init(cardID: high), metadata: metadata)) != nil { break }
            high /= 2
        }
        let count = max(1, high)
        return { rpc, metadata, iteration in
            // A multiplicative stride visits the ids in a scattered order.
            let id = Int64((iteration &* 7_919) % Int(count)) + 1
            _ = try await RegistryV1.ClientRegistry.Client(wrapping: rpc).getCard(.init(cardID: id), metadata: metadata)
        }
    }
}
