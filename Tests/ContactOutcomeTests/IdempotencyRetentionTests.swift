import Auth
import CRMAPI
import Logging
import RPCCore
@testable import ContactOutcome
import ServiceKit
import Testing
import Wire
import TestSupport

/// A saved call result's stored answer lives 7 days (`IdempotencyRetention`): a retry inside
/// the window gets the first answer, after it the key is forgotten.
@Suite struct IdempotencyRetentionTests {
    static let day: Int64 = 86_400_000

    @Test func savedAnswersExpireAfterTheRetention() async throws {
        let fixture = try Fixture()
        let clock = fixture.clock
        let retention = IdempotencyRetention(writer: fixture.store.writer, nowMs: { clock.now }, logger: Logger(label: "test"))
        let notReached = ContactsV1.CallResult(firstLevel: .notReached(.init(reason: .noAnswer)))
        try await fixture.run { c in
            let old = try await fixture.open(c.calls)
            let first = try await fixture.save(c.calls, old.sessionID, notReached, key: "old")
            clock.advance(ms: 6 * Self.day)
            let recent = try await fixture.open(c.calls)
            try await fixture.save(c.calls, recent.sessionID, notReached, key: "new")
            #expect(try await retention.sweep() == 0)
            let retry = ContactsV1.SaveCallResultRequest(sessionID: old.sessionID)
            #expect(try await c.calls.saveCallResult(retry, metadata: fixture.metadata(.vcc, key: "old")) == first)

            clock.advance(ms: Self.day + 1)
            #expect(try await retention.sweep() == 1)
            #expect(try await fixture.count("idempotency") == 1)
            // The first answer is gone: the late retry meets the saved session.
            let late = await rpcError { _ = try await c.calls.saveCallResult(retry, metadata: fixture.metadata(.vcc, key: "old")) }
            #expect(late?.code == .failedPrecondition)
        }
    }
}
