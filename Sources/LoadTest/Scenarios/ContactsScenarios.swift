import Auth
import CRMAPI
import Foundation
import RPCCore
import Wire

/// A saved call result and the collectors' work list.
enum ContactsScenarios {
    static let all = [saveOutcome, workList]

    /// One durable saved result per iteration: open a session on a card, then save «Не
    /// дозвонились / Не отвечает» (the commonest result of a dialling day) with the result in
    /// the save, as a dialler does. The report counts iterations: two calls, two durable writes.
    static let saveOutcome = LoadScenario(
        name: "contacts.save-outcome", service: "contacts",
        summary: "OpenCallSession → SaveCallResult with the result (Не дозвонились / Не отвечает), on the registry's cards (ids up to 1,000,000)",
        role: .vcc
    ) { rpc, metadata in
        let run = UUID().uuidString.prefix(8).lowercased()
        let cards = try await registryCards(ContactsV1.Calls.Client(wrapping: rpc), metadata, upTo: 1_000_000)
        return { rpc, metadata, iteration in
            let calls = ContactsV1.Calls.Client(wrapping: rpc)
            let cardID = Int64((iteration &* 7_919) % cards) + 1
            let opened = try await calls.openCallSession(.init(
                cardID: cardID, campaignID: "internet_calls", direction: .outgoing, cardType: .internetApplicant,
                clientRegion: TypesV1.RegionRef(code: "77", name: "г. Москва", moscowOffsetHours: 0)
            ), metadata: metadata)
            let session = opened.session?.sessionID ?? ""
            var result = ContactsV1.CallResult()
            result.firstLevel = .notReached(ContactsV1.NotReachedResult(reason: .noAnswer))
            _ = try await calls.saveCallResult(.init(sessionID: session, result: result), metadata: metadata.withKey(run, iteration))
        }
    }

    /// How many cards the registry behind contacts has (ids 1…n: seeded cards are numbered from
    /// 1), at most `limit`: contacts opens a session only on a card of the registry, so the
    /// highest id that opens one is found by doubling, then halving (about 40 sessions, each
    /// closed without a result).
    static func registryCards(_ calls: ContactsV1.Calls.Client, _ metadata: Metadata, upTo limit: Int) async throws -> Int {
        func exists(_ id: Int) async throws -> Bool {
            do {
                let opened = try await calls.openCallSession(.init(
                    cardID: Int64(id), campaignID: "internet_calls", direction: .outgoing, cardType: .internetApplicant
                ), metadata: metadata)
                _ = try await calls.exitWithoutSaving(.init(sessionID: opened.session?.sessionID ?? ""), metadata: metadata)
                return true
            } catch let error as RPCError where error.code == .notFound {
                return false
            }
        }
        guard try await exists(1) else { throw RPCError(code: .failedPrecondition, message: "the registry behind contacts has no card 1") }
        var low = 1
        var high = 2
        while high <= limit, try await exists(high) {
            low = high
            high *= 2
        }
        high = min(high, limit + 1)
        while high - low > 1 {
            let middle = (low + high) / 2
            if try await exists(middle) { low = middle } else { high = middle }
        }
        return low
    }

    /// The collector's first page: counts and rows, filtered to what 230-ФЗ lets be called now.
    static let workList = LoadScenario(
        name: "contacts.work-list", service: "contacts",
        summary: "GetWorkList, first page of 50 rows, as a collector",
        role: .collector
    ) { _, _ in
        { rpc, metadata, _ in
            _ = try await ContactsV1.Collection.Client(wrapping: rpc).getWorkList(.init(pageSize: 50), metadata: metadata)
        }
    }
}
