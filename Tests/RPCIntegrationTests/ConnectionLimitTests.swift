import CRMAPI
import NIOCore
import RPCCore
import RPCTransportTCP
import Synchronization
import Testing
import Wire

/// Who may hold the server's connections, over real TCP: one address cannot take them all,
/// and a connection that never asks for anything does not keep one for long.
@Suite struct ConnectionLimitTests {
    private func healthCheck(_ id: UInt64) throws -> [UInt8] {
        try requestFrameBytes(callID: id, method: "crm.rpc.v1.Health/Check", payload: RPCV1.HealthCheckRequest().serializedBytes())
    }

    @Test func oneAddressHoldingItsShareLeavesSlotsForANewcomerFromAnother() async throws {
        var configuration = TCPServerTransport.Configuration()
        configuration.maximumConnections = 12
        configuration.maximumConnectionsPerPeer = 4
        try await withLiveServer(services: [EchoService()], configuration: configuration) { server in
            // One client opens every slot there is, and keeps each busy with a health check.
            var greedy: [RawConnection] = []
            defer { for connection in greedy { connection.close() } }
            for _ in 0..<configuration.maximumConnections {
                let connection = try await RawConnection(port: server.port, from: "127.0.0.1")
                try? await connection.send(healthCheck(1))
                greedy.append(connection)
            }
            var open = greedy.count
            let settle = ContinuousClock.now + .seconds(5)
            while ContinuousClock.now < settle {
                open = greedy.filter { $0.channel.isActive }.count
                if open <= configuration.maximumConnectionsPerPeer { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(open == configuration.maximumConnectionsPerPeer)

            // A newcomer from another address is served.
            let newcomer = try await RawConnection(port: server.port, from: "127.0.0.2")
            defer { newcomer.close() }
            try await newcomer.send(healthCheck(9))
            let frames = try await newcomer.waitForFrames(1)
            #expect(frames.first?.callID == 9)
            var served = false
            if case .response(let response) = frames.first?.kind {
                served = response.status == nil || response.status?.code.rawValue == 0
            }
            #expect(served, "the newcomer got no answer: \(frames)")
            print("per-peer limit: \(greedy.count) connections from 127.0.0.1 against \(configuration.maximumConnectionsPerPeer) per address (\(configuration.maximumConnections) in all): \(open) kept, \(greedy.count - open) refused; a newcomer from 127.0.0.2 \(served ? "answered" : "NOT answered")")
        }
    }

    @Test func aConnectionThatSendsNoRequestIsClosedAtTheFirstCallTimeout() async throws {
        var configuration = TCPServerTransport.Configuration()
        // Long enough that a loaded machine's test still sends its cancel and call in time.
        configuration.firstCallTimeout = .seconds(2)
        configuration.idleTimeout = .seconds(60)
        try await withLiveServer(services: [EchoService()], configuration: configuration) { server in
            let silent = try await RawConnection(port: server.port)
            let cancelling = try await RawConnection(port: server.port)
            let calling = try await RawConnection(port: server.port)
            defer { for connection in [silent, cancelling, calling] { connection.close() } }
            // A cancel is a frame but not a call.
            try await cancelling.send(cancelFrameBytes(callID: 5))
            try await calling.send(healthCheck(1))
            #expect(try await calling.waitForFrames(1).count == 1)

            let opened = ContinuousClock.now
            #expect(await silent.closedByServer(within: .seconds(20)))
            #expect(await cancelling.closedByServer(within: .seconds(10)))
            // After a call the (long) idle timeout applies, not the first-call one.
            try await Task.sleep(for: .seconds(3))
            #expect(calling.channel.isActive)
            print("first call: a silent connection and one sending only a cancel closed \(ContinuousClock.now - opened) after the test began waiting (timeout \(configuration.firstCallTimeout)); one that called stayed open")
        }
    }
}

/// A request whose `call_id` is already in flight on its connection is a protocol violation
/// (docs/PROTOCOL.md): the connection is closed rather than two calls answered under one id.
@Suite struct DuplicateCallIDTests {
    @Test func aDuplicateIDInOneWriteClosesTheConnection() async throws {
        let service = DelayedEcho()
        try await withLiveServer(services: [service]) { server in
            let raw = try await RawConnection(port: server.port)
            defer { raw.close() }
            let message = try RPCV1.EchoMessage.with(payload: [0]).serializedBytes()
            let frame = try requestFrameBytes(callID: 7, method: "crm.rpc.v1.Echo/Echo", payload: message)
            try await raw.send(frame + frame)
            #expect(await raw.closedByServer(within: .seconds(5)))
            #expect(try raw.frames().filter { $0.callID == 7 }.count <= 1)
        }
    }

    @Test func reusingTheIDOfACallStillRunningClosesTheConnectionAndCancelsIt() async throws {
        let service = DelayedEcho()
        try await withLiveServer(services: [service]) { server in
            let raw = try await RawConnection(port: server.port)
            defer { raw.close() }
            let slow = try RPCV1.EchoMessage.with(payload: [250, 7]).serializedBytes() // 2 s
            try await raw.send(requestFrameBytes(callID: 3, method: "crm.rpc.v1.Echo/Echo", payload: slow))
            try await service.waitUntilStarted(1)
            try await raw.send(requestFrameBytes(callID: 3, method: "crm.rpc.v1.Echo/Echo", payload: slow))
            #expect(await raw.closedByServer(within: .seconds(5)))
            let deadline = ContinuousClock.now + .seconds(5)
            while service.counts.cancelled.load(ordering: .relaxed) < 1, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(service.counts.cancelled.load(ordering: .relaxed) == 1)
            #expect(service.counts.started.load(ordering: .relaxed) == 1)
        }
    }

    /// A cancelled call is still answered (CANCELLED, or its result if it had committed), and
    /// its id is in flight until then; once answered, the id is free and a call reusing it gets
    /// its own answer, never the cancelled call's.
    @Test func anIDFreedByACancelsAnswerMayBeUsedAgainAndGetsItsOwnAnswer() async throws {
        let service = DelayedEcho()
        try await withLiveServer(services: [service]) { server in
            let raw = try await RawConnection(port: server.port)
            defer { raw.close() }
            let first = try RPCV1.EchoMessage.with(payload: [250, 3]).serializedBytes() // 1 s
            try await raw.send(requestFrameBytes(callID: 2, method: "crm.rpc.v1.Echo/Echo", payload: first))
            try await service.waitUntilStarted(1)
            try await raw.send(cancelFrameBytes(callID: 2))
            let cancelled = try await raw.waitForFrames(1)
            guard case .response(let answer) = cancelled.first?.kind else {
                Issue.record("no answer to the cancelled call: \(cancelled)")
                return
            }
            #expect(answer.status?.code == .cancelled)
            let second = try RPCV1.EchoMessage.with(payload: [200, 2]).serializedBytes() // 600 ms
            try await raw.send(requestFrameBytes(callID: 2, method: "crm.rpc.v1.Echo/Echo", payload: second))
            let frames = try await raw.waitForFrames(2)
            #expect(frames.count == 2)
            guard case .response(let response) = frames.last?.kind else {
                Issue.record("no answer to the reused id: \(frames)")
                return
            }
            #expect(response.status == nil || response.status?.code.rawValue == 0, "the cancelled call's end answered the new call")
            #expect(response.payload == second)
            #expect(raw.channel.isActive)
        }
    }
}
