import CRMAPI
import RPCCore
import Synchronization
import Testing
import Wire

/// The requests of one read are served by one Task for as long as their handlers answer at
/// once; a handler that suspends keeps its call, and the rest of the read goes on without it.
@Suite struct ReadBurstTests {
    @Test func aHandlerThatSuspendsHoldsUpNeitherTheRestOfItsReadNorItsCancellation() async throws {
        let service = DelayedEcho()
        try await withLiveServer(services: [service]) { server in
            let raw = try await RawConnection(port: server.port)
            defer { raw.close() }
            // DelayedEcho sleeps payload[0] × (payload[1] + 1) ms: call 1 one second, call 3
            // five seconds; 2, 4 and 5 answer at once; 6 is cancelled in the same read.
            let payloads: [UInt64: [UInt8]] = [1: [100, 9], 2: [0], 3: [250, 19], 4: [0], 5: [0], 6: [0]]
            var burst: [UInt8] = []
            for id in payloads.keys.sorted() {
                let message = try RPCV1.EchoMessage.with(payload: payloads[id]!).serializedBytes()
                burst += try requestFrameBytes(callID: id, method: "crm.rpc.v1.Echo/Echo", payload: message)
            }
            burst += try cancelFrameBytes(callID: 6)
            try await raw.send(burst)

            // Call 6, cancelled before it started, is answered CANCELLED at once.
            let early = try await raw.waitForFrames(4)
            #expect(Set(early.prefix(4).map(\.callID)) == [2, 4, 5, 6], "the calls that answer at once do not wait for call 1 or 3")
            try await service.waitUntilStarted(5)

            try await raw.send(try cancelFrameBytes(callID: 3))
            let all = try await raw.waitForFrames(6)
            #expect(Set(all.map(\.callID)) == [1, 2, 3, 4, 5, 6])
            for frame in all {
                guard case .response(let response) = frame.kind else {
                    Issue.record("call \(frame.callID): not a response")
                    continue
                }
                if frame.callID == 3 || frame.callID == 6 {
                    // A cancelled call is still answered, so a client waiting past its deadline learns the outcome.
                    #expect(response.status?.code == .cancelled, "call \(frame.callID)")
                } else {
                    #expect(response.payload == (try RPCV1.EchoMessage.with(payload: payloads[frame.callID]!).serializedBytes()))
                }
            }
            let deadline = ContinuousClock.now + .seconds(5)
            while service.counts.cancelled.load(ordering: .relaxed) < 1, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(service.counts.cancelled.load(ordering: .relaxed) == 1, "call 3's handler is cancelled alone")
            try await Task.sleep(for: .milliseconds(200))
            #expect(try raw.frames().count == 6, "each call answered once")
            #expect(service.counts.started.load(ordering: .relaxed) == 5, "call 6 was cancelled before it started")
            #expect(service.counts.finished.load(ordering: .relaxed) == 4)
        }
    }
}

func cancelFrameBytes(callID: UInt64) throws -> [UInt8] {
    try frameBytes(RPCV1.Frame(callID: callID, kind: .cancel(RPCV1.Cancel())))
}
