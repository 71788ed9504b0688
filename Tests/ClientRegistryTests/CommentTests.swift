import Auth
@testable import ClientRegistry
import CRMAPI
import RPCCore
import Testing
import Wire

@Suite struct CommentTests {
    @Test func commentsAreListedNewestFirstAndPaged() async throws {
        let times = Clock(start: fixedNow)
        let fixture = try Fixture(now: { times.next() })
        let card = try await fixture.seedCard(.client)
        try await fixture.run { rpc in
            let client = RegistryV1.ClientRegistry.Client(wrapping: rpc)
            for text in ["первый", "второй", "третий"] {
                _ = try await client.addClientComment(.init(cardID: card, text: text), metadata: fixture.token(.collector))
            }
            let first = try await client.listClientComments(.init(cardID: card, pageSize: 2), metadata: fixture.token(.vcc))
            #expect(first.comments.map(\.text) == ["третий", "второй"])
            #expect(first.comments.first?.author?.login == "tester")
            let second = try await client.listClientComments(
                .init(cardID: card, pageSize: 2, pageToken: first.nextPageToken), metadata: fixture.token(.vcc)
            )
            #expect(second.comments.map(\.text) == ["первый"])
            #expect(second.nextPageToken.isEmpty)
        }
    }

    @Test func anEmptyCommentIsRefusedNamingTheFieldAndNothingIsWritten() async throws {
        let fixture = try Fixture()
        let card = try await fixture.seedCard(.client)
        try await fixture.run { rpc in
            let client = RegistryV1.ClientRegistry.Client(wrapping: rpc)
            let error = try await #require(throws: RPCError.self) {
                _ = try await client.addClientComment(.init(cardID: card, text: "   "), metadata: fixture.token(.vcc))
            }
            #expect(error.code == .invalidArgument)
            #expect(error.fieldViolations.map(\.field) == ["text"])
            let listed = try await client.listClientComments(.init(cardID: card), metadata: fixture.token(.vcc))
            #expect(listed.comments.isEmpty)
        }
    }

    @Test func aCommentOnAnUnknownCardIsNotFound() async throws {
        let fixture = try Fixture()
        try await fixture.run { rpc in
            let client = RegistryV1.ClientRegistry.Client(wrapping: rpc)
            let error = try await #require(throws: RPCError.self) {
                _ = try await client.addClientComment(.init(cardID: 424242, text: "x"), metadata: fixture.token(.vcc))
            }
            #expect(error.code == .notFound)
        }
    }
}

/// A clock that moves one second per reading, so rows get distinct times.
final class Clock: Sendable {
    private let counter: Mutex<Int64>
    init(start: Int64) { counter = Mutex(start) }
    func next() -> Int64 { counter.withLock { $0 += 1000; return $0 } }
}

import Synchronization
