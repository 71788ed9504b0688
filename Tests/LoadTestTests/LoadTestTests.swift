import CRMAPI
import Histogram
import NIOCore
@testable import LoadTest
import RPCCore
import RPCTransportTCP
import Synchronization
import Testing
import Wire

@Suite struct FailConditionTests {
    static func report(calls: Int, errors: Int, micros: [UInt64], seconds: Double = 1) -> LoadReport {
        var report = LoadReport(
            method: "m", target: "t", concurrency: 1, connections: 1, targetRate: nil, calls: calls,
            errorsByCode: errors > 0 ? ["UNAVAILABLE": errors] : [:], seconds: seconds, interrupted: false,
            histogram: .init(highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .three)
        )
        for value in micros { _ = report.histogram.record(value) }
        return report
    }

    @Test(arguments: [
        ("p99>5ms", [UInt64](repeating: 1000, count: 98) + [9000, 9000], true),
        ("p99>5ms", [UInt64](repeating: 1000, count: 100), false),
        ("p50 >= 1ms", [UInt64](repeating: 1000, count: 10), true),
        ("max>2s", [3_000_000], true),
        ("p99.9<100us", [50], true),
    ])
    func latencyBounds(expression: String, micros: [UInt64], violated: Bool) throws {
        let condition = try FailCondition(parsing: expression)
        #expect(condition.isViolated(by: Self.report(calls: micros.count, errors: 0, micros: micros)) == violated)
    }

    @Test func errorRateAndRateBounds() throws {
        let report = Self.report(calls: 200, errors: 3, micros: [100], seconds: 2)
        #expect(try FailCondition(parsing: "error-rate>1%").isViolated(by: report))
        #expect(try !FailCondition(parsing: "error-rate>2%").isViolated(by: report))
        #expect(try FailCondition(parsing: "rps<1000").isViolated(by: report))
        #expect(try !FailCondition(parsing: "rps<50").isViolated(by: report))
    }

    @Test(arguments: ["p99", "p99>5", "p101>1ms", "error-rate>1", "latency>1ms", "rps<fast"])
    func malformedExpressionsAreRefused(expression: String) {
        #expect(throws: LoadTestError.self) { try FailCondition(parsing: expression) }
    }
}

@Suite struct RequestTemplateTests {
    @Test func placeholdersAreFilledFromCSVRowsAndEncoded() throws {
        let rows = RequestTemplate.csvRows("payload,other\nAQI=,x\nAwQ=,y\n")
        let bodies = try RequestTemplate(text: #"{"payload": "{{payload}}"}"#).render(as: RPCV1.EchoMessage.self, count: 3, rows: rows)
        let decoded = try bodies.map { try RPCV1.EchoMessage(serializedBytes: $0).payload }
        #expect(decoded == [[1, 2], [3, 4], [1, 2]])
    }

    @Test func aTemplateThatIsNotTheMessageIsRefused() {
        #expect(throws: LoadTestError.self) {
            _ = try RequestTemplate(text: #"{"payload": 12"#).render(as: RPCV1.EchoMessage.self, count: 1)
        }
    }

    @Test func syntheticPhonesDifferPerRow() throws {
        let bodies = try RequestTemplate(text: #"{"service": "{{phone}}"}"#).render(as: RPCV1.HealthCheckRequest.self, count: 50)
        let phones = Set(try bodies.map { try RPCV1.HealthCheckRequest(serializedBytes: $0).service })
        #expect(phones.count == 50)
        #expect(phones.allSatisfy { $0.count == 10 && $0.hasPrefix("9") })
    }
}

@Suite struct LoadRunnerTests {
    @Test func aTotalRunMakesExactlyThatManyMeasuredCallsAndCountsErrorsByCode() async throws {
        try await withLoadServer { port in
            let body = try RPCV1.EchoMessage(payload: [1, 2, 3]).serializedBytes()
            let ok = try await LoadRunner(.init(
                host: "127.0.0.1", port: port, method: "crm.rpc.v1.Echo/Echo", bodies: [body],
                concurrency: 8, connections: 2, duration: nil, total: 500
            )).run()
            #expect(ok.calls == 500)
            #expect(ok.errors == 0)
            #expect(ok.histogram.totalCount == 500)

            let missing = try await LoadRunner(.init(
                host: "127.0.0.1", port: port, method: "crm.nope.v1.Nope/Nope", bodies: [body],
                concurrency: 4, duration: nil, total: 40
            )).run()
            #expect(missing.calls == 40)
            #expect(missing.errorsByCode == ["UNIMPLEMENTED": 40])
        }
    }

    @Test func aScenariosCallsCarryThePerCallDeadline() async throws {
        try await withLoadServer { port in
            // The echo answers at once; a deadline already spent makes every call fail, which
            // only happens if the scenario's client carries the run's deadline.
            let seen = Mutex<[Duration?]>([])
            let report = try await LoadRunner(.init(
                host: "127.0.0.1", port: port, method: "scenario", bodies: [],
                concurrency: 2, duration: nil, total: 10, timeout: .nanoseconds(1),
                iteration: { client, _, _ in
                    seen.withLock { $0.append(client.defaultTimeout) }
                    _ = try await RPCV1.Echo.Client(wrapping: client).echo(RPCV1.EchoMessage(payload: [1]))
                }
            )).run()
            #expect(seen.withLock { $0.allSatisfy { $0 == .nanoseconds(1) } })
            #expect(report.errorsByCode == ["DEADLINE_EXCEEDED": 10])
        }
    }

    @Test func anOpenLoopRunReportsItsTargetRate() async throws {
        try await withLoadServer { port in
            let body = try RPCV1.EchoMessage(payload: [9]).serializedBytes()
            let report = try await LoadRunner(.init(
                host: "127.0.0.1", port: port, method: "crm.rpc.v1.Echo/Echo", bodies: [body],
                concurrency: 4, duration: nil, total: 50, rate: 500
            )).run()
            #expect(report.calls == 50)
            #expect(report.targetRate == 500)
            #expect(report.text().contains("open loop"))
            #expect(report.csv().split(separator: "\n").count == 2)
        }
    }
}

private func withLoadServer(_ body: (Int) async throws -> Void) async throws {
    let transport = TCPServerTransport()
    let server = RPCServer(transport: transport, services: [EchoService()])
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await server.run() }
        defer { group.cancelAll() }
        try await body(try await transport.listeningAddress().port!)
    }
}
