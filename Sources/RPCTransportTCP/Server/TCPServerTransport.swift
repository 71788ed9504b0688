public import Logging
public import NIOCore
import CoreMetrics
import NIOExtras
import NIOPosix
public import RPCCore
import Synchronization

/// Serves calls over TCP: length-prefixed protobuf frames, many calls in flight per
/// connection. See docs/PROTOCOL.md for the bytes.
public final class TCPServerTransport: ServerTransport {
    public struct Configuration: Sendable {
        public var host: String
        /// 0 picks a free port; `listeningAddress()` tells which.
        public var port: Int
        /// A frame larger than this closes its connection (with a logged reason).
        public var maximumFrameSize: Int
        /// A connection with no call in flight that sends nothing for this long is closed,
        /// so clients that connect and go silent (or stop mid-frame) cannot pile up.
        public var idleTimeout: Duration
        /// Connections beyond this are closed as soon as they are accepted.
        public var maximumConnections: Int
        /// Connections from one IP address beyond this are closed as soon as they are
        /// accepted, so one client cannot take every slot of `maximumConnections`.
        public var maximumConnectionsPerPeer: Int
        /// A frame whose first bytes arrived must be whole within this, or the connection is
        /// closed: a peer that trickles a byte now and then is never idle, yet sends nothing.
        public var frameTimeout: Duration
        /// A connection whose first request has not arrived this long after it opened is
        /// closed (once it has sent one, `idleTimeout` applies).
        public var firstCallTimeout: Duration
        /// Calls of one connection queued or running at once; at this many the server reads
        /// no more of its requests until some finish (they wait in the client and in TCP).
        public var maximumCallsPerConnection: Int
        /// Bytes of answers a connection may have waiting for its peer to read before the
        /// server stops reading its requests and starting its calls; both resume below half.
        public var outboundHighWatermark: Int
        /// With a certificate (`TLSCredentials.files.servesTLS`): TLS only, plain clients refused.
        public var tls: TLSCredentials?

        public init(
            host: String = "127.0.0.1",
            port: Int = 0,
            maximumFrameSize: Int = 4 * 1024 * 1024,
            idleTimeout: Duration = .seconds(120),
            maximumConnections: Int = 1024,
            frameTimeout: Duration = .seconds(30),
            maximumConnectionsPerPeer: Int = 64,
            firstCallTimeout: Duration = .seconds(10),
            maximumCallsPerConnection: Int = 100,
            outboundHighWatermark: Int = 256 * 1024,
            tls: TLSCredentials? = nil
        ) {
            self.host = host
            self.port = port
            self.maximumFrameSize = maximumFrameSize
            self.idleTimeout = idleTimeout
            self.maximumConnections = maximumConnections
            self.frameTimeout = frameTimeout
            self.maximumConnectionsPerPeer = maximumConnectionsPerPeer
            self.firstCallTimeout = firstCallTimeout
            self.maximumCallsPerConnection = maximumCallsPerConnection
            self.outboundHighWatermark = outboundHighWatermark
            self.tls = tls
        }
    }

    private struct State {
        var serverChannel: (any Channel)?
        var connections: [ObjectIdentifier: Connection] = [:]
        /// Open connections by the peer's IP address.
        var connectionsPerPeer: [String: Int] = [:]
        var draining = false
        var listenerClosed = false
        var waitingForAddress: [CheckedContinuation<SocketAddress, any Error>] = []
        var allClosed: CheckedContinuation<Void, Never>?
    }

    private struct Connection {
        var channel: any Channel
        var handler: NIOLoopBound<ServerConnectionHandler>
        var peer: String
    }

    /// What one read of a connection may bring: `maxMessagesPerRead` reads of at most
    /// `receiveBufferSize` bytes.
    private static let messagesPerRead = 16
    private static let receiveBufferSize = 64 * 1024

    public let configuration: Configuration
    private let group: any EventLoopGroup
    private let logger: Logger
    private let state = Mutex(State())
    /// `rpc_server_connections`: open connections; `rpc_server_connections_refused_total`:
    /// those closed at accept (limit reached or shutting down).
    private let connectionsGauge = Gauge(label: "rpc_server_connections")
    private let refusedCounter = Counter(label: "rpc_server_connections_refused_total")

    public init(
        _ configuration: Configuration = Configuration(),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "rpc.tcp.server")
    ) {
        self.configuration = configuration
        self.group = group
        self.logger = logger
    }

    /// The address the server listens on, once it does.
    public func listeningAddress() async throws -> SocketAddress {
        try await withCheckedThrowingContinuation { continuation in
            let address = state.withLock { state -> SocketAddress? in
                if let address = state.serverChannel?.localAddress { return address }
                state.waitingForAddress.append(continuation)
                return nil
            }
            if let address { continuation.resume(returning: address) }
        }
    }

    public func listen(_ handler: any ServerCallHandler) async throws {
        let configuration = self.configuration
        let logger = self.logger
        let idleTimeout = TimeAmount(configuration.idleTimeout)
        let limits = ServerConnectionHandler.Limits(
            maximumFrameSize: configuration.maximumFrameSize,
            frameTimeout: TimeAmount(configuration.frameTimeout),
            maximumCallsInFlight: max(1, configuration.maximumCallsPerConnection),
            firstCallTimeout: TimeAmount(configuration.firstCallTimeout),
            outboundHighWatermark: max(2, configuration.outboundHighWatermark)
        )
        // One per loop, made here and only ever touched on its loop.
        var turnsByLoop: [ObjectIdentifier: NIOLoopBoundBox<ServingTurns>] = [:]
        for loop in group.makeIterator() {
            turnsByLoop[ObjectIdentifier(loop)] = NIOLoopBoundBox.makeBoxSendingValue(ServingTurns(eventLoop: loop), eventLoop: loop)
        }
        let turns = turnsByLoop
        let serverChannel: any Channel
        do {
            serverChannel = try await ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: 256)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
                .childChannelOption(.maxMessagesPerRead, value: UInt(Self.messagesPerRead))
                .childChannelOption(.recvAllocator, value: AdaptiveRecvByteBufferAllocator(
                    minimum: 64, initial: 2048, maximum: Self.receiveBufferSize
                ))
                .childChannelOption(.writeBufferWaterMark, value: ChannelOptions.Types.WriteBufferWaterMark(
                    low: limits.outboundHighWatermark / 2, high: limits.outboundHighWatermark
                ))
                .childChannelInitializer { [weak self] channel in
                    channel.eventLoop.makeCompletedFuture {
                        guard let turns = turns[ObjectIdentifier(channel.eventLoop)]?.value else {
                            throw ChannelError.inappropriateOperationForState
                        }
                        let flowControl = InboundFlowControl()
                        let connection = ServerConnectionHandler(
                            handler: handler, limits: limits, flowControl: flowControl, turns: turns, logger: logger
                        )
                        let sync = channel.pipeline.syncOperations
                        if let tls = configuration.tls, let context = tls.serverContext {
                            try sync.addTLS(context, checker: tls.checker, requireClientCertificate: tls.files.requireClientCertificate, logger: logger) {
                                connection.refuse($0)
                            }
                        }
                        try sync.addHandler(IdleStateHandler(readTimeout: idleTimeout))
                        try sync.addFraming(
                            maximumFrameSize: configuration.maximumFrameSize,
                            flowControl: flowControl,
                            bytesPerRead: Self.messagesPerRead * Self.receiveBufferSize
                        )
                        try sync.addHandler(connection)
                        self?.accept(channel, handler: NIOLoopBound(connection, eventLoop: channel.eventLoop))
                    }
                }
                .bind(host: configuration.host, port: configuration.port)
                .get()
        } catch {
            failAddressWaiters(error)
            throw error
        }
        let waiters = state.withLock { state in
            state.serverChannel = serverChannel
            defer { state.waitingForAddress = [] }
            return state.waitingForAddress
        }
        let address = serverChannel.localAddress
        logger.info("Listening", metadata: [
            "address": "\(address?.hostAndPort ?? "?")",
            "tls": "\(configuration.tls?.serverContext == nil ? "off" : configuration.tls!.files.requireClientCertificate ? "mutual" : "on")",
        ])
        for waiter in waiters {
            if let address { waiter.resume(returning: address) } else { waiter.resume(throwing: ChannelError.ioOnClosedChannel) }
        }
        // If stop was asked before the listener existed, honour it now.
        if state.withLock({ $0.draining }) { beginGracefulShutdown() }

        await withTaskCancellationHandler {
            try? await serverChannel.closeFuture.get()
            state.withLock { $0.listenerClosed = true }
            await withCheckedContinuation { continuation in
                let done = state.withLock { state -> Bool in
                    if state.connections.isEmpty { return true }
                    state.allClosed = continuation
                    return false
                }
                if done { continuation.resume() }
            }
        } onCancel: {
            // The grace period is over (or nobody wants a graceful stop): close everything.
            let channels = state.withLock { state in
                state.draining = true
                return [state.serverChannel].compactMap { $0 } + state.connections.values.map(\.channel)
            }
            for channel in channels { channel.close(promise: nil) }
        }
        logger.info("Stopped", metadata: ["address": "\(address?.hostAndPort ?? "?")"])
    }

    public func beginGracefulShutdown() {
        let (listener, connections) = state.withLock { state in
            state.draining = true
            return (state.serverChannel, Array(state.connections.values))
        }
        listener?.close(promise: nil)
        for connection in connections {
            connection.channel.eventLoop.execute { connection.handler.value.beginDraining() }
        }
    }

    private func accept(_ channel: any Channel, handler: NIOLoopBound<ServerConnectionHandler>) {
        let id = ObjectIdentifier(channel)
        let peer = channel.remoteAddress?.ipAddress ?? "unknown"
        let refusal: String? = state.withLock { state in
            if state.draining { return "the server is shutting down" }
            if state.connections.count >= configuration.maximumConnections {
                return "the connection limit (\(configuration.maximumConnections)) is reached"
            }
            let fromPeer = state.connectionsPerPeer[peer, default: 0]
            if fromPeer >= configuration.maximumConnectionsPerPeer {
                return "the limit of connections from one address (\(configuration.maximumConnectionsPerPeer)) is reached"
            }
            state.connectionsPerPeer[peer] = fromPeer + 1
            state.connections[id] = Connection(channel: channel, handler: handler, peer: peer)
            connectionsGauge.record(state.connections.count)
            return nil
        }
        if let refusal {
            refusedCounter.increment()
            logger.warning("Refusing connection", metadata: [
                "peer": "\(channel.remoteAddress?.hostAndPort ?? "?")", "reason": "\(refusal)",
            ])
            channel.close(promise: nil)
            return
        }
        channel.closeFuture.whenComplete { [weak self] _ in self?.connectionClosed(id) }
    }

    private func connectionClosed(_ id: ObjectIdentifier) {
        let continuation = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if let connection = state.connections.removeValue(forKey: id) {
                let left = state.connectionsPerPeer[connection.peer, default: 1] - 1
                state.connectionsPerPeer[connection.peer] = left > 0 ? left : nil
            }
            connectionsGauge.record(state.connections.count)
            guard state.listenerClosed, state.connections.isEmpty else { return nil }
            defer { state.allClosed = nil }
            return state.allClosed
        }
        continuation?.resume()
    }

    private func failAddressWaiters(_ error: any Error) {
        let waiters = state.withLock { state in
            defer { state.waitingForAddress = [] }
            return state.waitingForAddress
        }
        for waiter in waiters { waiter.resume(throwing: error) }
    }
}

extension TimeAmount {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
