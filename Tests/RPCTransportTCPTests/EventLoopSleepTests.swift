import NIOCore
import NIOPosix
import RPCTransportTCP
import Testing

/// `EventLoopTaskExecutor.sleep`: the open-loop load generator's wait between calls.
@Suite struct EventLoopSleepTests {
    @Test func sleepsAtLeastTheDurationAndResumesOnTheLoop() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let executor = EventLoopTaskExecutor(group.next())
        let (elapsed, onLoop) = await Task(executorPreference: executor) {
            let start = ContinuousClock.now
            await executor.sleep(for: .milliseconds(30))
            return (ContinuousClock.now - start, executor.eventLoop.inEventLoop)
        }.value
        #expect(elapsed >= .milliseconds(30))
        #expect(onLoop)
        try await group.shutdownGracefully()
    }

    @Test func aZeroOrNegativeDurationDoesNotSuspend() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let executor = EventLoopTaskExecutor(group.next())
        await executor.sleep(for: .zero)
        await executor.sleep(for: .milliseconds(-5))
        try await group.shutdownGracefully()
    }

    @Test(.timeLimit(.minutes(1))) func cancellingTheTaskEndsTheSleep() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let executor = EventLoopTaskExecutor(group.next())
        let sleeper = Task(executorPreference: executor) {
            await executor.sleep(for: .seconds(3_600))
            return Task.isCancelled
        }
        try await Task.sleep(for: .milliseconds(20))
        sleeper.cancel()
        #expect(await sleeper.value)
        try await group.shutdownGracefully()
    }
}
