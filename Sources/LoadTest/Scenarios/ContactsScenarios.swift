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
        summary: "OpenCallSession → SaveCallResult with the result (Не дозвонились / Не отвечает), on cards spread over 1,000,000 ids",
        role: .vcc
    ) { _, _ in
        let run = UUID().uuidString.prefix(8).lowercased()
        return { rpc, metadata, iteration in
            let calls = ContactsV1.Calls.Client(wrapping: rpc)
            let cardID = Int64((iteration &* 7_919) % 1_000_000) + 1
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
