import CRMAPI
import Logging
import NIOCore
import RPCCore
import RPCTransportTCP
import ServiceLifecycle
import ServiceLifecycleTestKit
import Synchronization
import Testing
import Wire

@Suite struct GracefulStopTests {
    /// What SIGTERM does in a service: the ServiceGroup's graceful shutdown reaches the
    /// server, which finishes the call in flight and then returns.
    @Test func aServiceGroupShutdownFinishesTheCallInFlight() async throws {
        let service = DelayedEcho()
        let transport = TCPServerTransport()
        let server = RPCServer(transport: transport, services: [service])
        try await testGracefulShutdown { trigger in
            try await withThrowingTaskGroup(of: Void.self) { group in
                let serviceGroup = ServiceGroup(services: [server], logger: Logger(label: "test"))
                group.addTask { try await serviceGroup.run() }
                let port = try await transport.listeningAddress().port!
                let echo = RPCV1.Echo.Client(wrapping: LiveServer.client(port: port))
                let slow = Task { try await echo.echo(echoMessage([100, 2])) } // 300 ms
                try await service.waitUntilStarted(1)
                trigger.triggerGracefulShutdown()
                let answer = try await slow.value
                #expect(answer.payload == [100, 2])
                // The group ends by itself once the call is answered.
                try await group.next()
                #expect(service.counts.finished.load(ordering: .relaxed) == 1)
            }
        }
    }

    @Test func callsStillRunningWhenTheGracePeriodEndsAreCancelled() async throws {
        let service = DelayedEcho()
        let transport = TCPServerTransport()
        let server = RPCServer(
            transport: transport, services: [service],
            configuration: RPCServer.Configuration(gracePeriod: .milliseconds(100))
        )
        let running = Task { try await server.run() }
        let port = try await transport.listeningAddress().port!
        let echo = RPCV1.Echo.Client(wrapping: LiveServer.client(port: port))
        let stuck = Task { try await echo.echo(echoMessage([250, 40])) } // 10 s
        try await service.waitUntilStarted(1)
        let start = ContinuousClock.now
        server.beginGracefulShutdown()
        _ = await running.result
        // Well before the handler's 10 s of work: the grace period ended it, not the work.
        #expect(ContinuousClock.now - start < .seconds(6))
        await #expect(throws: RPCError.self) { _ = try await stuck.value }
        for _ in 0..<100 where service.counts.cancelled.load(ordering: .relaxed) == 0 {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(service.counts.cancelled.load(ordering: .relaxed) == 1)
    }
}
