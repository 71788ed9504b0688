public import NIOCore
import NIOPosix
#if canImport(Glibc)
import Glibc
#endif
public import RPCCore
import Synchronization

/// Calls one server over one TCP connection, opened on the first call and reused by every
/// call after it, many in flight at once.
///
/// A server that cannot be reached answers `unavailable` at once; the connection is tried
/// again after a backoff, and calls during the backoff fail fast rather than wait.
/// A lost connection fails its calls in flight with `unavailable`; the next call reconnects.
public final class TCPClientTransport: ClientTransport {
    public struct Configuration: Sendable {
        public var host: String
        public var port: Int
        public var connectTimeout: Duration
        public var maximumFrameSize: Int
        public var backoff: Backoff
        /// With a CA (`TLSCredentials.files.connectsWithTLS`): TLS, trusting only that CA, and
        /// this process's certificate presented when it has one.
        public var tls: TLSCredentials?

        public init(
            host: String,
            port: Int,
            connectTimeout: Duration = .seconds(3),
            maximumFrameSize: Int = 4 * 1024 * 1024,
            backoff: Backoff = Backoff(),
            tls: TLSCredentials? = nil
        ) {
            self.host = host
            self.port = port
            self.connectTimeout = connectTimeout
            self.maximumFrameSize = maximumFrameSize
            self.backoff = backoff
            self.tls = tls
        }
    }

    struct Connection: Sendable {
        var channel: any Channel
        var handler: NIOLoopBound<ClientConnectionHandler>
    }

    private enum State {
        case idle(failures: Int)
        case connecting(EventLoopFuture<Connection>, failures: Int)
        case ready(Connection)
        case backingOff(until: ContinuousClock.Instant, failures: Int, reason: String)
        case closed
    }

    private enum Next {
        case use(Connection)
        case wait(EventLoopFuture<Connection>)
        case connect(EventLoopPromise<Connection>)
        case fail(RPCError)
    }

    public let configuration: Configuration
    /// Tasks that make many calls can run here to skip a thread hop per call (the load
    /// tester does); any other Task works too.
    public let preferredExecutor: EventLoopTaskExecutor
    private let eventLoop: any EventLoop
    private let state = Mutex(State.idle(failures: 0))
    private let nextCallID = Atomic<UInt64>(1)

    public init(
        _ configuration: Configuration,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        self.configuration = configuration
        self.eventLoop = group.next()
        self.preferredExecutor = EventLoopTaskExecutor(eventLoop)
    }

    public convenience init(host: String, port: Int, tls: TLSCredentials? = nil) {
        self.init(Configuration(host: host, port: port, tls: tls))
    }

    private var serverAddress: String { "\(configuration.host):\(configuration.port)" }

    /// A call that meets a connection already closing (the server said go-away, or the socket
    /// closed, between the call's picking the connection and its reaching it) was never sent,
    /// and goes again on a new connection, as gRPC's transparent retry does; only connections
    /// that keep closing under it, `attempts` times, make it `unavailable`.
    nonisolated(nonsending) public func unary(_ request: RPCRequestParts, deadline: ContinuousClock.Instant?) async throws -> RPCResponseParts {
        var attempt = 1
        while true {
            do {
                return try await unary(request, deadline: deadline, on: try await connection())
            } catch let error as UnsentCallError {
                // "Cannot connect": no attempt reached the server, so the call surely did not run.
                guard attempt < Self.attempts else {
                    throw RPCError(
                        code: .unavailable,
                        message: "Cannot connect to the server at \(serverAddress): \(error.reason), \(attempt) times",
                        reason: .notSent
                    )
                }
                attempt += 1
            }
        }
    }

    private static let attempts = 3

    nonisolated(nonsending) private func unary(
        _ request: RPCRequestParts,
        deadline: ContinuousClock.Instant?,
        on connection: Connection
    ) async throws -> RPCResponseParts {
        let id = nextCallID.wrappingAdd(1, ordering: .relaxed).oldValue
        let eventLoop = connection.channel.eventLoop
        return try await withTaskCancellationHandler {
            try await withUnsafeThrowingContinuation { continuation in
                if Task.isCancelled {
                    continuation.resume(throwing: RPCError(code: .cancelled, message: "The call was cancelled"))
                } else if eventLoop.inEventLoop {
                    connection.handler.value.start(id: id, request: request, deadline: deadline, continuation: continuation)
                } else {
                    eventLoop.execute {
                        connection.handler.value.start(id: id, request: request, deadline: deadline, continuation: continuation)
                    }
                }
            }
        } onCancel: {
            eventLoop.execute { connection.handler.value.cancel(id: id) }
        }
    }

    public func close() async {
        let channel = state.withLock { state -> (any Channel)? in
            defer { state = .closed }
            if case .ready(let connection) = state { return connection.channel }
            return nil
        }
        try? await channel?.close()
    }

    nonisolated(nonsending) private func connection() async throws -> Connection {
        let next = state.withLock { state -> Next in
            switch state {
            case .ready(let connection):
                return .use(connection)
            case .connecting(let future, _):
                return .wait(future)
            case .idle(let failures):
                let promise = eventLoop.makePromise(of: Connection.self)
                state = .connecting(promise.futureResult, failures: failures)
                return .connect(promise)
            case .backingOff(let until, let failures, let reason):
                guard ContinuousClock.now >= until else {
                    return .fail(RPCError(
                        code: .unavailable,
                        message: "The server at \(serverAddress) is unreachable (\(reason)); retrying in \(until - ContinuousClock.now)",
                        reason: .notSent
                    ))
                }
                let promise = eventLoop.makePromise(of: Connection.self)
                state = .connecting(promise.futureResult, failures: failures)
                return .connect(promise)
            case .closed:
                return .fail(RPCError(code: .unavailable, message: "The client for \(serverAddress) is closed", reason: .notSent))
            }
        }
        switch next {
        case .use(let connection):
            return connection
        case .fail(let error):
            throw error
        case .wait(let future):
            return try await awaitConnection(future)
        case .connect(let promise):
            connect(promise)
            return try await awaitConnection(promise.futureResult)
        }
    }

    nonisolated(nonsending) private func awaitConnection(_ future: EventLoopFuture<Connection>) async throws -> Connection {
        do {
            return try await future.get()
        } catch let failure as TLSFailure {
            throw failure.rpcError
        } catch {
            throw RPCError(code: .unavailable, message: "Cannot connect to the server at \(serverAddress): \(Self.describe(error))", reason: .notSent)
        }
    }

    private func connect(_ promise: EventLoopPromise<Connection>) {
        let configuration = self.configuration
        let serverAddress = self.serverAddress
        // What the TLS handshake learns, kept outside the pipeline: a server that closes at
        // once (a plain one) can empty it before the connect completes.
        let findings = configuration.tls?.files.connectsWithTLS == true ? HandshakeFindings() : nil
        ClientBootstrap(group: eventLoop)
            .connectTimeout(.nanoseconds(Int64(configuration.connectTimeout.components.seconds) * 1_000_000_000
                + configuration.connectTimeout.components.attoseconds / 1_000_000_000))
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { [weak self] channel in
                // The channel by identity, not by weak reference: a weak reference moves the
                // channel's reference count to a side table, and every retain and release of
                // it (several per call) then takes the runtime's slow path.
                let channelID = ObjectIdentifier(channel)
                return channel.eventLoop.makeCompletedFuture {
                    let handler = ClientConnectionHandler(
                        serverAddress: serverAddress,
                        maximumFrameSize: configuration.maximumFrameSize,
                        retire: { [weak self] in self?.retire(channelID) }
                    )
                    let sync = channel.pipeline.syncOperations
                    if let tls = configuration.tls, let findings {
                        try sync.addClientTLS(tls, host: configuration.host, serverAddress: serverAddress, findings: findings)
                    } else {
                        try sync.addHandler(PlainClientTLSDetector(serverAddress: serverAddress))
                    }
                    try sync.addFraming(maximumFrameSize: configuration.maximumFrameSize)
                    try sync.addHandler(handler)
                }
            }
            .connect(host: configuration.host, port: configuration.port)
            .flatMap { channel in
                channel.pipeline.context(handlerType: ClientConnectionHandler.self).map { context in
                    Connection(
                        channel: channel,
                        handler: NIOLoopBound(context.handler as! ClientConnectionHandler, eventLoop: channel.eventLoop)
                    )
                }
            }
            .whenComplete { [weak self] result in
                var result = result
                if case .failure = result, let failure = findings?.failure { result = .failure(failure) }
                self?.connected(result)
                promise.completeWith(result)
            }
    }

    private func connected(_ result: Result<Connection, any Error>) {
        state.withLock { state in
            guard case .connecting(_, let failures) = state else {
                // Closed while connecting: do not keep the new connection.
                if case .success(let connection) = result { connection.channel.close(promise: nil) }
                return
            }
            switch result {
            case .success(let connection) where !connection.channel.isActive:
                // The server closed it before this ran (both run on the channel's loop), so its
                // `retire` found the state still connecting: keeping it would hand every later
                // call a dead connection. The call waiting for it is refused unsent and retried.
                state = .idle(failures: failures)
            case .success(let connection):
                state = .ready(connection)
            case .failure(let error):
                let delay = configuration.backoff.jittered(configuration.backoff.delay(afterFailures: failures + 1))
                state = .backingOff(until: .now + delay, failures: failures + 1, reason: Self.describe(error))
            }
        }
    }

    /// The connection closed or the server asked it to drain: later calls get a new one.
    private func retire(_ channel: ObjectIdentifier) {
        state.withLock { state in
            // While the state holds the connection its channel is alive, so no other object
            // can have the same identifier.
            if case .ready(let connection) = state, ObjectIdentifier(connection.channel) == channel {
                state = .idle(failures: 0)
            }
        }
    }

    private static func describe(_ error: any Error) -> String {
        switch error {
        case let error as NIOConnectionError:
            if let first = error.connectionErrors.first { return describe(first.error) }
            return "\(error)"
        case let error as IOError:
            return String(cString: strerror(error.errnoCode)).lowercased()
        case ChannelError.connectTimeout(let timeout):
            return "no answer within \(timeout)"
        default:
            return "\(error)"
        }
    }
}
