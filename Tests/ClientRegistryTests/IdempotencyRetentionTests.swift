import Auth
import CRMAPI
import GRDB
import Logging
import RPCCore
@testable import ClientRegistry
import ServiceKit
import Testing
import Wire

/// Stored idempotent answers live `IdempotencyRetention.defaultRetention` (7 days), then the
/// sweep deletes them: a retry inside the window gets the first answer, a newer row stays.
@Suite struct IdempotencyRetentionTests {
    static let day: Int64 = 86_400_000

    @Test func answersExpireAfterTheRetentionAndRetriesWithinItGetTheFirstAnswer() async throws {
        let clock = MutableClock()
        let fixture = try Fixture(now: { clock.now })
        let retention = IdempotencyRetention(writer: fixture.store.writer, nowMs: { clock.now }, logger: Logger(label: "test"))
        let request = CreateCardTests().request()
        func create(_ client: RPCClient, key: String) async throws -> Int64 {
            var metadata = fixture.token(.vcc)
            metadata.idempotencyKey = key
            return try #require(try await registry(client).createCard(request, metadata: metadata).card).cardID
        }
        func stored() async throws -> [String] {
            try await fixture.store.read { db in try String.fetchAll(db, sql: "SELECT key FROM idempotency ORDER BY key") }
        }
        try await fixture.run { client in
            let first = try await create(client, key: "old")
            clock.advance(ms: 6 * Self.day)
            let newer = try await create(client, key: "new")
            #expect(try await retention.sweep() == 0)
            #expect(try await create(client, key: "old") == first, "a retry within 7 days gets the first answer")

            clock.advance(ms: Self.day + 1)
            #expect(try await retention.sweep() == 1)
            #expect(try await stored() == ["new"])
            #expect(try await create(client, key: "new") == newer)
        }
    }
}
