import CRMAPI
#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import NIOPosix
import RPCCore
import RPCTransportTCP
import Synchronization
import Testing
import Wire

/// Echo whose answer is `answerBytes` long whatever was asked: a small request that costs the
/// server a large answer, as `Reflection/ListMethods` did in the issue. Counts the calls run.
private struct LargeAnswerEcho: RPCV1.Echo.ServiceProtocol {
    let answerBytes: Int
    let counts = DelayedEcho.Counts()

    func echo(request: RPCV1.EchoMessage, context: ServerContext) async throws -> RPCV1.EchoMessage {
        counts.started.add(1, ordering: .relaxed)
        return .with(payload: [UInt8](repeating: 7, count: answerBytes))
    }
}

/// Echo that holds its event loop's thread for `microseconds` before answering, without
/// suspending: to the loop, a handler that costs that much CPU (decoding, checks, a cached
/// read). It sleeps rather than spins, so the test does not take a core from the tests that
/// run beside it.
private struct BusyEcho: RPCV1.Echo.ServiceProtocol {
    let microseconds: UInt32

    func echo(request: RPCV1.EchoMessage, context: ServerContext) async throws -> RPCV1.EchoMessage {
        usleep(microseconds)
        return request
    }
}

private let echoMethod = "crm.rpc.v1.Echo/Echo"

private func pipelined(_ count: Int, payload: [UInt8]) throws -> [UInt8] {
    let message = try RPCV1.EchoMessage.with(payload: payload).serializedBytes()
    var bytes: [UInt8] = []
    for id in 1...count {
        bytes += try requestFrameBytes(callID: UInt64(id), method: echoMethod, payload: message)
    }
    return bytes
}

/// Waits until `counter` stops moving for `quiet` (or `limit` passes); its last value.
private func settled(quiet: Duration = .seconds(1), limit: Duration = .seconds(20), _ counter: () -> Int) async throws -> Int {
    let deadline = ContinuousClock.now + limit
    var last = counter()
    var stillSince = ContinuousClock.now
    while ContinuousClock.now < deadline, ContinuousClock.now - stillSince < quiet {
        try await Task.sleep(for: .milliseconds(50))
        let now = counter()
        if now != last {
            last = now
            stillSince = ContinuousClock.now
        }
    }
    return last
}

/// Flow control and fairness over real TCP: what one connection asks cannot take the
/// server's memory or its other connections' turn.
@Suite struct BackpressureTests {
    @Test func aPeerThatReadsNoAnswersStopsBeingServedAndTheServerHoldsABoundedAmount() async throws {
        let answerBytes = 64 * 1024
        let service = LargeAnswerEcho(answerBytes: answerBytes)
        try await withLiveServer(services: [service]) { server in
            let greedy = try await RawConnection(port: server.port, reading: false, keepsBytes: false)
            defer { greedy.close() }
            let requests = 2_000
            try await greedy.send(pipelined(requests, payload: [1]))

            // Every answer the server made and the peer did not read is in the server's
            // memory or in the two kernels' socket buffers: this counts them all.
            let made = try await settled { service.counts.started.load(ordering: .relaxed) }
            print("backpressure: a peer reading nothing pipelined \(requests) requests for \(requests * answerBytes / 1_048_576) MiB of answers; the server made \(made) (\(made * answerBytes / 1_048_576) MiB, held by it and the two kernels' socket buffers) and stopped; bound 400 (25 MiB)")
            #expect(made <= 400, "the server goes on serving a peer that does not read")
            #expect(made >= 1)

            // Backpressure, not loss: once the peer reads, every call is answered.
            try await greedy.startReading()
            #expect(try await greedy.waitForFrameCount(requests, within: .seconds(60)) == requests)
            #expect(service.counts.started.load(ordering: .relaxed) == requests)
        }
    }

    @Test func callsInFlightOnAConnectionStopAtItsLimitAndTheRestWaitInTCP() async throws {
        var configuration = TCPServerTransport.Configuration()
        configuration.maximumCallsPerConnection = 50
        let service = DelayedEcho()
        try await withLiveServer(services: [service], configuration: configuration) { server in
            let raw = try await RawConnection(port: server.port, keepsBytes: false)
            defer { raw.close() }
            // Each call sleeps 250 ms × 3: 200 of them in flight at once would all be running.
            let requests = 200
            try await raw.send(pipelined(requests, payload: [250, 2]))
            let running = try await settled(quiet: .milliseconds(400)) { service.counts.started.load(ordering: .relaxed) }
            print("in flight: \(requests) pipelined calls of 750 ms against a limit of \(configuration.maximumCallsPerConnection) per connection: \(running) started before the first finished")
            #expect(running <= configuration.maximumCallsPerConnection)
            #expect(running >= 1)
            // The rest are read as calls finish; none is refused.
            #expect(try await raw.waitForFrameCount(requests, within: .seconds(60)) == requests)
            #expect(service.counts.finished.load(ordering: .relaxed) == requests)
        }
    }

    @Test func aPipeliningConnectionDelaysAnotherConnectionsCallsByABoundedAmount() async throws {
        // One loop thread: both connections are served by it, the case fairness is about (on
        // several loops they may also land on different threads).
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let work: UInt32 = 300
        let requests = 10_000
        try await withLiveServer(services: [BusyEcho(microseconds: work)], group: group) { server in
            // The other client on a loop of its own, apart from the pipelining peer's.
            let clientGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
            defer { clientGroup.shutdownGracefully { _ in } }
            let transport = TCPClientTransport(TCPClientTransport.Configuration(host: "127.0.0.1", port: server.port), group: clientGroup)
            let other = RPCV1.Echo.Client(wrapping: RPCClient(transport: transport))
            _ = try await other.echo(echoMessage([0]))

            let pipeliner = try await RawConnection(port: server.port, keepsBytes: false)
            defer { pipeliner.close() }
            let start = ContinuousClock.now
            try await pipeliner.send(pipelined(requests, payload: [1]))
            // The measuring loop runs on the client's loop thread, as the load tester's workers
            // do: the global executor is shared with the tests running beside this one, and
            // its delays are not the server's.
            let measuring = Task(executorPreference: transport.preferredExecutor) { () async throws -> [Duration] in
                var latencies: [Duration] = []
                while pipeliner.frameCount() < requests, ContinuousClock.now - start < .seconds(120) {
                    let sent = ContinuousClock.now
                    _ = try await other.echo(echoMessage([2]))
                    latencies.append(ContinuousClock.now - sent)
                }
                return latencies
            }
            var latencies = try await measuring.value
            let took = ContinuousClock.now - start
            latencies.sort()
            let worst = latencies.last ?? .zero
            let median = latencies.isEmpty ? .zero : latencies[latencies.count / 2]
            print("fairness: \(requests) pipelined calls holding the loop \(work) µs each on one connection took \(took); meanwhile another connection on the same loop made \(latencies.count) calls: median \(median), max \(worst); bound 500 ms")
            #expect(pipeliner.frameCount() == requests)
            #expect(latencies.count >= 10, "the other connection was hardly served while the pipeline ran")
            #expect(worst < .milliseconds(500))
        }
        try await group.shutdownGracefully()
    }
}
