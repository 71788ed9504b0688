import Auth
import CRMAPI
@testable import ContactOutcome
import Foundation
import RPCCore
import Testing
import Wire
import TestSupport

/// Refusals that protect the lists and the portfolio: each leaves nothing written.
@Suite("Guards")
struct GuardsTests {
    @Test("leases: another operator's or one held by an open call cannot be released; an inactive campaign gives no client")
    func leases() async throws {
        let fixture = try Fixture()
        try await fixture.run { c in
            _ = try await c.lists.loadCallList(.init(campaignID: "announcement_marking", entries: [.init(cardID: 3, region: moscow)]), metadata: fixture.metadata(.vcc))
            let lease = try #require(try await c.lists.nextClient(.init(campaignID: "announcement_marking"), metadata: fixture.metadata(.vcc)).lease)
            let foreign = await rpcError { _ = try await c.lists.releaseLease(.init(leaseID: lease.leaseID), metadata: fixture.metadata(.vcc, login: "ivanov")) }
            #expect(foreign?.code == .failedPrecondition)
            #expect(foreign?.fieldViolations.first?.field == "lease_id")
            let otherCard = await rpcError { _ = try await fixture.open(c.calls, card: 4, lease: lease.leaseID) }
            #expect(otherCard?.code == .failedPrecondition)
            let session = try await fixture.open(c.calls, card: 3, lease: lease.leaseID)
            let inCall = await rpcError { _ = try await c.lists.releaseLease(.init(leaseID: lease.leaseID), metadata: fixture.metadata(.vcc)) }
            #expect(inCall?.message == "По клиенту уже открыт звонок: завершите его")
            let twice = await rpcError { _ = try await fixture.open(c.calls, card: 3, lease: lease.leaseID) }
            #expect(twice?.code == .failedPrecondition)
            _ = try await c.calls.exitWithoutSaving(.init(sessionID: session.sessionID), metadata: fixture.metadata(.vcc))
            let gone = await rpcError { _ = try await c.lists.releaseLease(.init(leaseID: lease.leaseID), metadata: fixture.metadata(.vcc)) }
            #expect(gone?.code == .notFound)
            let inactive = await rpcError { _ = try await c.lists.nextClient(.init(campaignID: "deposit_autumn_2017"), metadata: fixture.metadata(.vcc)) }
            #expect(inactive?.code == .failedPrecondition)
            let unknown = await rpcError { _ = try await c.lists.nextClient(.init(campaignID: "nope"), metadata: fixture.metadata(.vcc)) }
            #expect(unknown?.code == .notFound)
            let tooMany = await rpcError {
                _ = try await c.lists.loadCallList(
                    .init(campaignID: "rcp", entries: (1...1_001).map { ContactsV1.CallListEntry(cardID: Int64($0), region: moscow) }), metadata: fixture.metadata(.vcc)
                )
            }
            #expect(tooMany?.fieldViolations.first?.field == "entries")
            let badCard = await rpcError { _ = try await c.lists.loadCallList(.init(campaignID: "rcp", entries: [.init(cardID: 0)]), metadata: fixture.metadata(.vcc)) }
            #expect(badCard?.fieldViolations.first?.field == "entries[0].card_id")
            #expect(try await fixture.count("call_list", where: "campaign_id = 'rcp'") == 0)
        }
    }

    @Test("portfolio and contact attempts: a bad contract is refused whole, naming the field")
    func portfolio() async throws {
        let fixture = try Fixture()
        try await fixture.run { c in
            let system = fixture.metadata(.system, login: "loader")
            let noNumber = await rpcError { _ = try await c.collection.upsertPortfolio(.init(contracts: [contract("Z1"), contract("")]), metadata: system) }
            #expect(noNumber?.fieldViolations.first?.field == "contracts[1].contract_number")
            let negative = await rpcError { _ = try await c.collection.upsertPortfolio(.init(contracts: [contract("Z1"), contract("Z2", debt: -1)]), metadata: system) }
            #expect(negative?.fieldViolations.first?.field == "contracts[1].debt_kopecks")
            let tooMany = await rpcError { _ = try await c.collection.upsertPortfolio(.init(contracts: (0...1_000).map { contract("Z\($0)") }), metadata: system) }
            #expect(tooMany?.fieldViolations.first?.field == "contracts")
            #expect(try await fixture.count("portfolio") == 0)
            let collector = await rpcError { _ = try await c.collection.upsertPortfolio(.init(contracts: [contract("Z1")]), metadata: fixture.metadata(.collector, login: "svv")) }
            #expect(collector?.code == .permissionDenied)
            _ = try await c.collection.upsertPortfolio(.init(contracts: [contract("Z1")]), metadata: system)
            let svv = fixture.metadata(.collector, login: "svv")
            let noChannel = await rpcError { _ = try await c.collection.recordContactAttempt(.init(contractNumber: "Z1"), metadata: svv) }
            #expect(noChannel?.fieldViolations.first?.field == "channel")
            let badPhone = await rpcError { _ = try await c.collection.recordContactAttempt(.init(contractNumber: "Z1", channel: .call, phone: "12"), metadata: svv) }
            #expect(badPhone?.fieldViolations.first?.field == "phone")
            #expect(try await fixture.count("contact_attempt") == 0)
            #expect(try await fixture.count("history_entry") == 0)
        }
    }
}
