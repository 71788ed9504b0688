import Auth
import CRMAPI
@testable import ContactOutcome
import CRMDomain
import Foundation
import RPCCore
import RPCTesting
import Synchronization
import Testing
import Wire

/// «Отказ клиента» keeps the contract off the collector's work list for at least 4 × 24 hours
/// (DOMAIN.md §7 «не менее 4 дней»), whatever the local hour of the refusal; it comes back
/// on the 5th local day after it, at the first minute the 230-ФЗ hours allow a call.
@Suite("Отказ клиента: at least 4 × 24 hours off the work list")
struct RefusalHidingTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var label: String
        /// The debtor's region, hours from Moscow.
        var offset: Int32
        /// The local minute of the refusal on Monday 16 March 2026 (a working day).
        var minute: Int
        /// The debtor's local moment the contract is offered again: Saturday 21 March (a day
        /// off: the 230-ФЗ hours open at 09:00).
        var back: Int
        var testDescription: String { label }
    }

    static let monday = date(2026, 3, 16)
    static let saturday = date(2026, 3, 21)

    static let cases: [Case] = [
        // Was: back Friday 08:30 local after a refusal on Monday 21:00, 3 days 11½ hours.
        Case(label: "Monday 21:00 in Moscow", offset: 0, minute: 21 * 60, back: 9 * 60),
        Case(label: "Monday 08:00 in Moscow", offset: 0, minute: 8 * 60, back: 9 * 60),
        Case(label: "Monday 21:59 in Камчатка", offset: 9, minute: 21 * 60 + 59, back: 9 * 60),
        Case(label: "Monday 12:30 in Калининград", offset: -1, minute: 12 * 60 + 30, back: 9 * 60),
    ]

    @Test(arguments: cases)
    func refusal(_ test: Case) async throws {
        let fixture = try Fixture()
        let offset = utcOffsetMinutes(moscowOffsetHours: test.offset)
        let refusedAt = Self.monday.unixMs(atMinute: test.minute, utcOffsetMinutes: offset)
        fixture.clock.value.withLock { $0 = refusedAt }
        try await fixture.run { c in
            _ = try await c.collection.upsertPortfolio(
                .init(contracts: [contract("Z600531987509", start: Self.monday, offset: test.offset)]), metadata: fixture.metadata(.system, login: "loader")
            )
            let svv = fixture.metadata(.collector, login: "svv")
            func listed() async throws -> Bool {
                try await c.collection.getWorkList(.init(), metadata: svv).rows.map(\.contractNumber) == ["Z600531987509"]
            }
            #expect(try await listed(), "on the list before the call")
            try await Self.refuse(c, fixture)

            // Every quarter of an hour for 4 × 24 hours, and on to the moment it is back.
            let back = Self.saturday.unixMs(atMinute: test.back, utcOffsetMinutes: offset)
            #expect(back - refusedAt >= 4 * 86_400_000)
            var at = refusedAt
            var offered: [Int64] = []
            while at < back {
                fixture.clock.value.withLock { $0 = at }
                if try await listed() { offered.append(at) }
                at += 15 * 60_000
            }
            fixture.clock.value.withLock { $0 = refusedAt + 4 * 86_400_000 - 1 }
            if try await listed() { offered.append(refusedAt + 4 * 86_400_000 - 1) }
            #expect(offered.isEmpty, "offered \(offered.map { Double($0 - refusedAt) / 3_600_000 }) hours after the refusal")
            fixture.clock.value.withLock { $0 = back }
            #expect(try await listed(), "back on Saturday at \(clockText(test.back)) local")
            print("refusal \(test.label): off the work list \(Double(back - refusedAt) / 3_600_000) h")
        }
    }

    /// An incoming call from the client ending in «Отказ в выполнении оплаты» — «Отказ клиента».
    static func refuse(_ c: Fixture.Clients, _ fixture: Fixture) async throws {
        let svv = fixture.metadata(.collector, login: "svv")
        let key = try await c.incoming.startIncomingCall(.init(), metadata: svv).step!.processKey
        func submit(_ frame: ContactsV1.IncomingCallFrame, _ input: In, idem: String? = nil) async throws -> ContactsV1.IncomingCallStep {
            try await c.incoming.submitIncomingCallFrame(
                .init(processKey: key, frame: frame, input: ContactsV1.FrameInput(input: input)), metadata: fixture.metadata(.collector, login: "svv", key: idem)
            ).step!
        }
        _ = try await submit(.phoneEntry, .phoneEntry(.init(phone: "(937) 288-80-99")))
        _ = try await submit(.identification, .identification(.init(method: .byPhone, contractNumber: "Z600531987509", phoneOwnership: .client)))
        _ = try await submit(.whoCalled, .whoCalled(.init(caller: .client)))
        _ = try await submit(.client, .clientResult(.init(result: .refusal)))
        _ = try await submit(.refusal, .refusal(.init(reason: .clientRefusal)))
        let done = try await submit(.finish, .finish(.init()), idem: "fin-\(key)")
        #expect(done.finished)
    }
}
