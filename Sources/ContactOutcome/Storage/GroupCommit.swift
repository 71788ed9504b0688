import GRDB
import Synchronization

/// Group commit: named writes queue here and one writer runs every queued write in one
/// transaction, each in its own savepoint, then answers each caller after the commit. With
/// `synchronous = FULL` a commit costs one fsync, so concurrent saves share it and stay
/// durable before their reply; a write whose rule refuses rolls back its savepoint only.
final class GroupCommit: Sendable {
    private struct Entry: Sendable {
        /// Runs the write in a savepoint; returns what answers the caller once the batch committed.
        let run: @Sendable (Database) -> @Sendable () -> Void
        let fail: @Sendable (any Error) -> Void
    }

    private struct Queue {
        var pending: [Entry] = []
        var draining = false
    }

    /// At most this many writes share a transaction (a bounded wait for the first of them).
    static let maxBatch = 512

    private let writer: any DatabaseWriter
    private let queue = Mutex(Queue())

    init(writer: any DatabaseWriter) {
        self.writer = writer
    }

    /// Set when the caller's Task is cancelled (its deadline passed).
    private final class CancelFlag: Sendable {
        let value = Mutex(false)
    }

    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        let cancelled = CancelFlag()
        return try await withTaskCancellationHandler {
            try await enqueue(body, cancelled)
        } onCancel: {
            cancelled.value.withLock { $0 = true }
        }
    }

    private func enqueue<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T, _ cancelled: CancelFlag) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let entry = Entry(
                run: { db in
                    // A caller cancelled before its turn (a handler past its deadline) writes nothing,
                    // as a cancelled GRDB write would not: no late commit behind a DEADLINE_EXCEEDED.
                    if cancelled.value.withLock({ $0 }) {
                        return { continuation.resume(throwing: CancellationError()) }
                    }
                    let result: Result<T, any Error>
                    do {
                        var value: T?
                        try db.inSavepoint {
                            value = try body(db)
                            return .commit
                        }
                        result = .success(value!)
                    } catch {
                        result = .failure(error)
                    }
                    return { continuation.resume(with: result) }
                },
                fail: { continuation.resume(throwing: $0) }
            )
            let start = queue.withLock { queue in
                queue.pending.append(entry)
                defer { queue.draining = true }
                return !queue.draining
            }
            if start { Task.detached { await self.drain() } }
        }
    }

    private func drain() async {
        while true {
            let batch: [Entry] = queue.withLock { queue in
                let batch = Array(queue.pending.prefix(Self.maxBatch))
                queue.pending.removeFirst(batch.count)
                if batch.isEmpty { queue.draining = false }
                return batch
            }
            if batch.isEmpty { return }
            do {
                let answers = try await writer.write { db in batch.map { $0.run(db) } }
                for answer in answers { answer() }
            } catch {
                for entry in batch { entry.fail(error) }
            }
        }
    }
}
