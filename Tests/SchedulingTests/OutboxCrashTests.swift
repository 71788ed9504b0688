import Auth
import CRMAPI
import CRMDomain
import Foundation
import RPCCore
@testable import Scheduling
import Testing
import Wire

/// A worker killed between the provider and the record of the outcome (kill -9 in
/// ProcessFaultTests found one SMS sent twice): once its lease lapses, another worker hands
/// the message off again, and the file provider sends it only if it did not go.
@Suite("Outbox after a worker crash")
struct OutboxCrashTests {
    /// Accepts a login code and lets a "dying" worker claim it, optionally handing it to the
    /// provider, without recording anything.
    func crashMidHandOff(_ fixture: Fixture, reachedProvider: Bool) async throws -> String {
        try await fixture.run { _, sms in
            let accepted = try await sms.sendLoginCode(
                .init(login: "op", phone: "9161234567", code: "123456"), metadata: fixture.metadata(.system, key: "code-1")
            )
            let now = fixture.clock.now
            let claimed = try await fixture.store.claimBatch(
                owner: "dead-worker/1", nowMs: now, leaseMs: 30_000, limit: 10, sweepSentBefore: nil, calendar: .shipped
            ).claimed
            #expect(claimed.map(\.sms.id) == [accepted.smsID])
            #expect(claimed.first?.earlierClaim == false)
            if reachedProvider {
                let record = claimed[0].sms
                _ = try await FileSmsProvider(path: fixture.smsFile, nowMs: { now })
                    .send(OutgoingSms(id: record.id, phone: record.phone, text: record.text, login: record.login))
            }
            return accepted.smsID
        }
    }

    @Test("sent before the crash: not sent again once the lease lapses", arguments: Engine.all)
    func notSentTwice(engine: Engine) async throws {
        let fixture = try await Fixture(engine)
        let id = try await crashMidHandOff(fixture, reachedProvider: true)
        #expect(try await fixture.worker.runOnce() == 0)  // still leased to the dead worker
        fixture.clock.advance(ms: 30_001)
        #expect(try await fixture.worker.runOnce() == 1)
        #expect(fixture.smsLines().count == 1)
        #expect(fixture.smsLines().first?.contains(id) == true)
        #expect(try await fixture.count("sms", where: "state = \(SmsStateCode.delivered.rawValue)") == 1)
        #expect(try await fixture.worker.runOnce() == 0)
    }

    @Test("not sent before the crash: sent once the lease lapses, not lost", arguments: Engine.all)
    func notLost(engine: Engine) async throws {
        let fixture = try await Fixture(engine)
        let id = try await crashMidHandOff(fixture, reachedProvider: false)
        #expect(fixture.smsLines().isEmpty)
        fixture.clock.advance(ms: 30_001)
        #expect(try await fixture.worker.runOnce() == 1)
        #expect(fixture.smsLines().count == 1)
        #expect(fixture.smsLines().first?.contains(id) == true)
    }
}
