import Auth
import CRMAPI
@testable import ContactOutcome
import CRMDomain
import Foundation
import RPCCore
import Testing
import TestSupport
import Wire

/// The work list never hides a debtor silently: the tasks 230-ФЗ holds back at this moment
/// are counted, listed on request with the moment each opens, and the dry run of a contact
/// names the debtor's offset and the next allowed moment.
@Suite("Held-back work-list tasks")
struct HeldBackTests {
    @Test("held back by the daily cap, then by the debtor's night; each opens at the next allowed moment")
    func heldBackTasks() async throws {
        let fixture = try Fixture()
        try await fixture.run { c in
            _ = try await c.collection.upsertPortfolio(.init(contracts: [
                contract("Z1", priority: 100), contract("ZV", offset: 7), contract("ZI", procedure: .incomingCall),
            ]), metadata: fixture.metadata(.system, login: "loader"))
            let svv = fixture.metadata(.collector, login: "svv")
            // 09:00 in Moscow, 16:00 in Приморье: nothing held back.
            let morning = try await c.collection.getWorkList(.init(includeHeldBack: true), metadata: svv)
            #expect(morning.heldBackCount == 0 && morning.heldBack.isEmpty)

            // One call to Z1 today: held back by the daily cap until the debtor's next morning.
            _ = try await c.collection.recordContactAttempt(.init(contractNumber: "Z1", channel: .call, phone: "9372888099"), metadata: svv)
            let wednesday = tuesday.adding(days: 1)
            let capped = try await c.collection.getWorkList(.init(includeHeldBack: true), metadata: svv)
            #expect(capped.heldBackCount == 1 && !capped.rows.map(\.contractNumber).contains("Z1"))
            let z1 = try #require(capped.heldBack.first)
            #expect(z1.contractNumber == "Z1" && z1.heldBy == .callsPerDay && z1.utcOffsetMinutes == 180)
            #expect(z1.opensAtUnixMs == wednesday.unixMs(atMinute: Law230.hours(on: wednesday, .shipped).lowerBound, utcOffsetMinutes: 180))

            // 15:30 in Moscow is 22:30 in Приморье: ZV is held back by the local hours too.
            fixture.clock.advance(ms: 6 * 3_600_000 + 30 * 60_000)
            let late = try await c.collection.getWorkList(.init(includeHeldBack: true), metadata: svv)
            #expect(late.heldBackCount == 2)
            let zv = try #require(late.heldBack.first { $0.contractNumber == "ZV" })
            #expect(zv.heldBy == .localHours && zv.utcOffsetMinutes == 600)
            let opens = wednesday.unixMs(atMinute: Law230.hours(on: wednesday, .shipped).lowerBound, utcOffsetMinutes: 600)
            #expect(zv.opensAtUnixMs == opens)
            #expect(late.heldBack.map(\.contractNumber) == ["ZV", "Z1"], "soonest opening first")
            // Counted without being listed unless asked; the incoming-call row is never held back.
            let plain = try await c.collection.getWorkList(.init(), metadata: svv)
            #expect(plain.heldBackCount == 2 && plain.heldBack.isEmpty && plain.rows.map(\.contractNumber) == ["ZI"])

            // The dry run names the debtor's offset and the next allowed moment; a call now is still refused.
            let dry = try await c.collection.recordContactAttempt(.init(contractNumber: "ZV", channel: .call, dryRun: true), metadata: svv)
            #expect(!dry.allowed && dry.refusedBy == .localHours && dry.debtorUtcOffsetMinutes == 600 && dry.nextAllowedUnixMs == opens)
            let early = await rpcError { _ = try await c.collection.recordContactAttempt(.init(contractNumber: "ZV", channel: .call), metadata: svv) }
            #expect(early?.code == .failedPrecondition)
        }
    }

    @Test("the next moment inside the local hours skips the night and starts a weekend later")
    func nextWithinHours() {
        let saturday = tuesday.adding(days: 4)
        let fridayNight = tuesday.adding(days: 3).unixMs(atMinute: 23 * 60, utcOffsetMinutes: 180)
        let opens = Law230.nextWithinHours(fromMs: fridayNight, utcOffsetMinutes: 180, .shipped)
        #expect(opens == saturday.unixMs(atMinute: Law230.hours(on: saturday, .shipped).lowerBound, utcOffsetMinutes: 180))
        let noon = tuesday.unixMs(atMinute: 12 * 60, utcOffsetMinutes: 180)
        #expect(Law230.nextWithinHours(fromMs: noon, utcOffsetMinutes: 180, .shipped) == noon)
    }
}
