import NIOCore

/// Runs a Task's jobs on one event loop, so a caller that makes call after call on one
/// connection (the load tester's workers) starts and resumes on the thread that writes its
/// requests and reads its answers: no thread hop per call.
///
/// Code running here must not block: blocking work belongs behind an `await`.
public final class EventLoopTaskExecutor: TaskExecutor {
    public let eventLoop: any EventLoop

    public init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute {
            job.runSynchronously(on: self.asUnownedTaskExecutor())
        }
    }

    /// Suspends the calling Task for `duration` on this loop's own timer. `Task.sleep` fires
    /// on a timer thread of the global executor, which then wakes this loop: two threads woken
    /// per sleep, and a timer slack that an open-loop load generator would count as latency.
    /// Returns early, without throwing, when the Task is cancelled.
    public func sleep(for duration: Duration) async {
        let (seconds, attoseconds) = duration.components
        let nanoseconds = seconds * 1_000_000_000 + attoseconds / 1_000_000_000
        guard nanoseconds > 0 else { return }
        let scheduled = eventLoop.scheduleTask(in: .nanoseconds(nanoseconds)) {}
        await withTaskCancellationHandler {
            _ = try? await scheduled.futureResult.get()
        } onCancel: {
            scheduled.cancel()
        }
    }
}

extension SocketAddress {
    /// `127.0.0.1:51234`, for logs and `ServerContext.peer`.
    var hostAndPort: String {
        guard let ip = ipAddress, let port else { return description }
        return self.protocol == .inet6 ? "[\(ip)]:\(port)" : "\(ip):\(port)"
    }
}
