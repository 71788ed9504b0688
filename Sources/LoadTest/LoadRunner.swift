import Foundation
import Histogram
public import RPCCore
import RPCTransportTCP
import Synchronization

/// Drives one method of one service: a closed loop (each worker calls again as soon as its
/// answer comes) or, with a target rate, an open loop that measures each call from when it
/// was due — so a stalled server shows its full cost (coordinated-omission correction, as
/// wrk2 does).
public struct LoadRunner: Sendable {
    public struct Plan: Sendable {
        public var host: String
        public var port: Int
        public var method: String
        public var bodies: [[UInt8]]
        public var metadata: Metadata
        public var concurrency: Int
        public var connections: Int
        /// Stop after this long (after the warm-up) …
        public var duration: Duration?
        /// … or after this many measured calls.
        public var total: Int?
        /// Calls per second for an open loop; nil for a closed loop.
        public var rate: Double?
        public var warmup: Duration
        public var timeout: Duration?
        /// A scenario's iteration, run instead of the single `method` call with `bodies`.
        public var iteration: LoadScenario.Iteration?
        /// Makes each connection's transport; nil is TCP to `host:port`. A benchmark passes
        /// an in-process transport to measure a service without sockets.
        public var makeTransport: (@Sendable () -> any ClientTransport)?

        public init(
            host: String, port: Int, method: String, bodies: [[UInt8]], metadata: Metadata = [:],
            concurrency: Int = 16, connections: Int = 1, duration: Duration? = .seconds(10), total: Int? = nil,
            rate: Double? = nil, warmup: Duration = .zero, timeout: Duration? = .seconds(5),
            iteration: LoadScenario.Iteration? = nil
        ) {
            self.host = host
            self.port = port
            self.method = method
            self.bodies = bodies
            self.metadata = metadata
            self.concurrency = concurrency
            self.connections = connections
            self.duration = duration
            self.total = total
            self.rate = rate
            self.warmup = warmup
            self.timeout = timeout
            self.iteration = iteration
        }
    }

    /// Once a second while running.
    public struct Progress: Sendable {
        public var elapsed: Duration
        public var calls: Int
        public var errors: Int
        public var callsPerSecond: Double
        public var p99Micros: Double
    }

    public let plan: Plan

    public init(_ plan: Plan) {
        self.plan = plan
    }

    /// Runs the plan. Cancelling the calling Task (Ctrl-C) stops it and reports what ran.
    public func run(progress: @escaping @Sendable (Progress) -> Void = { _ in }) async throws -> LoadReport {
        let plan = self.plan
        precondition((!plan.bodies.isEmpty || plan.iteration != nil) && plan.concurrency > 0 && plan.connections > 0)
        let transports: [any ClientTransport] = (0..<plan.connections).map { _ in
            plan.makeTransport?() ?? TCPClientTransport(host: plan.host, port: plan.port)
        }
        defer { for transport in transports { Task { await transport.close() } } }
        let state = RunState(recordingFrom: plan.warmup == .zero)
        let start = ContinuousClock.now
        let measuredStart = start + plan.warmup

        let merged: Tally = await withTaskGroup(of: Tally.self) { group in
            for worker in 0..<plan.concurrency {
                let transport = transports[worker % transports.count]
                // TCP callers run on their connection's event loop: no thread hop per call.
                let loop = (transport as? TCPClientTransport)?.preferredExecutor
                group.addTask(executorPreference: loop) {
                    await Self.work(worker: worker, plan: plan, client: RPCClient(transport: transport), loop: loop, state: state, start: measuredStart)
                }
            }
            group.addTask {
                await Self.supervise(plan: plan, state: state, measuredStart: measuredStart, progress: progress)
                return Tally()
            }
            var total = Tally()
            for await tally in group {
                total.merge(tally)
                state.stop()
            }
            return total
        }
        let end = state.measuredEnd ?? ContinuousClock.now
        let seconds = max(0, (end - max(measuredStart, start)).seconds)
        return LoadReport(
            method: plan.method, target: "\(plan.host):\(plan.port)", concurrency: plan.concurrency,
            connections: plan.connections, targetRate: plan.rate, calls: merged.calls,
            errorsByCode: merged.errors, seconds: seconds, interrupted: Task.isCancelled, histogram: merged.histogram
        )
    }

    private static func work(
        worker: Int, plan: Plan, client: RPCClient, loop: EventLoopTaskExecutor?, state: RunState, start: ContinuousClock.Instant
    ) async -> Tally {
        var tally = Tally()
        // A scenario's calls (typed clients, several per iteration) get the per-call deadline too.
        var scenarioClient = client
        scenarioClient.defaultTimeout = plan.timeout
        let interval = plan.rate.map { Duration.seconds(1 / $0) }
        var bodyIndex = worker
        while !Task.isCancelled, !state.isStopped {
            guard let (ticket, measured) = state.takeTicket(limit: plan.total) else { break }
            // Open loop: the call is due at its slot, measured from then even if it starts late.
            let due: ContinuousClock.Instant
            if let interval {
                due = state.openLoopStart + interval * ticket
                let wait = due - .now
                if wait > .zero {
                    if let loop { await loop.sleep(for: wait) } else { try? await Task.sleep(until: due) }
                    // Ctrl-C cuts the wait short: the call was never due, so it is neither made nor measured.
                    if Task.isCancelled || state.isStopped { break }
                }
            } else {
                due = .now
            }
            let body = plan.bodies.isEmpty ? [] : plan.bodies[bodyIndex % plan.bodies.count]
            bodyIndex += plan.concurrency
            var failure: String?
            do {
                if let iteration = plan.iteration {
                    try await iteration(scenarioClient, plan.metadata, ticket)
                } else {
                    _ = try await client.unary(
                        RPCRequestParts(method: plan.method, metadata: plan.metadata, payload: body),
                        options: CallOptions(timeout: plan.timeout)
                    )
                }
            } catch let error as RPCError {
                failure = "\(error.code)"
            } catch let error as LoadTestError {
                failure = error.description
            } catch {
                failure = "\(error)"
            }
            // Calls started in the warm-up are not measured, even if they end after it.
            guard measured else { continue }
            let micros = Self.micros(from: due, to: .now)
            tally.record(micros: micros, failure: failure)
            state.recorded(micros: micros, failed: failure != nil)
        }
        return tally
    }

    /// At least 1 µs: a call that ends before it was due (a clock read ahead of a sleep's end)
    /// is not a negative latency.
    static func micros(from start: ContinuousClock.Instant, to end: ContinuousClock.Instant) -> UInt64 {
        let elapsed = end - start
        guard elapsed > .zero else { return 1 }
        let (seconds, attoseconds) = elapsed.components
        return max(1, UInt64(seconds) * 1_000_000 + UInt64(attoseconds / 1_000_000_000_000))
    }

    private static func supervise(plan: Plan, state: RunState, measuredStart: ContinuousClock.Instant, progress: @Sendable (Progress) -> Void) async {
        if plan.warmup > .zero {
            try? await Task.sleep(until: measuredStart)
            state.startRecording()
        }
        let end = plan.duration.map { measuredStart + $0 }
        var lastReport = ContinuousClock.now
        while !state.isStopped, !Task.isCancelled {
            if let end, ContinuousClock.now >= end { break }
            try? await Task.sleep(for: .milliseconds(50))
            if ContinuousClock.now - lastReport >= .seconds(1) {
                lastReport = .now
                progress(state.snapshot(since: measuredStart))
            }
        }
        state.stop()
    }
}

/// One worker's measurements.
struct Tally: Sendable {
    var histogram = Histogram<UInt64>(highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .three)
    var calls = 0
    var errors: [String: Int] = [:]

    mutating func record(micros: UInt64, failure: String?) {
        _ = histogram.record(min(micros, 3_600_000_000))
        calls += 1
        if let failure { errors[failure, default: 0] += 1 }
    }

    mutating func merge(_ other: Tally) {
        histogram.add(other.histogram)
        calls += other.calls
        errors.merge(other.errors, uniquingKeysWith: +)
    }
}

/// What the workers share: tickets, the phase, and a running view for progress lines.
final class RunState: Sendable {
    private let tickets = Atomic<Int>(0)
    private let measuredTickets = Atomic<Int>(0)
    private let stopped = Atomic<Bool>(false)
    private let recording: Atomic<Bool>
    private let live = Mutex(Tally())
    private let endInstant = Mutex<ContinuousClock.Instant?>(nil)
    let openLoopStart = ContinuousClock.now

    init(recordingFrom start: Bool) {
        recording = Atomic(start)
    }

    var isStopped: Bool { stopped.load(ordering: .relaxed) }
    var isRecording: Bool { recording.load(ordering: .relaxed) }
    var measuredEnd: ContinuousClock.Instant? { endInstant.withLock { $0 } }

    func startRecording() { recording.store(true, ordering: .relaxed) }

    func stop() {
        if !stopped.exchange(true, ordering: .relaxed) {
            endInstant.withLock { $0 = .now }
        }
    }

    /// The next call's number and whether it is measured (started after the warm-up), or
    /// nil once `limit` measured calls have been handed out.
    func takeTicket(limit: Int?) -> (number: Int, measured: Bool)? {
        let measured = isRecording
        if measured, let limit, measuredTickets.wrappingAdd(1, ordering: .relaxed).oldValue >= limit { return nil }
        return (tickets.wrappingAdd(1, ordering: .relaxed).oldValue, measured)
    }

    func recorded(micros: UInt64, failed: Bool) {
        live.withLock { $0.record(micros: micros, failure: failed ? "error" : nil) }
    }

    func snapshot(since start: ContinuousClock.Instant) -> LoadRunner.Progress {
        let tally = live.withLock { $0 }
        let elapsed = ContinuousClock.now - start
        let seconds = elapsed.seconds
        return LoadRunner.Progress(
            elapsed: elapsed, calls: tally.calls, errors: tally.errors.values.reduce(0, +),
            callsPerSecond: seconds > 0 ? Double(tally.calls) / seconds : 0,
            p99Micros: tally.calls > 0 ? Double(tally.histogram.valueAtPercentile(99)) : 0
        )
    }
}

extension Duration {
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
