import CRMAPI
import NIOCore
public import RPCCore
import RPCTransportInProcess
import RPCTransportTCP

/// Which transport a test server runs on.
public enum TestTransport: Sendable, CaseIterable, CustomStringConvertible {
    /// No sockets: the real router, interceptors and codecs, in memory.
    case inProcess
    /// A real TCP listener on 127.0.0.1, on a free port.
    case tcp

    public var description: String {
        switch self {
        case .inProcess: "in-process"
        case .tcp: "TCP"
        }
    }
}

/// Runs a server with `services` (and the built-in health and reflection services) for the
/// body's duration and hands the body a client connected to it. The same test body runs
/// on either transport.
public func withTestServer<T: Sendable>(
    _ transport: TestTransport,
    services: [any RegistrableRPCService],
    interceptors: [any ServerInterceptor] = [],
    body: (RPCClient) async throws -> T
) async throws -> T {
    let services = BuiltinServices.adding(to: services)
    switch transport {
    case .inProcess:
        let pair = InProcessTransport()
        let server = RPCServer(transport: pair.server, services: services, interceptors: interceptors)
        return try await run(server) { try await body(RPCClient(transport: pair.client)) }
    case .tcp:
        let listener = TCPServerTransport()
        let server = RPCServer(transport: listener, services: services, interceptors: interceptors)
        return try await run(server) {
            let address = try await listener.listeningAddress()
            let client = TCPClientTransport(host: "127.0.0.1", port: address.port ?? 0)
            defer { Task { await client.close() } }
            return try await body(RPCClient(transport: client))
        }
    }
}

private func run<T: Sendable>(_ server: RPCServer, body: () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await server.run() }
        defer { group.cancelAll() }
        return try await body()
    }
}
