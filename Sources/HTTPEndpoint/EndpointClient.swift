import NIOCore
import NIOHTTP1
import NIOPosix

public enum EndpointClientError: Error, Hashable, CustomStringConvertible {
    /// No complete answer within the time allowed.
    case timedOut
    /// The server closed the connection before a complete answer.
    case closedEarly

    public var description: String {
        switch self {
        case .timedOut: "no answer in time"
        case .closedEarly: "the connection closed before a complete answer"
        }
    }
}

/// A minimal HTTP/1.1 client over NIOHTTP1 for talking to one known peer (Kannel's
/// sendsms, the tests of `HTTPEndpoint`): one connection, requests one after another on it.
public enum EndpointClient {
    /// One request on a fresh connection.
    public static func request(
        host: String, port: Int, method: String = "GET", uri: String, headers: [EndpointRequest.Header] = [], body: [UInt8] = [],
        timeout: Duration = .seconds(10), group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> EndpointResponse {
        try await withConnection(host: host, port: port, timeout: timeout, group: group) { connection in
            try await connection.request(method: method, uri: uri, headers: headers, body: body)
        }
    }

    /// Opens a connection, runs `body` with it, closes it. The whole exchange gets `timeout`:
    /// past it the connection is closed and the call throws `EndpointClientError.timedOut`.
    public static func withConnection<Result>(
        host: String, port: Int, timeout: Duration = .seconds(10), group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        _ body: (EndpointClientConnection) async throws -> Result
    ) async throws -> Result {
        let seconds = timeout.components.seconds
        let channel = try await ClientBootstrap(group: group)
            .connectTimeout(.milliseconds(max(1, seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)))
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(wrappingChannelSynchronously: channel)
                }
            }
        let timer = Task {
            try await Task.sleep(for: timeout)
            channel.channel.close(promise: nil)
            return true
        }
        defer { timer.cancel() }
        do {
            return try await channel.executeThenClose { inbound, outbound in
                let connection = EndpointClientConnection(host: host, port: port, inbound: inbound.makeAsyncIterator(), outbound: outbound)
                return try await body(connection)
            }
        } catch {
            timer.cancel()
            if (try? await timer.value) == true { throw EndpointClientError.timedOut }
            throw error
        }
    }
}

/// One open HTTP/1.1 connection; not shared between tasks.
public final class EndpointClientConnection {
    let host: String
    let port: Int
    var inbound: NIOAsyncChannelInboundStream<HTTPClientResponsePart>.AsyncIterator
    let outbound: NIOAsyncChannelOutboundWriter<HTTPClientRequestPart>

    init(host: String, port: Int, inbound: NIOAsyncChannelInboundStream<HTTPClientResponsePart>.AsyncIterator, outbound: NIOAsyncChannelOutboundWriter<HTTPClientRequestPart>) {
        self.host = host
        self.port = port
        self.inbound = inbound
        self.outbound = outbound
    }

    /// Sends one request and reads its whole answer.
    public func request(method: String = "GET", uri: String, headers: [EndpointRequest.Header] = [], body: [UInt8] = []) async throws -> EndpointResponse {
        var head = HTTPRequestHead(version: .http1_1, method: HTTPMethod(rawValue: method.uppercased()), uri: uri)
        head.headers.add(name: "Host", value: "\(host):\(port)")
        for header in headers { head.headers.add(name: header.name, value: header.value) }
        if !body.isEmpty || method.uppercased() == "POST" || method.uppercased() == "PUT" {
            head.headers.replaceOrAdd(name: "Content-Length", value: "\(body.count)")
        }
        try await outbound.write(.head(head))
        if !body.isEmpty { try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: body)))) }
        try await outbound.write(.end(nil))

        var response: EndpointResponse?
        while let part = try await inbound.next() {
            switch part {
            case .head(let received):
                response = EndpointResponse(status: Int(received.status.code), headers: received.headers.map { .init(name: $0.name, value: $0.value) })
            case .body(let buffer):
                response?.body.append(contentsOf: buffer.readableBytesView)
            case .end:
                if let response { return response }
            }
        }
        throw EndpointClientError.closedEarly
    }
}
