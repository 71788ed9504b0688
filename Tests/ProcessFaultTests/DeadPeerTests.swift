import CRMAPI
import Foundation
import Gateway
import RPCCore
import Testing
import Wire

extension ProcessFaults {
    /// The gateway against a service process that died or froze: the operator gets a clear
    /// UNAVAILABLE (or the call's deadline) at once, never a hang.
    @Suite("Dead and frozen services", .serialized)
    struct DeadPeerTests {
        func health(_ client: ServiceClient) async throws(GatewayError) -> RPCV1.HealthCheckResponse {
            try await client.call { rpc in try await RPCV1.Health.Client(wrapping: rpc).check(RPCV1.HealthCheckRequest()) }
        }

        @Test func aCallToAKilledServiceFailsFastWithUnavailable() async throws {
            let registry = try ServiceProcess("registry")
            defer { registry.stop() }
            try await registry.start()
            let endpoint = ServiceEndpoints.Endpoint(service: "registry", host: "127.0.0.1", port: registry.port)
            // A call timeout far longer than "fast", so failing fast and waiting it out differ
            // even on a loaded machine.
            let connected = endpoint.client(timeout: .seconds(30))
            #expect(try await health(connected).status == .serving)
            registry.kill9()

            for (what, client) in [("a connected client", connected), ("a new client", endpoint.client(timeout: .seconds(30)))] {
                let start = ContinuousClock.now
                let error = try await #require(throws: GatewayError.self) { _ = try await health(client) }
                let took = ContinuousClock.now - start
                print("dead peer: \(what) got \(error.code.map { "\($0)" } ?? "?") after \(took) (call timeout 30 s)")
                #expect(error.code == .unavailable, "\(what): \(error.message)")
                #expect(error.message.contains("registry (127.0.0.1:\(registry.port)) недоступен"))
                #expect(took < .seconds(10), "\(what) waited \(took)")
            }
        }

        @Test func aFrozenServiceEndsTheCallAtItsDeadline() async throws {
            let registry = try ServiceProcess("registry")
            defer { registry.stop() }
            try await registry.start()
            let endpoint = ServiceEndpoints.Endpoint(service: "registry", host: "127.0.0.1", port: registry.port)
            let client = endpoint.client(timeout: .seconds(2))
            #expect(try await health(client).status == .serving)

            // SIGSTOP: the socket stays open and the kernel still accepts, but nothing answers.
            try await registry.signal(SIGSTOP)
            let start = ContinuousClock.now
            let error = try await #require(throws: GatewayError.self) { _ = try await health(client) }
            let took = ContinuousClock.now - start
            print("frozen peer: \(error.code.map { "\($0)" } ?? "?") after \(took) (call timeout 2 s)")
            #expect(error.code == .deadlineExceeded)
            // Ends near its 2 s deadline plus the 1 s the client waits for the answer to its cancel
            // (PROTOCOL.md «Deadlines and writes»); the bound only says "did not hang" on a loaded machine.
            #expect(took < .seconds(20))

            try await registry.signal(SIGCONT)
            #expect(try await health(endpoint.client(timeout: .seconds(10))).status == .serving)
        }
    }
}
