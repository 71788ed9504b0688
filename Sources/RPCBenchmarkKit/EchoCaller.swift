import NIOCore

/// One connection's way of making an echo call, so the RPC and the raw echo are driven by
/// the same load loop.
public protocol EchoCaller: Sendable {
    /// Callers run here: the client connection's event loop, so neither side pays a thread
    /// hop per call that the other does not.
    var executor: any TaskExecutor { get }
    nonisolated(nonsending) func call(_ payload: [UInt8]) async throws
    func close() async
}

/// Runs a Task's jobs on an event loop (the raw client's copy of the RPC transport's executor).
public final class EventLoopTaskExecutorShim: TaskExecutor {
    public let eventLoop: any EventLoop

    public init(_ eventLoop: any EventLoop) { self.eventLoop = eventLoop }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
