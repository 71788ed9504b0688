import RPCCore
import RPCTransportInProcess
import Synchronization
import Testing

@Suite struct RPCServerTests {
    @Test func echoesThroughRouterAndCodecs() async throws {
        try await withInProcessServer(services: [TestService(probe: Probe())]) { client, _ in
            let answer = try await client.call(TestService.echo, "Привет")
            #expect(answer == "Привет")
        }
    }

    @Test func unknownMethodIsUnimplemented() async throws {
        try await withInProcessServer(services: [TestService(probe: Probe())]) { client, _ in
            let error = try await #require(throws: RPCError.self) {
                try await client.call(MethodDescriptor(service: TestService.name, method: "Nope"), "x")
            }
            #expect(error.code == .unimplemented)
            #expect(error.message.contains("test.v1.Test/Nope"))
        }
    }

    @Test func handlerSeesMetadataWithCaseInsensitiveKeys() async throws {
        let probe = Probe()
        try await withInProcessServer(services: [TestService(probe: probe)]) { client, _ in
            _ = try await client.call(TestService.echo, "x", metadata: ["Idempotency-Key": "k-1", "request-id": "r-9"])
            let seen = probe.sawMetadata.withLock { $0 }
            #expect(seen.idempotencyKey == "k-1")
            #expect(seen["REQUEST-ID"] == "r-9")
        }
    }

    @Test(arguments: [
        ("rpc", StatusCode.invalidArgument),
        ("domain", StatusCode.failedPrecondition),
        ("other", StatusCode.unknown),
    ])
    func errorsMapToStatusCodes(request: String, code: StatusCode) async throws {
        try await withInProcessServer(services: [TestService(probe: Probe())]) { client, _ in
            let error = try await #require(throws: RPCError.self) {
                try await client.call(TestService.fail, request)
            }
            #expect(error.code == code)
        }
    }

    @Test func fieldViolationsReachTheClient() async throws {
        try await withInProcessServer(services: [TestService(probe: Probe())]) { client, _ in
            let error = try await #require(throws: RPCError.self) { try await client.call(TestService.fail, "rpc") }
            #expect(error.fieldViolations == [FieldViolation(field: "phone", description: "not a Russian number")])
        }
    }

    @Test func foreignErrorsDoNotLeakDetails() async throws {
        try await withInProcessServer(services: [TestService(probe: Probe())]) { client, _ in
            let error = try await #require(throws: RPCError.self) { try await client.call(TestService.fail, "other") }
            #expect(!error.message.contains("hunter2"))
        }
    }

    @Test func undecodableRequestIsInvalidArgument() async throws {
        try await withInProcessServer(services: [TestService(probe: Probe())]) { client, _ in
            let error = try await #require(throws: RPCError.self) {
                _ = try await client.unary(RPCRequestParts(method: TestService.echo.fullName, metadata: [:], payload: [0xFF, 0xFE]))
            }
            #expect(error.code == .invalidArgument)
        }
    }

    @Test func deadlineIsSeenByHandlerAndExpiryCancelsIt() async throws {
        let probe = Probe()
        try await withInProcessServer(services: [TestService(probe: probe)]) { client, _ in
            let sent = ContinuousClock.now
            _ = try await client.call(TestService.echo, "x", timeout: .seconds(30))
            let seen = try #require(probe.sawDeadline.withLock { $0 })
            // The handler sees the caller's deadline, measured from when the call left.
            #expect(seen > sent + .seconds(29) && seen <= .now + .seconds(30))

            let error = try await #require(throws: RPCError.self) {
                // A deadline long enough that the handler surely starts, even on a loaded machine.
                try await client.call(TestService.sleep, "10000", timeout: .seconds(3))
            }
            #expect(error.code == .deadlineExceeded)
            try await eventually { probe.cancelledHandlers.load(ordering: .relaxed) == 1 }
            #expect(probe.cancelledHandlers.load(ordering: .relaxed) == 1)
            #expect(probe.finishedHandlers.load(ordering: .relaxed) == 0)
        }
    }

    @Test func gracefulStopFinishesCallsInFlightAndRefusesNewOnes() async throws {
        let probe = Probe()
        try await withInProcessServer(services: [TestService(probe: probe)]) { client, server in
            _ = try await client.call(TestService.echo, "serving")
            async let slow = client.call(TestService.sleep, "200")
            try await Task.sleep(for: .milliseconds(50))
            server.beginGracefulShutdown()
            let refused = try await #require(throws: RPCError.self) { try await client.call(TestService.echo, "x") }
            #expect(refused.code == .unavailable)
            let slowAnswer = try await slow
            #expect(slowAnswer == "200")
            #expect(probe.finishedHandlers.load(ordering: .relaxed) == 1)
        }
    }
}
