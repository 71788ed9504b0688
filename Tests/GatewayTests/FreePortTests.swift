@testable import Gateway
import NIOCore
import NIOPosix
import Testing

@Suite struct FreePortTests {
    /// A port for a child process comes from below the range the kernel hands to port-0
    /// binds, so an in-process server cannot take it between the choice and the child's bind.
    @Test func aPortBelowTheEphemeralRangeThatCanBeBound() async throws {
        let ephemeral = FreePort.ephemeralRange()
        for _ in 0..<20 {
            let port = try #require(FreePort.find())
            #expect(port < ephemeral.lowerBound || ephemeral.lowerBound <= 20_000)
            let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .bind(host: "127.0.0.1", port: port).get()
            #expect(channel.localAddress?.port == port)
            try await channel.close()
        }
    }

    @Test func theKernelsRangeIsRead() {
        let range = FreePort.ephemeralRange()
        #expect(range.lowerBound >= 1024 && range.upperBound <= 65_535)
    }
}
