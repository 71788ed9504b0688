import NIOCore
@testable import RPCTransportTCP
import Testing
import Wire

/// The example bytes of docs/PROTOCOL.md, so the document cannot drift from the code.
@Suite struct ProtocolDocumentTests {
    private func hex(_ text: String) -> [UInt8] {
        text.split(whereSeparator: \.isWhitespace).map { UInt8($0, radix: 16)! }
    }

    private func encoded(_ frame: RPCV1.Frame) throws -> [UInt8] {
        var frames = OutboundFrames()
        try frames.append(frame, allocator: ByteBufferAllocator())
        return Array(frames.take()!.readableBytesView)
    }

    @Test func healthCheckRequest() throws {
        var request = RPCV1.Request()
        request.method = "crm.rpc.v1.Health/Check"
        request.timeoutMicros = 1_000_000
        request.payload = try RPCV1.HealthCheckRequest().serializedBytes()
        let bytes = try encoded(RPCV1.Frame(callID: 1, kind: .request(request)))
        #expect(bytes == hex("""
            00 00 00 21 08 01 12 1d
            0a 17 63 72 6d 2e 72 70 63 2e 76 31 2e 48 65 61 6c 74 68 2f 43 68 65 63 6b
            18 c0 84 3d
            """))
    }

    @Test func healthCheckAnswer() throws {
        var health = RPCV1.HealthCheckResponse()
        health.status = .serving
        var response = RPCV1.Response()
        response.payload = try health.serializedBytes()
        let bytes = try encoded(RPCV1.Frame(callID: 1, kind: .response(response)))
        #expect(bytes == hex("00 00 00 08 08 01 1a 04 1a 02 08 01"))
    }

    @Test func refusalStartsWithTheStatusCode() throws {
        var violation = RPCV1.FieldViolation()
        violation.field = "phone"
        violation.description = "not a Russian number"
        var status = RPCV1.Status()
        status.code = .invalidArgument
        status.message = "phone: not a Russian number"
        status.fieldViolations = [violation]
        var response = RPCV1.Response()
        response.status = status
        let bytes = try encoded(RPCV1.Frame(callID: 2, kind: .response(response)))
        #expect(Array(bytes[4..<6]) == hex("08 02"))
        #expect(bytes[6] == 0x1a)
        #expect(bytes[8] == 0x0a)
        #expect(Array(bytes[10..<12]) == hex("08 03"))
        let decoded = try RPCV1.Frame(serializedBytes: bytes.dropFirst(4))
        guard case .response(let answer) = decoded.kind else {
            Issue.record("not a response")
            return
        }
        #expect(answer.status?.fieldViolations.first?.field == "phone")
    }
}
