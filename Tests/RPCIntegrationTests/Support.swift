import CRMAPI
import NIOCore
import NIOPosix
import RPCCore
import RPCTransportTCP
import Synchronization
import Wire

/// Echo that first sleeps for the number of milliseconds in the payload's first byte, so
/// calls finish out of order; counts handlers that ran to the end or were cancelled.
struct DelayedEcho: RPCV1.Echo.ServiceProtocol {
    final class Counts: Sendable {
        let started = Atomic<Int>(0)
        let finished = Atomic<Int>(0)
        let cancelled = Atomic<Int>(0)
    }

    let counts = Counts()

    func echo(request: RPCV1.EchoMessage, context: ServerContext) async throws -> RPCV1.EchoMessage {
        counts.started.add(1, ordering: .relaxed)
        let delay = Int(request.payload.first ?? 0)
        if delay > 0 {
            do {
                try await Task.sleep(for: .milliseconds(delay * (request.payload.count > 1 ? Int(request.payload[1]) + 1 : 1)))
            } catch {
                counts.cancelled.add(1, ordering: .relaxed)
                throw error
            }
        }
        counts.finished.add(1, ordering: .relaxed)
        return request
    }
}

func echoMessage(_ bytes: [UInt8]) -> RPCV1.EchoMessage {
    var message = RPCV1.EchoMessage()
    message.payload = bytes
    return message
}

/// A running TCP server for tests that need to reach its socket directly.
struct LiveServer: Sendable {
    let server: RPCServer
    let port: Int

    func client(_ configure: (inout TCPClientTransport.Configuration) -> Void = { _ in }) -> RPCClient {
        var configuration = TCPClientTransport.Configuration(host: "127.0.0.1", port: port)
        configure(&configuration)
        return RPCClient(transport: TCPClientTransport(configuration))
    }
}

func withLiveServer<T: Sendable>(
    services: [any RegistrableRPCService],
    configuration: TCPServerTransport.Configuration = TCPServerTransport.Configuration(),
    gracePeriod: Duration = .seconds(10),
    group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
    body: (LiveServer) async throws -> T
) async throws -> T {
    let transport = TCPServerTransport(configuration, group: group)
    let server = RPCServer(
        transport: transport,
        services: BuiltinServices.adding(to: services),
        configuration: RPCServer.Configuration(gracePeriod: gracePeriod)
    )
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await server.run() }
        defer { group.cancelAll() }
        let address = try await transport.listeningAddress()
        return try await body(LiveServer(server: server, port: address.port!))
    }
}

/// A socket that writes raw bytes, keeps what comes back, and tells whether the server closed it.
final class RawConnection: Sendable {
    let channel: any Channel
    private let received: Received

    final class Received: Sendable {
        let bytes = Mutex<[UInt8]>([])
        /// Whole frames seen, counted from their length headers as the bytes arrive.
        let frameCount = Mutex(FrameCounter())
        let keepsBytes: Bool
        init(keepsBytes: Bool) { self.keepsBytes = keepsBytes }
    }

    struct FrameCounter {
        var frames = 0
        private var header: UInt32 = 0
        private var headerBytes = 0
        private var bodyLeft = 0

        mutating func count(_ bytes: ByteBufferView) {
            var index = bytes.startIndex
            while index < bytes.endIndex {
                if bodyLeft > 0 {
                    let take = min(bodyLeft, bytes.endIndex - index)
                    bodyLeft -= take
                    index += take
                    if bodyLeft == 0 { frames += 1 }
                    continue
                }
                header = header << 8 | UInt32(bytes[index])
                headerBytes += 1
                index += 1
                if headerBytes == 4 {
                    bodyLeft = Int(header)
                    header = 0
                    headerBytes = 0
                    if bodyLeft == 0 { frames += 1 }
                }
            }
        }
    }

    private final class Collector: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        let received: Received
        init(_ received: Received) { self.received = received }
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let buffer = unwrapInboundIn(data)
            if received.keepsBytes { received.bytes.withLock { $0 += buffer.readableBytesView } }
            received.frameCount.withLock { $0.count(buffer.readableBytesView) }
        }
    }

    /// `source`: the local address to connect from (any of 127/8 on Linux), so a test can be
    /// two clients. `reading: false`: the socket reads nothing until `startReading()`, a peer
    /// that leaves the server's answers in TCP. `keepsBytes: false`: only counts frames.
    init(port: Int, from source: String? = nil, reading: Bool = true, keepsBytes: Bool = true) async throws {
        let received = Received(keepsBytes: keepsBytes)
        self.received = received
        var bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.autoRead, value: reading)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Collector(received)) }
            }
        if let source { bootstrap = bootstrap.bind(to: try SocketAddress(ipAddress: source, port: 0)) }
        channel = try await bootstrap.connect(host: "127.0.0.1", port: port).get()
    }

    func startReading() async throws {
        try await channel.setOption(.autoRead, value: true)
        channel.read()
    }

    /// Waits until `count` frames have arrived (or `limit` passed); how many have.
    func waitForFrameCount(_ count: Int, within limit: Duration) async throws -> Int {
        let deadline = ContinuousClock.now + limit
        while frameCount() < count, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        return frameCount()
    }

    func frameCount() -> Int {
        received.frameCount.withLock { $0.frames }
    }

    /// The frames received so far, decoded.
    func frames() throws -> [RPCV1.Frame] {
        var bytes = received.bytes.withLock { $0 }[...]
        var frames: [RPCV1.Frame] = []
        while bytes.count >= 4 {
            let length = bytes.prefix(4).reduce(0) { $0 << 8 | Int($1) }
            guard bytes.count >= 4 + length else { break }
            frames.append(try RPCV1.Frame(serializedBytes: bytes.dropFirst(4).prefix(length)))
            bytes = bytes.dropFirst(4 + length)
        }
        return frames
    }

    /// Waits until `count` frames have arrived, for at most `limit`.
    func waitForFrames(_ count: Int, within limit: Duration = .seconds(5)) async throws -> [RPCV1.Frame] {
        let deadline = ContinuousClock.now + limit
        while try frames().count < count, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        return try frames()
    }

    func send(_ bytes: [UInt8]) async throws {
        try await channel.writeAndFlush(ByteBuffer(bytes: bytes))
    }

    /// Whether the server closed the connection within `limit`.
    func closedByServer(within limit: Duration) async -> Bool {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if !channel.isActive { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return !channel.isActive
    }

    func close() {
        channel.close(promise: nil)
    }
}

/// A request frame's bytes, as a client in another language would build them.
func requestFrameBytes(callID: UInt64, method: String, payload: [UInt8]) throws -> [UInt8] {
    var request = RPCV1.Request()
    request.method = method
    request.payload = payload
    return try frameBytes(RPCV1.Frame(callID: callID, kind: .request(request)))
}

/// A frame as it goes on the wire: a 4-byte big-endian length, then the protobuf.
func frameBytes(_ frame: RPCV1.Frame) throws -> [UInt8] {
    let body = try frame.serializedBytes()
    let length = UInt32(body.count)
    return [UInt8(length >> 24), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF)] + body
}

extension RPCV1.EchoMessage {
    static func with(payload: [UInt8]) -> Self {
        var message = Self()
        message.payload = payload
        return message
    }
}

extension DelayedEcho {
    /// Waits until the server has started `count` calls: a call "in flight" must have reached it.
    func waitUntilStarted(_ count: Int) async throws {
        let deadline = ContinuousClock.now + .seconds(5)
        while counts.started.load(ordering: .relaxed) < count, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
    }
}
