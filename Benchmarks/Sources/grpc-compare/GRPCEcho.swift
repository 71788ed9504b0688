import GRPCCore
import GRPCNIOTransportHTTP2Posix
import NIOCore
import NIOPosix
import RPCBenchmarkKit
import RPCTransportTCP

/// `echo.Echo/Echo`, hand-registered: no code generation and no protobuf, so gRPC pays only
/// for its own framing, HTTP/2 and call machinery — the payload bytes go through untouched.
enum GRPCEcho {
    static let method = MethodDescriptor(fullyQualifiedService: "echo.Echo", method: "Echo")

    /// One server thread and one client thread, the layout `EchoBenchmark.run` gives raw and rpc.
    static func run(concurrency: Int, settings: EchoBenchmark.Settings, globalExecutor: Bool = false) async throws -> EchoBenchmark.Result {
        let serverGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let clientGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        do {
            let result = try await run(concurrency: concurrency, settings: settings, globalExecutor: globalExecutor, serverGroup: serverGroup, clientGroup: clientGroup)
            try? await serverGroup.shutdownGracefully()
            try? await clientGroup.shutdownGracefully()
            return result
        } catch {
            try? await serverGroup.shutdownGracefully()
            try? await clientGroup.shutdownGracefully()
            throw error
        }
    }

    private static func run(
        concurrency: Int, settings: EchoBenchmark.Settings, globalExecutor: Bool,
        serverGroup: MultiThreadedEventLoopGroup, clientGroup: MultiThreadedEventLoopGroup
    ) async throws -> EchoBenchmark.Result {
        // The transport's default config, as an application would run it: it includes flush
        // coalescing, which helps gRPC at 64 concurrent calls and costs it a little at 1.
        let server = GRPCServer(
            transport: .http2NIOPosix(
                address: .ipv4(host: "127.0.0.1", port: 0),
                transportSecurity: .plaintext,
                eventLoopGroup: serverGroup
            ),
            services: [GRPCEchoService()]
        )
        let serving = Task { try await server.serve() }
        guard let port = try await server.transport.listeningAddress.ipv4?.port else {
            throw BenchmarkError("the gRPC server did not bind an IPv4 address")
        }
        let caller = try GRPCEchoCaller(port: port, group: clientGroup, globalExecutor: globalExecutor)
        let result = try await EchoBenchmark.drive(caller, system: .grpc, concurrency: concurrency, settings: settings)
        await caller.close()
        server.beginGracefulShutdown()
        _ = await serving.result
        return result
    }
}

/// `[UInt8]` in and out as they are: the counterpart of the raw echo's untouched frames.
struct PassThroughCoding: MessageSerializer, MessageDeserializer {
    typealias Message = [UInt8]

    func serialize<Bytes: GRPCContiguousBytes>(_ message: [UInt8]) throws -> Bytes {
        Bytes(message)
    }

    func deserialize<Bytes: GRPCContiguousBytes>(_ serializedMessageBytes: Bytes) throws -> [UInt8] {
        serializedMessageBytes.withUnsafeBytes { Array($0) }
    }
}

struct GRPCEchoService: RegistrableRPCService {
    func registerMethods<Transport: ServerTransport>(with router: inout RPCRouter<Transport>) {
        router.registerHandler(
            forMethod: GRPCEcho.method,
            deserializer: PassThroughCoding(),
            serializer: PassThroughCoding()
        ) { request, _ in
            let single = try await ServerRequest(stream: request)
            return StreamingServerResponse(single: ServerResponse(message: single.message))
        }
    }
}

final class GRPCEchoCaller: EchoCaller {
    let client: GRPCClient<HTTP2ClientTransport.Posix>
    let connections: Task<Void, any Error>
    /// Callers run on the client's only event loop, as the raw and rpc callers do on theirs;
    /// gRPC's per-call child tasks inherit that. `globalExecutor` lets them spread over all cores.
    let executor: any TaskExecutor

    init(port: Int, group: MultiThreadedEventLoopGroup, globalExecutor: Bool) throws {
        let client = GRPCClient(
            transport: try .http2NIOPosix(
                target: .ipv4(address: "127.0.0.1", port: port),
                transportSecurity: .plaintext,
                eventLoopGroup: group
            )
        )
        self.client = client
        self.connections = Task { try await client.runConnections() }
        self.executor = globalExecutor ? globalConcurrentExecutor : EventLoopTaskExecutor(group.next())
    }

    func call(_ payload: [UInt8]) async throws {
        _ = try await client.unary(
            request: ClientRequest(message: payload),
            descriptor: GRPCEcho.method,
            serializer: PassThroughCoding(),
            deserializer: PassThroughCoding(),
            options: .defaults
        ) { try $0.message }
    }

    func close() async {
        client.beginGracefulShutdown()
        _ = await connections.result
    }
}
