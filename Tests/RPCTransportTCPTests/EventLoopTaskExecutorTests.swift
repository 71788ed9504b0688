import NIOCore
import NIOPosix
import RPCTransportTCP
import Synchronization
import Testing

/// `EventLoopTaskExecutor`: Tasks run on the loop, in the order they were enqueued, and a
/// Task that keeps yielding does not keep the loop from its own work.
@Suite struct EventLoopTaskExecutorTests {
    @Test func tasksStartInTheOrderTheyWereEnqueuedAndRunOnTheLoop() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let executor = EventLoopTaskExecutor(group.next())
        let log = Log()
        // Enqueued from this (non-loop) thread, and from the loop by the first ones.
        let tasks = (0..<500).map { index in
            Task(executorPreference: executor) {
                if !executor.eventLoop.inEventLoop { log.offLoop.add(1, ordering: .relaxed) }
                log.started.withLock { $0.append(index) }
                await Task.yield()
                if !executor.eventLoop.inEventLoop { log.offLoop.add(1, ordering: .relaxed) }
            }
        }
        for task in tasks { await task.value }
        #expect(log.started.withLock { $0 } == Array(0..<500))
        #expect(log.offLoop.load(ordering: .relaxed) == 0)
        try await group.shutdownGracefully()
    }

    /// A Task that yields goes behind what the loop already has to do (its I/O, its scheduled
    /// work); running queued jobs until none were left would spin on it forever.
    @Test(.timeLimit(.minutes(1))) func aYieldingTaskLetsTheLoopsOwnWorkRun() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let executor = EventLoopTaskExecutor(group.next())
        let log = Log()
        let spinner = Task(executorPreference: executor) {
            var yields = 0
            while !log.flag.load(ordering: .relaxed) {
                yields += 1
                await Task.yield()
            }
            return yields
        }
        try await Task.sleep(for: .milliseconds(10))
        executor.eventLoop.execute { log.flag.store(true, ordering: .relaxed) }
        #expect(await spinner.value > 0)
        try await group.shutdownGracefully()
    }
}

private final class Log: Sendable {
    let started = Mutex<[Int]>([])
    let offLoop = Atomic<Int>(0)
    let flag = Atomic<Bool>(false)
}
