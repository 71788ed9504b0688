import Auth
import CRMAPI
import Foundation
import HTTPEndpoint
import Testing
import Wire

/// `--metrics-listen` serves Prometheus' text format with the calls, errors by code, latency
/// and connections after real calls to a real service process.
@Suite struct MetricsTests {
    func get(port: Int, path: String) async throws -> (status: Int, body: String) {
        let response = try await EndpointClient.request(host: "127.0.0.1", port: port, uri: path)
        return (response.status, String(decoding: response.body, as: UTF8.self))
    }

    @Test func aServiceReportsItsCallsErrorsLatencyAndConnections() async throws {
        let folder = try temporaryFolder("metrics")
        defer { try? FileManager.default.removeItem(at: folder) }
        let metricsPort = try freePort()
        let scheduling = try ServiceProcess(
            "scheduling", database: folder.appendingPathComponent("scheduling.sqlite").path,
            environment: ["CRM_METRICS_LISTEN": "127.0.0.1:\(metricsPort)"]
        )
        defer { scheduling.stop() }
        try await scheduling.start()
        let client = scheduling.client()
        _ = try await RPCV1.Health.Client(wrapping: client).check(RPCV1.HealthCheckRequest())
        // A call without a token: refused, so an error code shows up too.
        await #expect(throws: (any Error).self) {
            _ = try await SchedulingV1.Sms.Client(wrapping: client).getOutboxStatus(SchedulingV1.GetOutboxStatusRequest())
        }
        _ = try await SchedulingV1.Sms.Client(wrapping: client).getOutboxStatus(SchedulingV1.GetOutboxStatusRequest(), metadata: metadata(.administrator))

        let (status, body) = try await get(port: metricsPort, path: "/metrics")
        let lines = body.split(separator: "\n").map(String.init)
        func has(_ prefix: String) -> Bool { lines.contains { $0.hasPrefix(prefix) } }
        print("metrics: \(lines.filter { !$0.hasPrefix("#") }.count) samples, e.g. \(lines.filter { $0.hasPrefix("rpc_server_calls_total") })")
        #expect(status == 200)
        #expect(has(#"rpc_server_calls_total{method="crm.rpc.v1.Health/Check",code="OK"} "#))  // and the start-up probes
        #expect(has(#"rpc_server_calls_total{method="crm.scheduling.v1.Sms/GetOutboxStatus",code="UNAUTHENTICATED"} 1"#))
        #expect(has(#"rpc_server_calls_total{method="crm.scheduling.v1.Sms/GetOutboxStatus",code="OK"} 1"#))
        #expect(has(#"rpc_server_call_duration_seconds_bucket{method="crm.rpc.v1.Health/Check""#))
        #expect(has(#"rpc_server_call_duration_seconds_count{method="crm.scheduling.v1.Sms/GetOutboxStatus"} 2"#))
        #expect(has("rpc_server_connections "))
        #expect(has(#"sms_outbox_depth{state="queued"} 0"#))
        #expect(has("sms_contact_history_pending 0"))
        #expect(try await get(port: metricsPort, path: "/other").status == 404)
    }
}
