import CRMAPI
import NIOCore
import Synchronization
import RPCCore
import RPCTesting
import Testing
import Wire

@Suite struct TCPCallTests {
    @Test(arguments: TestTransport.allCases)
    func echoAndBuiltinsAnswerOnEveryTransport(transport: TestTransport) async throws {
        try await withTestServer(transport, services: [EchoService()]) { rpc in
            let echo = RPCV1.Echo.Client(wrapping: rpc)
            let answer = try await echo.echo(echoMessage(Array("Ждем Вас".utf8)))
            #expect(answer.payload == Array("Ждем Вас".utf8))

            let health = try await RPCV1.Health.Client(wrapping: rpc).check(RPCV1.HealthCheckRequest())
            #expect(health.status == .serving)
            var unknown = RPCV1.HealthCheckRequest()
            unknown.service = "crm.nope.v1.Nope"
            #expect(try await RPCV1.Health.Client(wrapping: rpc).check(unknown).status == .serviceUnknown)

            let methods = try await RPCV1.Reflection.Client(wrapping: rpc).listMethods(RPCV1.ListMethodsRequest())
            #expect(methods.methods.map(\.name) == [
                "crm.rpc.v1.Echo/Echo", "crm.rpc.v1.Health/Check", "crm.rpc.v1.Reflection/ListMethods",
            ])
            #expect(methods.methods.first?.inputType == "crm.rpc.v1.EchoMessage")
        }
    }

    @Test func aThousandConcurrentCallsOnOneConnectionAreAnsweredOutOfOrderAndMatched() async throws {
        let service = DelayedEcho()
        try await withLiveServer(services: [service]) { server in
            let echo = RPCV1.Echo.Client(wrapping: server.client())
            // Payload: [delay ms, multiplier, call number (4 bytes)]; later calls finish sooner.
            try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<1000 {
                    group.addTask {
                        let number = withUnsafeBytes(of: UInt32(index).bigEndian, Array.init)
                        let payload: [UInt8] = [UInt8(1 + (999 - index) / 100), 1] + number
                        let answer = try await echo.echo(echoMessage(payload))
                        return answer.payload == payload
                    }
                }
                var matched = 0
                for try await ok in group where ok { matched += 1 }
                #expect(matched == 1000)
            }
            #expect(service.counts.finished.load(ordering: .relaxed) == 1000)
        }
    }

    @Test func deadlineExpiryAnswersDeadlineExceededAndCancelsTheHandler() async throws {
        let service = DelayedEcho()
        try await withLiveServer(services: [service]) { server in
            let echo = RPCV1.Echo.Client(wrapping: server.client())
            let start = ContinuousClock.now
            let error = try await #require(throws: RPCError.self) {
                // 250 ms × 41 ≈ 10 s of work against a 2 s deadline (long enough that the
                // call reaches the handler on a loaded machine).
                _ = try await echo.echo(echoMessage([250, 40]), options: CallOptions(timeout: .seconds(2)))
            }
            #expect(error.code == .deadlineExceeded)
            // Answered before the 10 s of work would have ended (at the 2 s deadline on an idle
            // machine; a CI run with parallel builds has stalled the loop for seconds).
            #expect(ContinuousClock.now - start < .seconds(9))
            // The server saw the call (a starved client may give up before sending; not here).
            try await service.waitUntilStarted(1)
            #expect(service.counts.started.load(ordering: .relaxed) == 1)
            var cancelled = 0
            for _ in 0..<300 where cancelled == 0 {
                try await Task.sleep(for: .milliseconds(10))
                cancelled = service.counts.cancelled.load(ordering: .relaxed)
            }
            #expect(cancelled == 1)
            #expect(service.counts.finished.load(ordering: .relaxed) == 0)
            // The connection still serves.
            let answer = try await echo.echo(echoMessage([0, 7]))
            #expect(answer.payload == [0, 7])
        }
    }

    @Test func cancellingTheCallersTaskCancelsTheCall() async throws {
        let service = DelayedEcho()
        try await withLiveServer(services: [service]) { server in
            let echo = RPCV1.Echo.Client(wrapping: server.client())
            let call = Task { try await echo.echo(echoMessage([250, 10])) }
            try await service.waitUntilStarted(1)
            call.cancel()
            let result = await call.result
            #expect(throws: RPCError.self) { try result.get() }
            if case .failure(let error as RPCError) = result { #expect(error.code == .cancelled) }
            for _ in 0..<100 where service.counts.cancelled.load(ordering: .relaxed) == 0 {
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(service.counts.cancelled.load(ordering: .relaxed) == 1)
        }
    }
}
