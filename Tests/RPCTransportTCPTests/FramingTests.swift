import NIOCore
import RPCCore
import NIOEmbedded
@testable import RPCTransportTCP
import Testing
import Wire

@Suite struct FramingTests {
    private func makeChannel(maximumFrameSize: Int = 1024) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addFraming(maximumFrameSize: maximumFrameSize)
        return channel
    }

    private func frame(_ id: UInt64, method: String = "crm.rpc.v1.Echo/Echo", payload: [UInt8] = [1, 2, 3]) -> RPCV1.Frame {
        var request = RPCV1.Request()
        request.method = method
        request.payload = payload
        request.timeoutMicros = 1_500_000
        return RPCV1.Frame(callID: id, kind: .request(request))
    }

    private func bytes(of frame: RPCV1.Frame) throws -> [UInt8] {
        let body = try frame.serializedBytes()
        return withUnsafeBytes(of: UInt32(body.count).bigEndian, Array.init) + body
    }

    /// Records the incomplete-frame events the decoder sends down the pipeline.
    private final class PartialFrameEvents: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        var events: [PartialFrameEvent] = []
        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            if let event = event as? PartialFrameEvent { events.append(event) }
        }
    }

    /// A busy stream ends nearly every read inside some frame. The connection handler times
    /// one frame's incompleteness from the `.started` it is told, so each new incomplete frame
    /// must be told: with only the first, a registry under the operators' mix closed its
    /// busiest connections 30 s after their first incomplete read, though every frame had
    /// completed within milliseconds.
    @Test func eachNewIncompleteFrameIsToldSoItsTimerStartsAfresh() throws {
        let channel = try makeChannel()
        let events = PartialFrameEvents()
        try channel.pipeline.syncOperations.addHandler(events)
        let frames = try (1...4).map { try bytes(of: frame(UInt64($0))) }
        // Reads: half of 1; the rest of 1 and half of 2; the rest of 2 and half of 3; the
        // rest of 3 — never between frames until the last.
        var carried: [UInt8] = []
        for frame in frames.prefix(3) {
            let half = frame.count / 2
            try channel.writeInbound(ByteBuffer(bytes: carried + frame[..<half]))
            carried = Array(frame[(frame.count / 2)...])
        }
        try channel.writeInbound(ByteBuffer(bytes: carried))
        #expect(events.events == [.started, .started, .started, .ended])
        var decoded = 0
        while try channel.readInbound(as: ByteBuffer.self) != nil { decoded += 1 }
        #expect(decoded == 3)
        // A frame that stays incomplete across reads is told once: it is the same frame.
        let last = frames[3]
        try channel.writeInbound(ByteBuffer(bytes: last[..<4]))
        try channel.writeInbound(ByteBuffer(bytes: last[4..<6]))
        #expect(events.events == [.started, .started, .started, .ended, .started])
    }

    /// Programs decide by the reason, so it must cross the wire as it was sent.
    @Test(arguments: [nil, RPCError.Reason("CALL_ENDED"), .notSent])
    func anErrorsReasonSurvivesTheWire(reason: RPCError.Reason?) {
        let error = RPCError(code: .failedPrecondition, message: "Звонок уже завершен", reason: reason)
        #expect(RPCError(error.wireStatus).reason == reason)
        #expect(RPCError(error.wireStatus) == error)
    }

    /// A call that never reached the server says so, whatever the message's wording.
    @Test func aCallThatCannotConnectIsMarkedNotSent() async throws {
        let transport = TCPClientTransport(host: "127.0.0.1", port: 1)
        defer { Task { await transport.close() } }
        let client = RPCClient(transport: transport)
        await #expect {
            _ = try await client.unary(RPCRequestParts(method: "crm.rpc.v1.Health/Check", metadata: [:], payload: []), options: CallOptions(timeout: .seconds(5)))
        } throws: { error in
            (error as? RPCError)?.reason == .notSent && (error as? RPCError)?.code == .unavailable
        }
    }

    @Test func encodingWritesABigEndianLengthThenTheProtobuf() throws {
        let sent = frame(7)
        var frames = OutboundFrames()
        try frames.append(sent, allocator: ByteBufferAllocator())
        let batch = frames.take()
        #expect(batch.map { Array($0.readableBytesView) } == (try bytes(of: sent)))
    }

    /// Reads every frame body the decoder has passed on, decoded.
    private func readFrames(_ channel: EmbeddedChannel) throws -> [RPCV1.Frame] {
        var frames: [RPCV1.Frame] = []
        while let body = try channel.readInbound(as: ByteBuffer.self) {
            frames.append(try RPCV1.Frame(body: body))
        }
        return frames
    }

    @Test func aFrameSplitIntoSingleBytesIsDecodedOnce() throws {
        let channel = try makeChannel()
        let sent = frame(1, payload: Array("Ждем Вас".utf8))
        for byte in try bytes(of: sent) {
            try channel.writeInbound(ByteBuffer(bytes: [byte]))
        }
        #expect(try readFrames(channel) == [sent])
        #expect(try channel.finish().isClean)
    }

    @Test func manyFramesInOneReadAreAllDecodedInOrder() throws {
        let channel = try makeChannel()
        let sent = (1...100).map { frame(UInt64($0), payload: [UInt8($0)]) }
        try channel.writeInbound(ByteBuffer(bytes: try sent.flatMap(bytes(of:))))
        #expect(try readFrames(channel) == sent)
        #expect(try channel.finish().isClean)
    }

    @Test func aPartialFrameWaitsForTheRest() throws {
        let channel = try makeChannel()
        let all = try bytes(of: frame(3))
        try channel.writeInbound(ByteBuffer(bytes: all.prefix(5)))
        #expect(try readFrames(channel).isEmpty)
        try channel.writeInbound(ByteBuffer(bytes: all.dropFirst(5)))
        #expect(try readFrames(channel) == [frame(3)])
        #expect(try channel.finish().isClean)
    }

    @Test func framesHeldByFlowControlWaitWholeInTheBufferAndComeOutWhenResumed() throws {
        let channel = EmbeddedChannel()
        let flowControl = InboundFlowControl()
        try channel.pipeline.syncOperations.addFraming(maximumFrameSize: 64, flowControl: flowControl, bytesPerRead: 4096)
        let sent = (1...40).map { frame(UInt64($0), payload: [UInt8($0)]) }
        let stream = try sent.flatMap(bytes(of:))
        #expect(stream.count > 64 + 4, "more than one frame's worth waits: the buffer bound must allow for it")
        flowControl.stopFrames()
        try channel.writeInbound(ByteBuffer(bytes: stream))
        #expect(try readFrames(channel).isEmpty, "no frame passes while frames are stopped")
        flowControl.resumeFrames()
        #expect(try readFrames(channel) == sent)
        #expect(try channel.finish().isClean)
    }

    @Test func aFrameOverTheLimitIsAnError() throws {
        let channel = try makeChannel(maximumFrameSize: 64)
        let big = try bytes(of: frame(1, payload: [UInt8](repeating: 9, count: 200)))
        #expect(throws: FrameTooLargeError.self) {
            try channel.writeInbound(ByteBuffer(bytes: big))
        }
        _ = try? channel.finish()
    }

    @Test func aHostileLengthHeaderIsRefusedBeforeItsBytesArrive() throws {
        let channel = try makeChannel(maximumFrameSize: 64)
        #expect(throws: FrameTooLargeError.self) {
            try channel.writeInbound(ByteBuffer(bytes: [0x7F, 0xFF, 0xFF, 0xFF]))
        }
        _ = try? channel.finish()
    }

    @Test func bytesThatAreNotAFrameAreAMalformedFrameError() throws {
        // Field 1 declared as a length-delimited field running past the end.
        #expect(throws: MalformedFrameError.self) {
            _ = try RPCV1.Frame(body: ByteBuffer(bytes: [0x0A, 0x7F, 0x01]))
        }
    }
}

@Suite struct BackoffTests {
    @Test func delaysGrowByTheMultiplierUpToTheMaximum() {
        let backoff = Backoff(initial: .milliseconds(100), multiplier: 2, maximum: .milliseconds(500), jitter: 0)
        #expect((1...5).map { backoff.delay(afterFailures: $0) } == [
            .milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(500), .milliseconds(500),
        ])
    }

    @Test func jitterStaysWithinItsBand() {
        let backoff = Backoff(initial: .seconds(1), jitter: 0.2)
        for _ in 0..<200 {
            let delay = backoff.jittered(.seconds(1))
            #expect(delay >= .milliseconds(800) && delay <= .milliseconds(1200))
        }
    }
}
