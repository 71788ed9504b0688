import CRMDomain
import Foundation
public import Logging
public import ServiceLifecycle
import Synchronization

/// Delivers the outbox: polls due messages from the database (no in-memory queue that a
/// second replica would miss), leases them so two workers never hand off the same row,
/// hands each to the provider, and records sent/delivered, or retries with exponential
/// backoff until `maxAttempts`, then fails with the provider's reason.
///
/// A crash between the provider's acceptance and the state update leaves the row leased;
/// once the lease runs out it is handed off again, marked `mayHaveBeenSent`, and a provider
/// that can tell (the file provider) does not send it twice. A message is only ever one row,
/// and a repeated acceptance (same idempotency key) never makes a second one.
///
/// A graceful stop (SIGTERM) claims nothing more, lets the hand-off in flight finish (up
/// to `drainTimeout`), and hands the rest of its batch back to the database at once, so the
/// next start (or another replica) sends each of them, once. A hand-off cut off by the
/// timeout may have reached the provider: its row keeps the lapsed claim and goes out
/// again marked `mayHaveBeenSent`, like after a crash.
public final class OutboxWorker: Service, Sendable {
    public struct Configuration: Sendable {
        public var pollInterval: Duration = .milliseconds(500)
        public var leaseMs: Int64 = 30_000
        public var batchSize = 32
        public var maxAttempts = 8
        public var baseBackoffMs: Int64 = 2_000
        public var maxBackoffMs: Int64 = 300_000
        /// How long a graceful stop waits for the hand-off in flight before cancelling it.
        public var drainTimeout: Duration = .seconds(5)
        /// A sent message with no delivery report for this long becomes `noReport` (nil: never).
        /// Kannel retries a report our listener missed for 15 minutes (deploy/kannel); an SMS
        /// centre gives up on an undeliverable message within its validity period, commonly
        /// 24–48 h, and reports that too: past 48 h no report is coming.
        public var reportTimeoutMs: Int64? = 48 * 3_600_000
        /// How often the worker looks for such messages.
        public var reportSweepIntervalMs: Int64 = 60_000
        /// Working days and days off for the collection window at hand-off.
        public var calendar: ProductionCalendar = .shipped
        public init() {}
    }

    let store: any SchedulingStore
    let provider: any SmsProvider
    let nowMs: @Sendable () -> Int64
    let configuration: Configuration
    let logger: Logger
    /// Called after each recorded outcome (wakes the contacts reporter).
    let onStateChange: @Sendable () -> Void
    /// Tells this worker's leases apart from another replica's.
    public let owner: String
    let doorbell = Doorbell()
    /// Set by a graceful stop: no more claims, no more hand-offs.
    let stopping = Atomic<Bool>(false)
    /// When the last look for overdue delivery reports ran (0: never).
    let lastReportSweepMs = Atomic<Int64>(0)

    /// Whether a graceful stop has begun.
    public var isStopping: Bool { stopping.load(ordering: .acquiring) }

    public init(
        store: any SchedulingStore, provider: any SmsProvider, configuration: Configuration = Configuration(),
        nowMs: @escaping @Sendable () -> Int64, logger: Logger = Logger(label: "scheduling.outbox"),
        owner: String = "worker-" + UUID().uuidString.prefix(8).lowercased(), onStateChange: @escaping @Sendable () -> Void = {}
    ) {
        self.onStateChange = onStateChange
        self.store = store
        self.provider = provider
        self.configuration = configuration
        self.nowMs = nowMs
        self.logger = logger
        self.owner = owner
    }

    /// Wakes the worker now (a message was just accepted) instead of at the next poll.
    public func notify() {
        Task { await doorbell.ring() }
    }

    /// The delay before attempt `attempts + 1`: base × 2^(attempts-1), capped.
    public static func backoffMs(afterAttempts attempts: Int, base: Int64, cap: Int64) -> Int64 {
        let exponent = min(max(attempts - 1, 0), 20)
        return min(cap, base << Int64(exponent))
    }

    public func run() async throws {
        let (stopped, stop) = AsyncStream<Void>.makeStream()
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.deliverUntilStopped() }
                // The drain's deadline: armed by the stop, it cancels a hand-off that hangs.
                group.addTask {
                    for await _ in stopped {}
                    guard !Task.isCancelled else { return }
                    try? await Task.sleep(for: self.configuration.drainTimeout)
                    if !Task.isCancelled {
                        self.logger.warning("outbox stop: the hand-off in flight outlasted the drain timeout and is cancelled")
                    }
                }
                await group.next()
                group.cancelAll()
            }
        } onGracefulShutdown: {
            self.stopping.store(true, ordering: .releasing)
            stop.finish()
            self.notify()
        }
        logger.info("outbox worker stopped")
    }

    func deliverUntilStopped() async {
        while !isStopping && !Task.isCancelled {
            let handled: Int
            do {
                handled = try await runOnce()
            } catch is CancellationError {
                return
            } catch {
                logger.error("outbox poll failed", metadata: ["error": "\(error)"])
                handled = 0
            }
            if handled == 0 && !isStopping {
                await doorbell.wait(upTo: configuration.pollInterval)
            }
        }
    }

    /// Claims and hands off one batch of due messages; returns how many it handled.
    @discardableResult
    public func runOnce() async throws -> Int {
        let now = nowMs()
        // One claim token per batch: rows of another batch (or replica) are never picked up.
        let owner = "\(self.owner)/\(UUID().uuidString.prefix(8))"
        let configuration = self.configuration
        let sweepSentBefore = reportSweep(now: now)
        let (claimed, overdue) = try await store.claimBatch(
            owner: owner, nowMs: now, leaseMs: configuration.leaseMs, limit: configuration.batchSize, sweepSentBefore: sweepSentBefore,
            calendar: configuration.calendar
        )
        if overdue > 0 {
            logger.warning("sms without a delivery report in time", metadata: ["count": "\(overdue)"])
            onStateChange()
        }
        for (index, (sms, earlierClaim)) in claimed.enumerated() {
            if isStopping || Task.isCancelled {
                await release(claimed[index...].map { ($0.sms.id, $0.earlierClaim) }, claim: owner)
                return index
            }
            await handOff(sms, claim: owner, mayHaveBeenSent: earlierClaim)
        }
        return claimed.count
    }

    /// The `sent_ms` bound of this poll's look for overdue reports, when one is due.
    func reportSweep(now: Int64) -> Int64? {
        guard let timeout = configuration.reportTimeoutMs else { return nil }
        let last = lastReportSweepMs.load(ordering: .relaxed)
        guard last == 0 || now - last >= configuration.reportSweepIntervalMs || now < last else { return nil }
        lastReportSweepMs.store(now, ordering: .relaxed)
        return now - timeout
    }

    /// Hands claimed rows back untouched (a stop came before their turn): due at once for
    /// the next claim, not counted as an attempt. A row that carried a lapsed claim keeps
    /// it, so its next hand-off is still marked `mayHaveBeenSent`.
    func release(_ rows: [(id: String, earlierClaim: Bool)], claim owner: String) async {
        guard !rows.isEmpty else { return }
        let store = self.store
        let released = Task { try await store.release(rows, claim: owner) }
        do {
            try await released.value
            logger.info("outbox stop: unsent messages left queued", metadata: ["count": "\(rows.count)"])
        } catch {
            // Not lost: the lease runs out and the next claim takes them, marked may-have-been-sent.
            logger.error("outbox stop: claims not released", metadata: ["error": "\(error)"])
        }
    }

    func handOff(_ sms: SmsRecord, claim owner: String, mayHaveBeenSent: Bool = false) async {
        let outgoing = OutgoingSms(id: sms.id, phone: sms.phone, text: sms.text, login: sms.login, mayHaveBeenSent: mayHaveBeenSent)
        let result: Result<SmsHandOff, SmsProviderError>
        do {
            result = .success(try await provider.send(outgoing))
        } catch let error as SmsProviderError {
            result = .failure(error)
        } catch {
            result = .failure(.temporary("\(error)"))
        }
        let store = self.store
        let now = nowMs()
        let configuration = self.configuration
        // Cancelled mid-send (the stop's drain timeout): whether the provider took it is
        // unknown. Not an attempt; the row keeps this claim, lapsed at once, so the next
        // claim hands it off marked `mayHaveBeenSent`.
        let interrupted = Task.isCancelled && (try? result.get()) == nil
        // Recorded in a task of its own: a shutdown must not roll back the record of a hand-off.
        let recorded = Task {
            let outcome: HandOffOutcome
            if interrupted {
                outcome = .interrupted
            } else {
                switch result {
                case .success(let handOff):
                    outcome = .handedOff(delivered: handOff == .delivered)
                case .failure(.permanent(let reason)):
                    outcome = .failed(reason: reason, nextAttemptMs: nil)
                case .failure(.temporary(let reason)):
                    let attempts = sms.attempts + 1
                    let next = attempts >= configuration.maxAttempts
                        ? nil
                        : now + OutboxWorker.backoffMs(afterAttempts: attempts, base: configuration.baseBackoffMs, cap: configuration.maxBackoffMs)
                    outcome = .failed(reason: reason, nextAttemptMs: next)
                }
            }
            try await store.recordHandOff(id: sms.id, claim: owner, outcome, nowMs: now)
        }
        do {
            try await recorded.value
            onStateChange()
        } catch {
            logger.error("outbox state not recorded", metadata: ["sms": "\(sms.id)", "error": "\(error)"])
        }
        if interrupted {
            logger.warning("sms hand-off cut off by the stop; goes again after the restart", metadata: ["sms": "\(sms.id)"])
        } else if case .failure(let error) = result {
            logger.warning("sms hand-off failed", metadata: ["sms": "\(sms.id)", "reason": "\(error)"])
        }
    }
}

/// A one-slot wake-up: `ring()` ends the current (or next) `wait`.
actor Doorbell {
    private var rung = false
    private var waiter: CheckedContinuation<Void, Never>?

    func ring() {
        if let waiter {
            self.waiter = nil
            waiter.resume()
        } else {
            rung = true
        }
    }

    /// Returns when rung, after `timeout`, or when the task is cancelled.
    func wait(upTo timeout: Duration) async {
        if rung {
            rung = false
            return
        }
        let timer = Task { [weak self] in
            try? await Task.sleep(for: timeout)
            await self?.ring()
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                if rung {
                    rung = false
                    continuation.resume()
                } else {
                    waiter = continuation
                }
            }
        } onCancel: {
            Task { await self.ring() }
        }
        rung = false
        timer.cancel()
    }
}
