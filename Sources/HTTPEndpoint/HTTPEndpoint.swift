import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
public import Logging
public import ServiceLifecycle

/// A small HTTP/1.1 server for a service's side doors (Kannel's delivery reports,
/// Prometheus `/metrics`), on NIOHTTP1 (docs/ARCHITECTURE.md «HTTP side doors»): routes by
/// method and exact path to async handlers, reads the whole body up to a cap, keeps
/// connections alive, closes a connection that sends nothing for `idleTimeout` (NIO's
/// `IdleStateHandler`), holds at most `maxConnections` at once (one more is closed on
/// accept), and stops gracefully: it stops accepting, lets a request in progress finish,
/// and closes idle connections.
public final class HTTPEndpoint: Service, Sendable {
    public struct Configuration: Sendable {
        public var host: String
        /// 0 picks a free port; `boundPort()` tells which.
        public var port: Int
        /// A larger body is answered 413 and the connection closed.
        public var maxBodyBytes: Int
        /// A connection that sends nothing for this long is closed (a client that opened it
        /// and went away, or sends a byte a minute, holds no descriptor for long).
        public var idleTimeout: Duration
        /// Connections held at once; one more is closed as soon as it is accepted, so a flood
        /// of connections cannot take the process's descriptors.
        public var maxConnections: Int

        public init(
            host: String = "127.0.0.1", port: Int = 0, maxBodyBytes: Int = 1 << 20,
            idleTimeout: Duration = .seconds(60), maxConnections: Int = 256
        ) {
            self.host = host
            self.port = port
            self.maxBodyBytes = maxBodyBytes
            self.idleTimeout = idleTimeout
            self.maxConnections = maxConnections
        }
    }

    public let configuration: Configuration
    let routes: [String: [String: EndpointRoute]]
    let logger: Logger
    let group: any EventLoopGroup
    private let bound = NIOLockedValueBox(BindState.waiting([]))
    private let open = NIOLockedValueBox(0)

    /// Connections being served now.
    public var openConnections: Int { open.withLockedValue { $0 } }

    private enum BindState {
        case waiting([CheckedContinuation<Int, any Error>])
        case bound(Int)
        case failed(any Error)
    }

    public init(
        _ configuration: Configuration, routes: [EndpointRoute], logger: Logger = Logger(label: "http"),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        self.configuration = configuration
        self.routes = Dictionary(grouping: routes, by: \.path).mapValues { Dictionary($0.map { ($0.method, $0) }, uniquingKeysWith: { first, _ in first }) }
        self.logger = logger
        self.group = group
    }

    /// The port the endpoint listens on, once `run()` has bound it.
    public func boundPort() async throws -> Int {
        try await withCheckedThrowingContinuation { continuation in
            let ready: Result<Int, any Error>? = bound.withLockedValue { state in
                switch state {
                case .waiting(var waiters):
                    waiters.append(continuation)
                    state = .waiting(waiters)
                    return nil
                case .bound(let port): return .success(port)
                case .failed(let error): return .failure(error)
                }
            }
            if let ready { continuation.resume(with: ready) }
        }
    }

    private func resolve(_ result: Result<Int, any Error>) {
        let waiters = bound.withLockedValue { state -> [CheckedContinuation<Int, any Error>] in
            guard case .waiting(let waiters) = state else { return [] }
            switch result {
            case .success(let port): state = .bound(port)
            case .failure(let error): state = .failed(error)
            }
            return waiters
        }
        for waiter in waiters { waiter.resume(with: result) }
    }

    public func run() async throws {
        let server: NIOAsyncChannel<NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, Never>
        do {
            server = try await ServerBootstrap(group: group)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
                .bind(host: configuration.host, port: configuration.port) { [idle = configuration.idleTimeout] channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandlers(IdleStateHandler(readTimeout: TimeAmount(idle)), CloseOnIdle())
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                        return try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            resolve(.failure(error))
            throw error
        }
        let port = server.channel.localAddress?.port ?? configuration.port
        resolve(.success(port))
        logger.info("http listening", metadata: ["host": "\(configuration.host)", "port": "\(port)"])
        let listener = server.channel
        try await withGracefulShutdownHandler {
            try await withThrowingDiscardingTaskGroup { connections in
                try await server.executeThenClose { inbound in
                    for try await connection in inbound {
                        let admitted = open.withLockedValue { count in
                            guard count < configuration.maxConnections else { return false }
                            count += 1
                            return true
                        }
                        guard admitted else {
                            logger.warning("http connection refused: at the cap", metadata: ["max": "\(configuration.maxConnections)"])
                            connections.addTask { try? await connection.executeThenClose { _, _ in } }
                            continue
                        }
                        connections.addTask {
                            await self.serve(connection)
                            self.open.withLockedValue { $0 -= 1 }
                        }
                    }
                }
            }
        } onGracefulShutdown: {
            listener.close(promise: nil)
        }
    }

    private struct ConnectionState {
        var busy = false
        var closing = false
    }

    private func serve(_ connection: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>) async {
        let state = NIOLockedValueBox(ConnectionState())
        let channel = connection.channel
        let maxBody = configuration.maxBodyBytes
        do {
            try await withGracefulShutdownHandler {
                try await connection.executeThenClose { inbound, outbound in
                    var head: HTTPRequestHead?
                    var body: [UInt8] = []
                    for try await part in inbound {
                        switch part {
                        case .head(let received):
                            state.withLockedValue { $0.busy = true }
                            head = received
                            body = []
                            if let length = received.headers.first(name: "content-length").flatMap(Int.init), length > maxBody {
                                try await Self.write(.text("request body too large\n", status: 413), version: received.version, keepAlive: false, to: outbound)
                                return
                            }
                        case .body(let buffer):
                            guard body.count + buffer.readableBytes <= maxBody else {
                                try await Self.write(.text("request body too large\n", status: 413), version: head?.version ?? .http1_1, keepAlive: false, to: outbound)
                                return
                            }
                            body.append(contentsOf: buffer.readableBytesView)
                        case .end:
                            guard let received = head else { continue }
                            head = nil
                            let response = await self.respond(to: received, body: body)
                            let closing = state.withLockedValue { $0.closing }
                            let keepAlive = received.isKeepAlive && !closing
                            try await Self.write(response, version: received.version, keepAlive: keepAlive, to: outbound)
                            let close = state.withLockedValue { state -> Bool in
                                state.busy = false
                                return state.closing
                            }
                            if close || !keepAlive { return }
                        }
                    }
                }
            } onGracefulShutdown: {
                let idle = state.withLockedValue { state -> Bool in
                    state.closing = true
                    return !state.busy
                }
                if idle { channel.close(promise: nil) }
            }
        } catch {
            logger.debug("http connection ended", metadata: ["error": "\(error)"])
        }
    }

    func respond(to head: HTTPRequestHead, body: [UInt8]) async -> EndpointResponse {
        let request = EndpointRequest(
            method: head.method.rawValue, uri: head.uri,
            headers: head.headers.map { EndpointRequest.Header(name: $0.name, value: $0.value) }, body: body
        )
        guard let byMethod = routes[request.path] else { return .text("not found\n", status: 404) }
        guard let route = byMethod[request.method] else {
            var response = EndpointResponse.text("method not allowed\n", status: 405)
            response.headers.append(.init(name: "Allow", value: byMethod.keys.sorted().joined(separator: ", ")))
            return response
        }
        return await route.handler(request)
    }

    static func write(
        _ response: EndpointResponse, version: HTTPVersion, keepAlive: Bool, to outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>
    ) async throws {
        var headers = HTTPHeaders(response.headers.map { ($0.name, $0.value) })
        headers.replaceOrAdd(name: "Content-Length", value: "\(response.body.count)")
        headers.replaceOrAdd(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        try await outbound.write(.head(HTTPResponseHead(version: version, status: HTTPResponseStatus(statusCode: response.status), headers: headers)))
        if !response.body.isEmpty {
            try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: response.body))))
        }
        try await outbound.write(.end(nil))
    }
}

/// Closes the connection when `IdleStateHandler` says it sent nothing for the idle timeout.
final class CloseOnIdle: ChannelInboundHandler, Sendable {
    typealias InboundIn = NIOAny

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }
}

extension TimeAmount {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
