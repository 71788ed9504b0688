import Foundation
public import Auth
public import RPCCore

/// A contact centre's traffic across all three services at once: the named scenarios in
/// the proportions of an operator's day, each with a token of the role that does it.
///
/// The default weights (`operatorDay`), per 100 calls, follow one inbound or outbound call
/// of the VCC manual and a collector's turn: the operator finds the caller by phone (25, and
/// 5 more for unknown numbers), opens the card and moves through its tabs (30: about three
/// card reads a call), saves the call's result (20: one per call, open → save), collectors
/// read their work list between calls (10), and a call that ends in «Согласился» books a
/// visit (5) or sends an SMS (5: the visit reminder, the app link). Searches and card reads
/// dominate, as in the manuals, where every call starts with them and only some end in a
/// booking or an SMS.
public struct LoadMix: Sendable {
    public struct Part: Sendable {
        public var scenario: LoadScenario
        public var weight: Int

        public init(scenario: LoadScenario, weight: Int) {
            self.scenario = scenario
            self.weight = weight
        }
    }

    public var parts: [Part]
    /// Which part each of the `totalWeight` slots of a cycle goes to, spread evenly (smooth
    /// weighted round robin), and the slot's number among its part's slots.
    private let slots: [(part: Int, occurrence: Int)]

    public init(parts: [Part]) throws(LoadTestError) {
        guard !parts.isEmpty, parts.allSatisfy({ $0.weight > 0 }) else {
            throw LoadTestError("A mix needs at least one scenario, each with a positive weight")
        }
        self.parts = parts
        let total = parts.map(\.weight).reduce(0, +)
        var current = [Int](repeating: 0, count: parts.count)
        var seen = [Int](repeating: 0, count: parts.count)
        var slots: [(Int, Int)] = []
        for _ in 0..<total {
            for index in parts.indices { current[index] += parts[index].weight }
            let chosen = current.indices.max { current[$0] < current[$1] }!
            current[chosen] -= total
            slots.append((chosen, seen[chosen]))
            seen[chosen] += 1
        }
        self.slots = slots
    }

    public static let operatorDayWeights: [(String, Int)] = [
        ("registry.search-by-phone", 25), ("registry.search-by-phone-miss", 5), ("registry.get-card", 30),
        ("contacts.save-outcome", 20), ("contacts.work-list", 10),
        ("scheduling.book-slot", 5), ("scheduling.enqueue-sms", 5),
    ]

    /// `name=weight,…` over the named scenarios; nil gives `operatorDayWeights`.
    public static func parse(_ text: String?) throws(LoadTestError) -> LoadMix {
        var weights = operatorDayWeights
        if let text {
            weights = []
            for item in text.split(separator: ",") {
                let pair = item.split(separator: "=")
                guard pair.count == 2, let weight = Int(pair[1].trimmingCharacters(in: .whitespaces)) else {
                    throw LoadTestError("--weights is NAME=WEIGHT,…, e.g. registry.get-card=30,contacts.work-list=10")
                }
                weights.append((pair[0].trimmingCharacters(in: .whitespaces), weight))
            }
        }
        var parts: [Part] = []
        for (name, weight) in weights {
            guard let scenario = LoadScenario.named(name) else {
                throw LoadTestError("Unknown scenario \(name); `crm-load scenarios` lists them")
            }
            parts.append(Part(scenario: scenario, weight: weight))
        }
        return try LoadMix(parts: parts)
    }

    /// The part ticket `ticket` runs, and the iteration number it gets in its scenario
    /// (from 1: 0 is its preflight), unique within the part.
    public func pick(_ ticket: Int) -> (part: Int, iteration: Int) {
        let total = slots.count
        let cycle = max(0, ticket) / total
        let slot = slots[max(0, ticket) % total]
        return (slot.part, cycle * parts[slot.part].weight + slot.occurrence + 1)
    }

    /// Prepares every part against its service (a client for each, a token of its role)
    /// and checks each with one iteration, then returns the iteration the runner repeats
    /// and the name each ticket is reported under.
    public func prepare(
        clients: @Sendable (String) -> [RPCClient], metadata: @Sendable (Role) -> Metadata,
        log: @Sendable (String) -> Void = { _ in }
    ) async throws -> (iteration: LoadScenario.Iteration, name: @Sendable (Int) -> String) {
        var iterations: [LoadScenario.Iteration] = []
        var partClients: [[RPCClient]] = []
        var partMetadata: [Metadata] = []
        for part in parts {
            let scenario = part.scenario
            let connections = clients(scenario.service)
            let roleMetadata = metadata(scenario.role)
            log("preparing \(scenario.name)…")
            let iteration = try await scenario.prepare(connections[0], roleMetadata)
            do {
                try await iteration(connections[0], roleMetadata, 0)
            } catch is ExpectedRefusal {
            } catch let error as RPCError {
                throw PreflightError(method: scenario.name, code: "\(error.code)", message: error.message)
            } catch let error as LoadTestError {
                throw PreflightError(method: scenario.name, code: "PREPARE", message: error.description)
            }
            iterations.append(iteration)
            partClients.append(connections)
            partMetadata.append(roleMetadata)
        }
        let names = parts.map(\.scenario.name)
        let mix = self
        let frozenIterations = iterations, frozenClients = partClients, frozenMetadata = partMetadata
        return (
            { _, _, ticket in
                let (part, number) = mix.pick(ticket)
                let connections = frozenClients[part]
                let client = connections[ticket % connections.count]
                try await frozenIterations[part](client, frozenMetadata[part], number)
            },
            { ticket in names[mix.pick(ticket).part] }
        )
    }
}
