import Logging
import RPCCore
import Synchronization
import Testing

/// Refuses calls without a token, and records the order interceptors run in.
struct RecordingInterceptor: ServerInterceptor {
    let name: String
    let log: Recorder
    var requireToken = false

    func intercept(
        request: RPCRequestParts,
        context: ServerContext,
        next: @Sendable (RPCRequestParts, ServerContext) async throws -> RPCResponseParts
    ) async throws -> RPCResponseParts {
        log.append(name)
        if requireToken, request.metadata.bearerToken == nil {
            throw RPCError(code: .unauthenticated, message: "No session token")
        }
        return try await next(request, context)
    }
}

@Suite struct InterceptorTests {
    @Test func interceptorsRunInOrderAroundTheHandler() async throws {
        let log = Recorder()
        let interceptors = [RecordingInterceptor(name: "a", log: log), RecordingInterceptor(name: "b", log: log)]
        try await withInProcessServer(services: [TestService(probe: Probe())], interceptors: interceptors) { client, _ in
            _ = try await client.call(TestService.echo, "x")
        }
        #expect(log.lines == ["a", "b"])
    }

    @Test func aThrowingInterceptorStopsTheCallBeforeTheHandler() async throws {
        let probe = Probe()
        let guardInterceptor = RecordingInterceptor(name: "auth", log: Recorder(), requireToken: true)
        try await withInProcessServer(services: [TestService(probe: probe)], interceptors: [guardInterceptor]) { client, _ in
            let error = try await #require(throws: RPCError.self) { try await client.call(TestService.sleep, "1") }
            #expect(error.code == .unauthenticated)
            #expect(probe.finishedHandlers.load(ordering: .relaxed) == 0)

            var metadata = Metadata()
            metadata.bearerToken = "t"
            let answer = try await client.call(TestService.sleep, "1", metadata: metadata)
            #expect(answer == "1")
        }
    }

    @Test func loggingInterceptorWritesOneLinePerCallWithTheCode() async throws {
        let lines = Recorder()
        let logger = Logger(label: "test") { _ in CapturingLogHandler(lines: lines) }
        try await withInProcessServer(
            services: [TestService(probe: Probe())],
            interceptors: [LoggingInterceptor(logger: logger, successLevel: .info)]
        ) { client, _ in
            _ = try await client.call(TestService.echo, "x", metadata: ["request-id": "r-1"])
            _ = try? await client.call(TestService.fail, "rpc")
        }
        let captured = lines.lines
        #expect(captured.count == 2)
        #expect(captured[0].contains("rpc.code=OK") && captured[0].contains("request-id=r-1"))
        #expect(captured[1].contains("rpc.code=INVALID_ARGUMENT"))
    }
}

struct CapturingLogHandler: LogHandler {
    let lines: Recorder
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    init(lines: Recorder) { self.lines = lines }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let all = metadata.merging(event.metadata ?? [:]) { $1 }
        let text = all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        lines.append("\(event.level) \(event.message) \(text)")
    }
}

import MetricsTestKit

@Suite struct MetricsInterceptorTests {
    @Test func callsAreCountedByMethodAndCodeAndTimed() async throws {
        let metrics = TestMetrics()
        try await withInProcessServer(
            services: [TestService(probe: Probe())],
            interceptors: [MetricsInterceptor(factory: metrics)]
        ) { client, _ in
            _ = try await client.call(TestService.echo, "x")
            _ = try await client.call(TestService.echo, "y")
            _ = try? await client.call(TestService.fail, "rpc")
        }
        let ok = try metrics.expectCounter("rpc_server_calls_total", [("method", "test.v1.Test/Echo"), ("code", "OK")])
        #expect(ok.totalValue == 2)
        let refused = try metrics.expectCounter("rpc_server_calls_total", [("method", "test.v1.Test/Fail"), ("code", "INVALID_ARGUMENT")])
        #expect(refused.totalValue == 1)
        let timer = try metrics.expectTimer("rpc_server_call_duration_seconds", [("method", "test.v1.Test/Echo")])
        #expect(timer.values.count == 2)
    }
}
