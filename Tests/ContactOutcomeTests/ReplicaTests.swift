import Auth
import CRMAPI
@testable import ContactOutcome
import Foundation
import RPCCore
import RPCTesting
import Testing
import Wire

@Suite("Two replicas over one database")
struct ReplicaTests {
    @Test("leases never collide across replicas; a session opened on one is saved on the other, once")
    func replicas() async throws {
        let path = NSTemporaryDirectory() + "contacts-\(UUID().uuidString).sqlite"
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let a = try Fixture(store: ContactsStore.open(path: path))
        let b = try Fixture(store: ContactsStore.open(path: path))
        try await a.run { ca in
            try await b.run { cb in
                _ = try await ca.lists.loadCallList(
                    .init(campaignID: "rcp", entries: (1...12).map { ContactsV1.CallListEntry(cardID: $0, region: moscow) }),
                    metadata: a.metadata(.vcc)
                )
                let cards = try await withThrowingTaskGroup(of: Int64?.self) { group in
                    for index in 0..<16 {
                        let (lists, fixture) = index % 2 == 0 ? (ca.lists, a) : (cb.lists, b)
                        group.addTask {
                            try await lists.nextClient(.init(campaignID: "rcp"), metadata: fixture.metadata(.vcc, login: "op\(index)")).lease?.cardID
                        }
                    }
                    var all: [Int64] = []
                    for try await card in group { if let card { all.append(card) } }
                    return all
                }
                #expect(cards.count == 12)
                #expect(Set(cards).count == 12)

                let session = try await a.open(ca.calls, card: 500, campaign: "rcp")
                _ = try await cb.calls.setDraftResult(.init(sessionID: session.sessionID, result: validAgreed), metadata: b.metadata(.vcc))
                let first = try await cb.calls.saveCallResult(.init(sessionID: session.sessionID), metadata: b.metadata(.vcc, key: "k1"))
                let retry = try await ca.calls.saveCallResult(.init(sessionID: session.sessionID), metadata: a.metadata(.vcc, key: "k1"))
                #expect(first == retry)
                #expect(try await a.count("history_entry") == 1)
            }
        }
    }
}
