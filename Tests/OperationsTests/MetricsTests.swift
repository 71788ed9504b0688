import Auth
import CRMAPI
import Foundation
import Testing
import Wire

/// `--metrics-listen` serves Prometheus' text format with the calls, errors by code, latency
/// and connections after real calls to a real service process.
@Suite struct MetricsTests {
    /// A one-request HTTP/1.1 GET over a plain socket (the endpoint closes after answering).
    func get(port: Int, path: String) throws -> (status: Int, body: String) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { close(fd); throw POSIXError(.ECONNREFUSED) }
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        handle.write(Data("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8))
        let response = String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
        let status = Int(response.split(separator: " ").dropFirst().first ?? "") ?? 0
        let body = response.components(separatedBy: "\r\n\r\n").dropFirst().joined(separator: "\r\n\r\n")
        return (status, body)
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

        let (status, body) = try get(port: metricsPort, path: "/metrics")
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
        #expect(try get(port: metricsPort, path: "/other").status == 404)
    }
}
