import NIOCore
import NIOEmbedded
import RPCCore
@testable import RPCTransportTCP
import Testing
import Synchronization
import Wire

/// What a client connection does with a call that reaches it after the server said go-away or
/// the socket closed: refuses it without writing a byte, so the transport may send it again
/// on a new connection (`UnsentCallError`). A call that was written is never refused that way.
@Suite struct ClientConnectionHandlerTests {
    private struct Outcome {
        var result: Result<RPCResponseParts, any Error>
        var wrote: Bool
        var retired: Int
    }

    /// One connection: `before` runs first, then a call starts, then `after` runs; all on the
    /// calling thread, since an EmbeddedChannel belongs to the thread that made it.
    private func call(
        before: (EmbeddedChannel) throws -> Void,
        after: (EmbeddedChannel) throws -> Void = { _ in }
    ) async -> Outcome {
        var wrote = false
        var retired = 0
        let result: Result<RPCResponseParts, any Error>
        do {
            result = .success(try await withUnsafeThrowingContinuation { continuation in
                do {
                    let retirements = Counter()
                    let handler = ClientConnectionHandler(serverAddress: "test", maximumFrameSize: 1 << 20, retire: { retirements.add() })
                    let channel = EmbeddedChannel()
                    try channel.pipeline.syncOperations.addHandler(handler)
                    try before(channel)
                    retired = retirements.value
                    handler.start(
                        id: 1,
                        request: RPCRequestParts(method: "crm.rpc.v1.Echo/Echo", metadata: [:], payload: [1]),
                        deadline: nil,
                        continuation: continuation
                    )
                    channel.embeddedEventLoop.run()
                    wrote = try channel.readOutbound(as: ByteBuffer.self) != nil
                    try after(channel)
                } catch {
                    Issue.record(error)
                }
            })
        } catch {
            result = .failure(error)
        }
        return Outcome(result: result, wrote: wrote, retired: retired)
    }

    private static func goAway(_ channel: EmbeddedChannel) throws {
        var frames = OutboundFrames()
        frames.appendFixed(RPCV1.Frame(callID: 0, kind: .goAway(RPCV1.GoAway())), allocator: channel.allocator)
        guard var buffer = frames.take() else { throw WireError(message: "no go-away frame") }
        buffer.moveReaderIndex(forwardBy: 4) // the handler reads bodies: the framing decoder sits before it
        try channel.writeInbound(buffer)
    }

    @Test func aCallAfterGoAwayIsRefusedUnsent() async throws {
        let outcome = await call(before: Self.goAway)
        #expect(outcome.retired > 0)
        #expect(!outcome.wrote)
        #expect(throws: UnsentCallError.self) { try outcome.result.get() }
    }

    @Test func aCallAfterTheSocketClosedIsRefusedUnsent() async throws {
        let outcome = await call(before: { $0.pipeline.fireChannelInactive() })
        #expect(outcome.retired > 0)
        #expect(!outcome.wrote)
        #expect(throws: UnsentCallError.self) { try outcome.result.get() }
    }

    /// Once written, a call lost with its connection may have run: `unavailable`, never sent again.
    @Test func aWrittenCallLostWithItsConnectionIsUnavailable() async throws {
        let outcome = await call(before: { _ in }, after: { $0.pipeline.fireChannelInactive() })
        #expect(outcome.wrote)
        #expect {
            try outcome.result.get()
        } throws: { error in
            (error as? RPCError)?.code == .unavailable
        }
    }
}

private final class Counter: Sendable {
    private let count = Mutex(0)
    func add() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}
