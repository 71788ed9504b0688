import Logging
import Metrics
public import ServiceLifecycle

/// Samples the SMS outbox into gauges for Prometheus, every `interval`, from the database
/// (the outbox's only state), so any replica reports the same depth:
/// `sms_outbox_depth{state="queued"|"scheduled"|"awaiting_report"|"no_report"}`,
/// `sms_outbox_failed_last_24h`, `sms_outbox_oldest_due_age_seconds`, and
/// `sms_contact_history_pending` (changes of state not yet in the contacts service's history).
public struct OutboxMetrics: Service {
    let store: any SchedulingStore
    let interval: Duration
    let nowMs: @Sendable () -> Int64
    let logger: Logger

    public init(store: any SchedulingStore, interval: Duration = .seconds(5), nowMs: @escaping @Sendable () -> Int64, logger: Logger) {
        self.store = store
        self.interval = interval
        self.nowMs = nowMs
        self.logger = logger
    }

    public func run() async throws {
        let queued = Gauge(label: "sms_outbox_depth", dimensions: [("state", "queued")])
        let scheduled = Gauge(label: "sms_outbox_depth", dimensions: [("state", "scheduled")])
        let awaiting = Gauge(label: "sms_outbox_depth", dimensions: [("state", "awaiting_report")])
        let noReport = Gauge(label: "sms_outbox_depth", dimensions: [("state", "no_report")])
        let failed = Gauge(label: "sms_outbox_failed_last_24h")
        let oldest = Gauge(label: "sms_outbox_oldest_due_age_seconds")
        let historyPending = Gauge(label: "sms_contact_history_pending")
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let now = nowMs()
            do {
                let counts = try await store.outboxCounts(nowMs: now)
                queued.record(counts.queued)
                scheduled.record(counts.scheduled)
                awaiting.record(counts.awaitingReport)
                noReport.record(counts.noReport)
                failed.record(counts.failedLast24h)
                oldest.record(Double(counts.oldestDueAgeMs) / 1000)
                historyPending.record(counts.contactHistoryPending)
            } catch {
                logger.warning("Could not sample the outbox", metadata: ["error": "\(error)"])
            }
            _ = try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }
}
