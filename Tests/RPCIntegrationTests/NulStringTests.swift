import CRMAPI
import RPCCore
import RPCTesting
import Testing
import Wire

/// A string holding U+0000 cannot cross the wire (protobuf-c would cut it): the client
/// refuses to send it and the server refuses to read it, both INVALID_ARGUMENT naming the
/// field (docs/PROTOCOL.md «Strings»).
@Suite struct NulStringCallTests {
    @Test(arguments: TestTransport.allCases)
    func theClientRefusesToSendIt(transport: TestTransport) async throws {
        try await withTestServer(transport, services: [EchoService()]) { rpc in
            let health = RPCV1.Health.Client(wrapping: rpc)
            let error = await #expect(throws: RPCError.self) {
                _ = try await health.check(RPCV1.HealthCheckRequest(service: "crm.rpc.v1.Echo\u{0}"))
            }
            #expect(error?.code == .invalidArgument)
            #expect(error?.fieldViolations.map(\.field) == ["service"])
            #expect(error?.fieldViolations.first?.description == WireError.nulMessage)
        }
    }

    @Test(arguments: TestTransport.allCases)
    func theServerRefusesToReadIt(transport: TestTransport) async throws {
        try await withTestServer(transport, services: [EchoService()]) { rpc in
            // HealthCheckRequest.service (field 1) = "a", NUL, "b", as a client without the check sends it.
            let request = RPCRequestParts(method: "crm.rpc.v1.Health/Check", metadata: [:], payload: [0x0A, 0x03, 0x61, 0x00, 0x62])
            let error = await #expect(throws: RPCError.self) { _ = try await rpc.unary(request) }
            #expect(error?.code == .invalidArgument)
            #expect(error?.fieldViolations.map(\.field) == ["service"])
            // The same method still answers a clean request.
            let ok = try await RPCV1.Health.Client(wrapping: rpc).check(RPCV1.HealthCheckRequest())
            #expect(ok.status == .serving)
        }
    }

    @Test func metadataWithNulIsRefusedBeforeTheWire() async throws {
        try await withTestServer(.tcp, services: [EchoService()]) { rpc in
            var metadata = Metadata()
            metadata.add("x-note", "a\u{0}b")
            let error = await #expect(throws: RPCError.self) {
                _ = try await RPCV1.Health.Client(wrapping: rpc).check(RPCV1.HealthCheckRequest(), metadata: metadata)
            }
            #expect(error?.code == .invalidArgument)
            #expect(error?.fieldViolations.first?.field.hasPrefix("request.metadata[") == true)
            #expect(error?.fieldViolations.first?.field.hasSuffix("].value") == true)
            // The connection is still good for the next call.
            let again = try await RPCV1.Health.Client(wrapping: rpc).check(RPCV1.HealthCheckRequest())
            #expect(again.status == .serving)
        }
    }
}
