import CRMAPI
import RPCCore
import RPCTesting
import Testing
import Wire

/// The request id follows a call from the caller through a service to the peer it calls.
@Suite struct RequestIDTests {
    /// Answers with the request id it was served under, as text.
    struct Peer: RPCV1.Echo.ServiceProtocol {
        func echo(request: RPCV1.EchoMessage, context: ServerContext) async throws -> RPCV1.EchoMessage {
            var answer = RPCV1.EchoMessage()
            answer.payload = Array("\(context.requestID ?? "-")/\(RequestID.current ?? "-")".utf8)
            return answer
        }
    }

    /// Serves a call by calling the peer with no metadata of its own, as a service calls a
    /// peer service; answers with its own request id and the peer's answer.
    struct Front: RPCV1.Echo.ServiceProtocol {
        let peer: RPCClient

        func echo(request: RPCV1.EchoMessage, context: ServerContext) async throws -> RPCV1.EchoMessage {
            let peerAnswer = try await RPCV1.Echo.Client(wrapping: peer).echo(RPCV1.EchoMessage())
            var answer = RPCV1.EchoMessage()
            answer.payload = Array("\(context.requestID ?? "-") \(String(decoding: peerAnswer.payload, as: UTF8.self))".utf8)
            return answer
        }
    }

    func chain(_ metadata: Metadata) async throws -> String {
        try await withTestServer(.tcp, services: [Peer()]) { peer in
            try await withTestServer(.tcp, services: [Front(peer: peer)]) { front in
                let answer = try await RPCV1.Echo.Client(wrapping: front).echo(RPCV1.EchoMessage(), metadata: metadata)
                return String(decoding: answer.payload, as: UTF8.self)
            }
        }
    }

    @Test func theCallersRequestIDReachesThePeerService() async throws {
        var metadata = Metadata()
        metadata.requestID = "operator-action-42"
        #expect(try await chain(metadata) == "operator-action-42 operator-action-42/operator-action-42")
    }

    @Test func aCallWithoutOneGetsAnIDThatThePeerSharesToo() async throws {
        let answer = try await chain([:])
        let parts = answer.split(separator: " ")
        try #require(parts.count == 2)
        #expect(!parts[0].isEmpty && parts[0] != "-")
        #expect(parts[1] == "\(parts[0])/\(parts[0])")
    }

    @Test func generatedIDsDiffer() {
        let ids = (0..<1000).map { _ in RequestID.generate() }
        #expect(Set(ids).count == 1000)
    }
}
