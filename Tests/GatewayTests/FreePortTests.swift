@testable import Gateway
import NIOCore
import NIOPosix
import Testing

@Suite struct FreePortTests {
    /// A port for a child process comes from below the range the kernel hands to port-0
    /// binds, so an in-process server cannot take it between the choice and the child's bind.
    ///
    /// Other tests running meanwhile pick ports from the same range for their children, so
    /// one of them may take a port between this test's choice and its bind: most binds, not
    /// every one, must succeed.
    @Test func aPortBelowTheEphemeralRangeThatCanBeBound() async throws {
        let ephemeral = FreePort.ephemeralRange()
        var bound = 0
        for _ in 0..<20 {
            let port = try #require(FreePort.find())
            #expect(port < ephemeral.lowerBound || ephemeral.lowerBound <= 20_000)
            guard let channel = try? await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .bind(host: "127.0.0.1", port: port).get() else { continue }
            #expect(channel.localAddress?.port == port)
            bound += 1
            try await channel.close()
        }
        #expect(bound >= 15)
    }

    /// Tests that start children ask side by side; a port handed to two of them would be
    /// bound by one and refused to the other. 400 random picks from the ~12,700 ports below
    /// the ephemeral range would repeat one almost surely (birthday bound) if nothing stopped it.
    @Test func noPortIsHandedOutTwiceInOneProcess() async throws {
        let ports = await withTaskGroup(of: Int?.self) { group in
            for _ in 0..<400 { group.addTask { FreePort.find() } }
            return await group.reduce(into: [Int]()) { if let port = $1 { $0.append(port) } }
        }
        #expect(ports.count == 400)
        #expect(Set(ports).count == ports.count)
    }

    @Test func theKernelsRangeIsRead() {
        let range = FreePort.ephemeralRange()
        #expect(range.lowerBound >= 1024 && range.upperBound <= 65_535)
    }
}
