import CRMAPI
import NIOCore
import RPCCore
import RPCTransportTCP
import Wire

/// The project's RPC: `crm.rpc.v1.Echo/Echo` through RPCServer and the TCP transport.
enum RPCEchoServer {
    static func start(group: any EventLoopGroup, tls: TLSCredentials? = nil) async throws -> (server: RPCServer, port: Int, task: Task<Void, any Error>) {
        let transport = TCPServerTransport(TCPServerTransport.Configuration(host: "127.0.0.1", port: 0, tls: tls), group: group)
        let server = RPCServer(transport: transport, services: [EchoService()])
        let task = Task { try await server.run() }
        let address = try await transport.listeningAddress()
        return (server, address.port ?? 0, task)
    }
}

final class RPCEchoClient: EchoCaller {
    let transport: TCPClientTransport
    let client: RPCV1.Echo.Client
    var executor: any TaskExecutor { transport.preferredExecutor }

    init(port: Int, group: any EventLoopGroup, tls: TLSCredentials? = nil) {
        transport = TCPClientTransport(TCPClientTransport.Configuration(host: "127.0.0.1", port: port, tls: tls), group: group)
        client = RPCV1.Echo.Client(wrapping: RPCClient(transport: transport))
    }

    nonisolated(nonsending) func call(_ payload: [UInt8]) async throws {
        var message = RPCV1.EchoMessage()
        message.payload = payload
        _ = try await client.echo(message)
    }

    func close() async {
        await transport.close()
    }
}
