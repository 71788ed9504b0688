public import GRDB
public import Logging
public import RPCCore
public import ServiceLifecycle
import Synchronization

/// Gives memory back once a service has gone quiet after serving.
///
/// A burst of calls leaves SQLite page caches in up to five reader connections and freed
/// blocks that malloc keeps for reuse: a service that served a load then idles tens of MB
/// above where it started. When a whole quiet period passes with no call after some calls,
/// this closes the idle reader connections, frees the writer's cache and hands malloc's free
/// memory back (GRDB's `releaseMemoryEventually`, glibc's `malloc_trim`). The next call reopens a
/// reader: a few hundred microseconds, once.
///
/// Install it as an interceptor (it counts calls) and run it as a service beside the server.
public final class IdleMemoryRelease: Service, ServerInterceptor {
    private let calls = Atomic<UInt64>(0)
    private let quietPeriod: Duration
    private let release: @Sendable () async -> Void
    private let logger: Logger

    /// `quietPeriod`: how long without a call before memory is released.
    public init(database: any DatabaseWriter, quietPeriod: Duration, logger: Logger) {
        self.quietPeriod = quietPeriod
        self.logger = logger
        self.release = {
            // The eventual forms never block: GRDB's `releaseMemory()` waits, on the calling
            // thread, for every reader in use to come back, and a reader comes back only when
            // the Task that holds it resumes — on a thread this wait may be holding.
            switch database {
            case let pool as DatabasePool: pool.releaseMemoryEventually()
            case let queue as DatabaseQueue: try? await queue.writeWithoutTransaction { $0.releaseMemory() }
            default: break
            }
            // Readers still in use close when their work ends; malloc's trim waits for them.
            try? await Task.sleep(for: .seconds(1))
            ProcessMemory.returnFreedMemory()
        }
    }

    /// For tests: `release` runs instead of the database's and malloc's.
    init(quietPeriod: Duration, logger: Logger, release: @escaping @Sendable () async -> Void) {
        self.quietPeriod = quietPeriod
        self.logger = logger
        self.release = release
    }

    public func intercept(
        request: RPCRequestParts,
        context: ServerContext,
        next: @Sendable (RPCRequestParts, ServerContext) async throws -> RPCResponseParts
    ) async throws -> RPCResponseParts {
        calls.add(1, ordering: .relaxed)
        return try await next(request, context)
    }

    public func run() async throws {
        var quiet = QuietPeriods(calls: calls.load(ordering: .relaxed))
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: self.quietPeriod) }
            } catch {
                return  // stopping
            }
            if quiet.ended(calls: calls.load(ordering: .relaxed)) {
                let before = ProcessMemory.residentBytes()
                await release()
                logger.debug("Released memory after a quiet period", metadata: [
                    "rss_before_kib": "\(before.map { $0 / 1024 } ?? 0)",
                    "rss_after_kib": "\(ProcessMemory.residentBytes().map { $0 / 1024 } ?? 0)",
                ])
            }
        }
    }
}

/// When to release: at the end of a quiet period (no call during it) that follows calls
/// not yet released after. Counts are what the server has served since it started.
struct QuietPeriods: Sendable {
    private var seen: UInt64
    private var releasedAt: UInt64

    init(calls: UInt64) {
        seen = calls
        releasedAt = calls
    }

    /// Called at the end of each period with the count now; true when memory should go back.
    mutating func ended(calls: UInt64) -> Bool {
        defer { seen = calls }
        guard calls == seen, calls != releasedAt else { return false }
        releasedAt = calls
        return true
    }
}
