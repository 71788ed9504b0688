import RPCCore
import RPCTransportInProcess
import ServiceLifecycle
import Synchronization

/// Strings as UTF-8 bytes: lets the core be tested without protobuf.
struct StringCodec: MessageSerializer, MessageDeserializer {
    struct NotText: Error {}

    func serialize(_ message: String) throws -> [UInt8] { Array(message.utf8) }

    func deserialize(_ bytes: [UInt8]) throws -> String {
        guard let text = String(validating: bytes, as: UTF8.self) else { throw NotText() }
        return text
    }
}

struct DomainError: RPCErrorConvertible {
    var rpcError: RPCError { RPCError(code: .failedPrecondition, message: "Rule broken") }
}

struct SecretError: Error, CustomStringConvertible {
    var description: String { "database password is hunter2" }
}

/// Records what handlers saw, for assertions.
final class Probe: Sendable {
    let cancelledHandlers = Atomic<Int>(0)
    let finishedHandlers = Atomic<Int>(0)
    let sawDeadline = Mutex<ContinuousClock.Instant?>(nil)
    let sawMetadata = Mutex<Metadata>([:])
}

struct TestService: RegistrableRPCService {
    static let name = "test.v1.Test"
    static let echo = MethodDescriptor(service: name, method: "Echo")
    static let fail = MethodDescriptor(service: name, method: "Fail")
    static let sleep = MethodDescriptor(service: name, method: "Sleep")

    let probe: Probe

    func registerMethods(with router: inout RPCRouter) {
        let probe = self.probe
        router.registerHandler(
            forMethod: Self.echo, inputType: "string", outputType: "string",
            deserializer: StringCodec(), serializer: StringCodec()
        ) { (request: String, context: ServerContext) in
            probe.sawMetadata.withLock { $0 = context.metadata }
            probe.sawDeadline.withLock { $0 = context.deadline }
            return request
        }
        router.registerHandler(
            forMethod: Self.fail, inputType: "string", outputType: "string",
            deserializer: StringCodec(), serializer: StringCodec()
        ) { (request: String, _: ServerContext) -> String in
            switch request {
            case "rpc": throw RPCError.invalidArgument(field: "phone", "not a Russian number")
            case "domain": throw DomainError()
            default: throw SecretError()
            }
        }
        router.registerHandler(
            forMethod: Self.sleep, inputType: "string", outputType: "string",
            deserializer: StringCodec(), serializer: StringCodec()
        ) { (request: String, _: ServerContext) -> String in
            do {
                try await Task.sleep(for: .milliseconds(Int(request) ?? 0))
            } catch {
                probe.cancelledHandlers.add(1, ordering: .relaxed)
                throw error
            }
            probe.finishedHandlers.add(1, ordering: .relaxed)
            return request
        }
    }
}

extension RPCClient {
    func call(_ method: MethodDescriptor, _ request: String, metadata: Metadata = [:], timeout: Duration? = nil) async throws -> String {
        try await unary(
            request: request, descriptor: method,
            serializer: StringCodec(), deserializer: StringCodec(),
            metadata: metadata, options: CallOptions(timeout: timeout)
        )
    }
}

/// Runs a server with `services` over the in-process transport for the body's duration.
func withInProcessServer<T: Sendable>(
    services: [any RegistrableRPCService],
    interceptors: [any ServerInterceptor] = [],
    body: (RPCClient, RPCServer) async throws -> T
) async throws -> T {
    let transport = InProcessTransport()
    let server = RPCServer(transport: transport.server, services: services, interceptors: interceptors)
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await server.run() }
        defer { group.cancelAll() }
        return try await body(RPCClient(transport: transport.client), server)
    }
}

/// Waits until `condition` holds, for at most `limit`.
func eventually(_ limit: Duration = .seconds(5), _ condition: () -> Bool) async throws {
    let deadline = ContinuousClock.now + limit
    while !condition() {
        guard ContinuousClock.now < deadline else { return }
        try await Task.sleep(for: .milliseconds(5))
    }
}

/// A shared list of strings (Mutex itself cannot be copied into structs).
final class Recorder: Sendable {
    private let storage = Mutex<[String]>([])
    func append(_ line: String) { storage.withLock { $0.append(line) } }
    var lines: [String] { storage.withLock { $0 } }
}
