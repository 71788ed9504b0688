import NIOCore
import Synchronization

/// Runs a Task's jobs on one event loop, so a caller that makes call after call on one
/// connection (the load tester's workers) starts and resumes on the thread that writes its
/// requests and reads its answers: no thread hop per call.
///
/// Jobs wait in a queue of their own, run in order by one loop task per batch: a read that
/// answers 64 calls resumes 64 Tasks, and a loop task each would cost a closure and a trip
/// through the loop's task queue per call.
///
/// Code running here must not block: blocking work belongs behind an `await`.
public final class EventLoopTaskExecutor: TaskExecutor, @unchecked Sendable {
    public let eventLoop: any EventLoop

    private struct Queue {
        var jobs: [UnownedJob] = []
        /// A loop task to run `jobs` is on its way.
        var scheduled = false
    }

    private let queue = Mutex(Queue())
    /// The jobs being run, kept between batches so their storage is reused.
    /// Touched only on the loop, inside `runQueued`.
    private var running: [UnownedJob] = []

    public init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let schedule = queue.withLock { queue in
            queue.jobs.append(job)
            defer { queue.scheduled = true }
            return !queue.scheduled
        }
        if schedule {
            eventLoop.execute { self.runQueued() }
        }
    }

    /// Runs the jobs queued so far; those they enqueue wait for the next batch, behind
    /// whatever else the loop has to do.
    private func runQueued() {
        queue.withLock { queue in
            swap(&queue.jobs, &running)
            queue.scheduled = false
        }
        for job in running {
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
        running.removeAll(keepingCapacity: true)
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
