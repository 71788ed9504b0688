import CRMAPI
import NIOCore
import RPCCore
import RPCTransportTCP
import Testing
import Wire

/// Clients that connect and say nothing, or stop in the middle of a frame, over real TCP:
/// they cannot take the server from a well-behaved client for longer than the idle timeout.
@Suite struct SlowPeerTests {
    @Test func silentAndHalfFrameConnectionsDoNotStarveAWellBehavedClient() async throws {
        var configuration = TCPServerTransport.Configuration()
        configuration.maximumConnections = 40
        // Long enough that the connected client, calling every 100 ms, is never idle even
        // when a loaded machine stalls it for seconds.
        configuration.idleTimeout = .seconds(6)
        try await withLiveServer(services: [EchoService()], configuration: configuration) { server in
            // A client that was already connected when the flood began, and keeps calling
            // (a loaded machine may take longer than the idle timeout to open the flood).
            let early = RPCV1.Echo.Client(wrapping: server.client())
            _ = try await early.echo(echoMessage([0]))
            let keepCalling = Task {
                while !Task.isCancelled {
                    _ = try await early.echo(echoMessage([0]))
                    try await Task.sleep(for: .milliseconds(100))
                }
            }

            // The flood: silent connections, half a length header, a header promising a
            // frame that never comes, a frame cut short. More than the limit allows.
            let halves: [[UInt8]] = [[], [0, 0], [0, 0, 0, 200], [0, 0, 0, 50, 10, 1, 2], [0, 0x3F, 0xFF, 0xFF]]
            var hostile: [RawConnection] = []
            for index in 0..<60 {
                let connection = try await RawConnection(port: server.port)
                let bytes = halves[index % halves.count]
                if !bytes.isEmpty { try? await connection.send(bytes) }
                hostile.append(connection)
            }
            defer { for connection in hostile { connection.close() } }

            // The server keeps answering the connected client while the flood sits there.
            for round in 1...20 {
                let answer = try await early.echo(echoMessage([UInt8(round)]))
                #expect(answer.payload == [UInt8(round)])
            }

            // The limit held: the connections beyond it were closed at once.
            var open = hostile.count
            let settled = ContinuousClock.now + .seconds(1)
            while ContinuousClock.now < settled {
                open = hostile.filter { $0.channel.isActive }.count
                if open <= configuration.maximumConnections - 1 { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(open <= configuration.maximumConnections - 1)

            // Within the idle timeout (and some slack for a loaded machine) every hostile
            // connection is gone, and a newcomer gets in.
            var closed = 0
            for connection in hostile where await connection.closedByServer(within: .seconds(30)) { closed += 1 }
            #expect(closed == hostile.count)
            let late = RPCV1.Echo.Client(wrapping: server.client())
            #expect(try await late.echo(echoMessage([99])).payload == [99])
            // The early client kept calling throughout, and was never refused.
            #expect(try await early.echo(echoMessage([100])).payload == [100])
            keepCalling.cancel()
            if case .failure(let error) = await keepCalling.result, !(error is CancellationError),
               (error as? RPCError)?.code != .cancelled {
                Issue.record("the connected client was refused during the flood: \(error)")
            }
            print("slow peers: \(hostile.count) hostile connections against a limit of \(configuration.maximumConnections): \(hostile.count - open) refused at once, all closed after the \(configuration.idleTimeout) idle timeout; the connected client answered throughout")
        }
    }

    @Test func aTrickleOfBytesCannotHoldACallSlotForever() async throws {
        // A peer that keeps the connection "busy" byte by byte still only holds its own
        // connection: the frame limit caps what the server buffers for it.
        var configuration = TCPServerTransport.Configuration()
        configuration.maximumFrameSize = 1024
        try await withLiveServer(services: [EchoService()], configuration: configuration) { server in
            let trickle = try await RawConnection(port: server.port)
            defer { trickle.close() }
            try await trickle.send([0, 0, 0x10, 0x00]) // 4096 bytes promised: over the limit
            #expect(await trickle.closedByServer(within: .seconds(5)))
            let echo = RPCV1.Echo.Client(wrapping: server.client())
            #expect(try await echo.echo(echoMessage([1])).payload == [1])
        }
    }

    @Test func aPeerTricklingOneFrameIsClosedAtTheFrameTimeoutThoughNeverIdle() async throws {
        var configuration = TCPServerTransport.Configuration()
        configuration.idleTimeout = .seconds(60)
        configuration.frameTimeout = .milliseconds(500)
        try await withLiveServer(services: [EchoService()], configuration: configuration) { server in
            let trickle = try await RawConnection(port: server.port)
            defer { trickle.close() }
            try await trickle.send([0, 0, 0, 50])
            let dripping = Task {
                // A byte every 100 ms: the read-idle timer never fires, the frame never completes.
                for _ in 0..<200 where !Task.isCancelled {
                    try? await trickle.send([1])
                    try? await Task.sleep(for: .milliseconds(100))
                }
            }
            defer { dripping.cancel() }
            #expect(await trickle.closedByServer(within: .seconds(15)))
            // Whole frames, however slowly they come, are not affected.
            let echo = RPCV1.Echo.Client(wrapping: server.client())
            for round in 0..<3 {
                #expect(try await echo.echo(echoMessage([UInt8(round)])).payload == [UInt8(round)])
                try await Task.sleep(for: .milliseconds(400))
            }
        }
    }
}
