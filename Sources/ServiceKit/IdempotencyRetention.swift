public import GRDB
public import Logging
public import ServiceLifecycle

/// Deletes stored idempotent answers once they are older than any client would retry with
/// their key. Each service keeps them in its own `idempotency` table (`created_ms`, indexed);
/// a retry within `retention` still finds the first answer.
public struct IdempotencyRetention: Service {
    /// Longer than any client's retry (the `crm` CLI re-runs a half-failed call within
    /// minutes to days; `~/.crm/pending-calls.json` is the longest-lived key holder).
    public static let defaultRetention: Duration = .seconds(7 * 86_400)
    public static let defaultInterval: Duration = .seconds(3_600)
    /// Rows deleted per transaction, so a long backlog never holds the writer for long.
    static let batch = 1_000

    /// Deletes up to `limit` rows created before `cutoff`; returns how many.
    let deleteBatch: @Sendable (_ cutoff: Int64, _ limit: Int) async throws -> Int
    let retentionMs: Int64
    let interval: Duration
    let nowMs: @Sendable () -> Int64
    let logger: Logger

    public init(
        writer: any DatabaseWriter, retention: Duration = Self.defaultRetention, interval: Duration = Self.defaultInterval,
        nowMs: @escaping @Sendable () -> Int64, logger: Logger
    ) {
        self.init(retention: retention, interval: interval, nowMs: nowMs, logger: logger) { cutoff, limit in
            try await writer.write { db in
                try db.execute(
                    sql: "DELETE FROM idempotency WHERE rowid IN (SELECT rowid FROM idempotency WHERE created_ms < ? LIMIT ?)",
                    arguments: [cutoff, limit]
                )
                return db.changesCount
            }
        }
    }

    /// Over a store of another engine (PostgreSQL): `deleteBatch` deletes up to `limit` rows
    /// created before `cutoff` and returns how many.
    public init(
        retention: Duration = Self.defaultRetention, interval: Duration = Self.defaultInterval,
        nowMs: @escaping @Sendable () -> Int64, logger: Logger,
        deleteBatch: @escaping @Sendable (_ cutoff: Int64, _ limit: Int) async throws -> Int
    ) {
        self.deleteBatch = deleteBatch
        let (seconds, attoseconds) = retention.components
        self.retentionMs = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        self.interval = interval
        self.nowMs = nowMs
        self.logger = logger
    }

    /// Deletes every row created more than `retention` before now; returns how many.
    @discardableResult
    public func sweep() async throws -> Int {
        let cutoff = nowMs() - retentionMs
        var total = 0
        while true {
            let deleted = try await deleteBatch(cutoff, Self.batch)
            total += deleted
            if deleted < Self.batch { return total }
        }
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            do {
                let deleted = try await sweep()
                if deleted > 0 { logger.info("idempotency answers expired", metadata: ["deleted": "\(deleted)"]) }
            } catch {
                logger.warning("idempotency retention sweep failed", metadata: ["error": "\(error)"])
            }
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: self.interval) }
            } catch {
                return  // stopping
            }
        }
    }
}
