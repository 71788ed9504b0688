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
        /// A changing rate for the open loop (`--load-schedule`); replaces `rate`.
        public var rateSchedule: LoadSchedule?
        /// A changing number of callers (`--concurrency-schedule`), at most `concurrency`.
        public var concurrencySchedule: LoadSchedule?
        /// One call before the run: a failure stops it before it starts (`PreflightError`).
        public var preflight = true
        /// The name a ticket's call is reported under, for a run of several kinds of call (a
        /// mix); nil reports only the whole.
        public var classify: (@Sendable (Int) -> String)?
        /// Keep every measured call (for `--csv-per-call`).
        public var recordCalls = false
        /// What the report names as the target; nil is `host:port`.
        public var target: String?
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
            iteration: LoadScenario.Iteration? = nil, preflight: Bool = true
        ) {
            self.preflight = preflight
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

    /// Once a second while running: what happened in that second alone.
    public struct Progress: Sendable {
        public var elapsed: Duration
        public var calls: Int
        public var errors: Int
        public var callsPerSecond: Double
        public var p50Micros: Double
        public var p99Micros: Double
        /// Calls measured since the start, for a running total.
        public var totalCalls: Int
    }

    /// The rate the open loop is due to run at, whatever its schedule.
    var rateSchedule: LoadSchedule? {
        plan.rateSchedule ?? plan.rate.map { .constant($0) }
    }

    public let plan: Plan

    public init(_ plan: Plan) {
        self.plan = plan
    }

    /// Runs the plan. Cancelling the calling Task (Ctrl-C) stops it and reports what ran.
    public func run(progress: @escaping @Sendable (Progress) -> Void = { _ in }) async throws -> LoadReport {
        let plan = self.plan
        let rateSchedule = self.rateSchedule
        precondition((!plan.bodies.isEmpty || plan.iteration != nil) && plan.concurrency > 0 && plan.connections > 0)
        let transports: [any ClientTransport] = (0..<plan.connections).map { _ in
            plan.makeTransport?() ?? TCPClientTransport(host: plan.host, port: plan.port)
        }
        defer { for transport in transports { Task { await transport.close() } } }
        if plan.preflight {
            try await Self.preflight(plan: plan, client: RPCClient(transport: transports[0]))
        }
        // The preflight used iteration 0: a scenario's iterations must not repeat a number.
        let state = RunState(recordingFrom: plan.warmup == .zero, firstTicket: plan.preflight ? 1 : 0)
        let start = ContinuousClock.now
        let measuredStart = start + plan.warmup
        // Steps are counted from the measured start; the warm-up runs at the first step's value.
        let stepSchedule = plan.rateSchedule ?? plan.concurrencySchedule
        let limits = [plan.duration, plan.rateSchedule?.maxDuration, plan.concurrencySchedule?.maxDuration].compactMap { $0 }
        let end = limits.min().map { measuredStart + $0 }

        let merged: Tally = await withTaskGroup(of: Tally.self) { group in
            for worker in 0..<plan.concurrency {
                let transport = transports[worker % transports.count]
                // TCP callers run on their connection's event loop: no thread hop per call.
                let loop = (transport as? TCPClientTransport)?.preferredExecutor
                group.addTask(executorPreference: loop) {
                    await Self.work(
                        worker: worker, plan: plan, rateSchedule: rateSchedule, stepSchedule: stepSchedule,
                        client: RPCClient(transport: transport), loop: loop, state: state, start: measuredStart, end: end
                    )
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
        // Calls in flight at the stop have ended: the last interval holds them too.
        if state.isRecording { _ = state.interval(runStart: measuredStart, now: .now) }
        let stopped = state.measuredEnd ?? ContinuousClock.now
        let seconds = max(0, (stopped - max(measuredStart, start)).seconds)
        var report = LoadReport(
            method: plan.method, target: plan.target ?? "\(plan.host):\(plan.port)", concurrency: plan.concurrency,
            connections: plan.connections, targetRate: plan.rate, calls: merged.calls,
            errorsByCode: merged.errors, seconds: seconds, interrupted: Task.isCancelled, histogram: merged.histogram
        )
        report.errorSamples = merged.samples
        report.expectedByName = merged.expected
        report.rateSchedule = plan.rateSchedule
        report.concurrencySchedule = plan.concurrencySchedule
        report.timeSeries = state.series
        report.callLog = merged.log.sorted { $0.dueMicros < $1.dueMicros }
        report.methods = merged.byName.keys.sorted().map { name in
            let tally = merged.byName[name]!
            return LoadReport.Method(name: name, calls: tally.calls, errorsByCode: tally.errors, expected: tally.expected.values.reduce(0, +), histogram: tally.histogram)
        }
        if let stepSchedule {
            let stepSeconds = stepSchedule.stepDuration.seconds
            report.steps = merged.steps.keys.sorted().map { index in
                let tally = merged.steps[index]!
                // The last step may be cut short by the end of the run.
                let stepStart = Double(index) * stepSeconds
                let length = max(0.001, min(stepSeconds, seconds - stepStart))
                return LoadReport.Step(
                    index: index, startSeconds: stepStart, seconds: length,
                    targetRate: plan.rateSchedule?.value(atStep: index) ?? plan.rate,
                    concurrency: plan.concurrencySchedule.map { min(plan.concurrency, Int($0.value(atStep: index))) } ?? plan.concurrency,
                    calls: tally.calls, errors: tally.errors.values.reduce(0, +), histogram: tally.histogram
                )
            }
        }
        return report
    }

    /// One call as the run would make it, before the clock starts: a wrong role, a missing
    /// token, a bad field or a method the server does not have fails here, with the server's
    /// status and message, instead of as a run of 100 % errors. An expected refusal passes.
    static func preflight(plan: Plan, client: RPCClient) async throws {
        var client = client
        client.defaultTimeout = plan.timeout
        do {
            if let iteration = plan.iteration {
                try await iteration(client, plan.metadata, 0)
            } else {
                _ = try await client.unary(
                    RPCRequestParts(method: plan.method, metadata: plan.metadata, payload: plan.bodies[0]),
                    options: CallOptions(timeout: plan.timeout)
                )
            }
        } catch is ExpectedRefusal {
            return
        } catch let error as RPCError {
            throw PreflightError(method: plan.method, code: "\(error.code)", message: error.message)
        } catch let error as LoadTestError {
            throw PreflightError(method: plan.method, code: "PREPARE", message: error.description)
        }
    }

    private static func work(
        worker: Int, plan: Plan, rateSchedule: LoadSchedule?, stepSchedule: LoadSchedule?, client: RPCClient,
        loop: EventLoopTaskExecutor?, state: RunState, start: ContinuousClock.Instant, end: ContinuousClock.Instant?
    ) async -> Tally {
        var tally = Tally()
        // A scenario's calls (typed clients, several per iteration) get the per-call deadline too.
        var scenarioClient = client
        scenarioClient.defaultTimeout = plan.timeout
        var bodyIndex = worker
        while !Task.isCancelled, !state.isStopped {
            // Callers above the scheduled number wait for their turn.
            if let schedule = plan.concurrencySchedule,
               worker >= Int(schedule.value(atStep: schedule.stepIndex(at: .now - start))) {
                if let loop { await loop.sleep(for: .milliseconds(10)) } else { try? await Task.sleep(for: .milliseconds(10)) }
                continue
            }
            // Open loop: the warm-up runs at the schedule's first rate, and a call is measured if
            // it was due after the warm-up, whenever it was handed out or started.
            let warmupTickets = rateSchedule.map { Int($0.value(atStep: 0) * plan.warmup.seconds) }
            guard let (ticket, measured) = state.takeTicket(limit: plan.total, measuredFrom: warmupTickets) else { break }
            // Open loop: the call is due at its slot, measured from then even if it starts late.
            let due: ContinuousClock.Instant
            if let rateSchedule, let warmupTickets {
                let number = ticket - state.firstTicket
                due = number < warmupTickets
                    ? state.openLoopStart + .seconds(Double(number) / rateSchedule.value(atStep: 0))
                    : state.openLoopStart + plan.warmup + rateSchedule.dueOffset(ofTicket: number - warmupTickets)
                let wait = due - .now
                if wait > .zero {
                    if let loop { await loop.sleep(for: wait) } else { try? await Task.sleep(until: due) }
                    // Ctrl-C cuts the wait short: the call was never due, so it is neither made nor measured.
                    if Task.isCancelled { break }
                }
            } else {
                due = .now
            }
            // A call due at or after the end is not made: the run's length is exact, and every
            // step of a schedule gets only the calls due in it.
            if let end, due >= end {
                state.stop()
                break
            }
            let body = plan.bodies.isEmpty ? [] : plan.bodies[bodyIndex % plan.bodies.count]
            bodyIndex += plan.concurrency
            var failure: (code: String, message: String)?
            var expected: String?
            do {
                if let iteration = plan.iteration {
                    try await iteration(scenarioClient, plan.metadata, ticket)
                } else {
                    _ = try await client.unary(
                        RPCRequestParts(method: plan.method, metadata: plan.metadata, payload: body),
                        options: CallOptions(timeout: plan.timeout)
                    )
                }
            } catch let refusal as ExpectedRefusal {
                expected = refusal.name
            } catch let error as RPCError {
                failure = ("\(error.code)", error.message)
            } catch let error as LoadTestError {
                failure = ("LOAD_TEST", error.description)
            } catch {
                failure = ("UNKNOWN", "\(error)")
            }
            // Calls started in the warm-up are not measured, even if they end after it.
            guard measured else { continue }
            let micros = Self.micros(from: due, to: .now)
            let step = stepSchedule.map { $0.stepIndex(at: due - start) }
            let name = plan.classify?(ticket)
            tally.record(micros: micros, failure: failure, expected: expected, step: step, name: name)
            if plan.recordCalls {
                tally.log.append(LoadReport.Call(
                    dueMicros: Int64(((due - start).seconds * 1_000_000).rounded()), latencyMicros: micros,
                    status: failure?.code ?? expected.map { "expected: \($0)" } ?? "OK", method: name ?? plan.method
                ))
            }
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

    private static func supervise(
        plan: Plan, state: RunState, measuredStart: ContinuousClock.Instant,
        progress: @Sendable (Progress) -> Void
    ) async {
        if plan.warmup > .zero {
            try? await Task.sleep(until: measuredStart)
            state.startRecording()
        }
        var lastReport = ContinuousClock.now
        state.beginInterval(at: lastReport)
        // The workers end the run at its end themselves, by each call's due time: a client that
        // fell behind still makes (and measures) every call due before the end, so its lag
        // shows as latency and as a rate short of the target instead of vanishing.
        while !state.isStopped, !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(50))
            if ContinuousClock.now - lastReport >= .seconds(1) {
                let now = ContinuousClock.now
                progress(state.interval(runStart: measuredStart, now: now))
                lastReport = now
            }
        }
        state.stop()
    }
}

/// One worker's measurements.
struct Tally: Sendable {
    var histogram = LoadReport.emptyHistogram()
    var calls = 0
    var errors: [String: Int] = [:]
    /// The first message seen for each error code.
    var samples: [String: String] = [:]
    var expected: [String: Int] = [:]
    /// Per step of a schedule.
    var steps: [Int: Tally] = [:]
    /// Per kind of call, in a mix.
    var byName: [String: Tally] = [:]
    /// Every call, when the plan keeps them.
    var log: [LoadReport.Call] = []

    mutating func record(
        micros: UInt64, failure: (code: String, message: String)? = nil, expected: String? = nil, step: Int? = nil, name: String? = nil
    ) {
        _ = histogram.record(min(micros, 3_600_000_000))
        calls += 1
        if let failure {
            errors[failure.code, default: 0] += 1
            if samples[failure.code] == nil { samples[failure.code] = failure.message }
        }
        if let expected { self.expected[expected, default: 0] += 1 }
        if let step { steps[step, default: Tally()].record(micros: micros, failure: failure, expected: expected) }
        if let name { byName[name, default: Tally()].record(micros: micros, failure: failure, expected: expected) }
    }

    mutating func merge(_ other: Tally) {
        histogram.add(other.histogram)
        calls += other.calls
        errors.merge(other.errors, uniquingKeysWith: +)
        samples.merge(other.samples) { mine, _ in mine }
        expected.merge(other.expected, uniquingKeysWith: +)
        for (index, tally) in other.steps { steps[index, default: Tally()].merge(tally) }
        for (name, tally) in other.byName { byName[name, default: Tally()].merge(tally) }
        log += other.log
    }
}

/// What the workers share: tickets, the phase, and a running view for progress lines.
final class RunState: Sendable {
    private let tickets: Atomic<Int>
    let firstTicket: Int
    private let measuredTickets = Atomic<Int>(0)
    private let stopped = Atomic<Bool>(false)
    private let recording: Atomic<Bool>
    /// The calls of the current progress interval, and the intervals already closed.
    private let live = Mutex(Tally())
    private let closedIntervals = Mutex<[LoadReport.Interval]>([])
    private let intervalStart = Mutex(ContinuousClock.now)
    private let measuredTotal = Atomic<Int>(0)
    private let endInstant = Mutex<ContinuousClock.Instant?>(nil)
    let openLoopStart = ContinuousClock.now

    init(recordingFrom start: Bool, firstTicket: Int = 0) {
        recording = Atomic(start)
        tickets = Atomic(firstTicket)
        self.firstTicket = firstTicket
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
    /// With `measuredFrom` (an open loop), the tickets from that number on are measured, by
    /// when they are due; without, those handed out once recording began (a closed loop).
    func takeTicket(limit: Int?, measuredFrom: Int? = nil) -> (number: Int, measured: Bool)? {
        guard let measuredFrom else {
            let measured = isRecording
            if measured, let limit, measuredTickets.wrappingAdd(1, ordering: .relaxed).oldValue >= limit { return nil }
            return (tickets.wrappingAdd(1, ordering: .relaxed).oldValue, measured)
        }
        let ticket = tickets.wrappingAdd(1, ordering: .relaxed).oldValue
        let number = ticket - firstTicket - measuredFrom
        if let limit, number >= limit { return nil }
        return (ticket, number >= 0)
    }

    var series: [LoadReport.Interval] { closedIntervals.withLock { $0 } }

    func recorded(micros: UInt64, failed: Bool) {
        measuredTotal.wrappingAdd(1, ordering: .relaxed)
        live.withLock { $0.record(micros: micros, failure: failed ? ("ERROR", "") : nil) }
    }

    /// Closes the interval that began at `intervalStart`: its calls, rate and latency, kept
    /// for the report's time series and handed to the progress line.
    func beginInterval(at instant: ContinuousClock.Instant) {
        intervalStart.withLock { $0 = instant }
    }

    func interval(runStart: ContinuousClock.Instant, now: ContinuousClock.Instant) -> LoadRunner.Progress {
        let tally = live.withLock { tally in
            defer { tally = Tally() }
            return tally
        }
        let began = intervalStart.withLock { start in
            defer { start = now }
            return start
        }
        let seconds = max(0.001, (now - began).seconds)
        let errors = tally.errors.values.reduce(0, +)
        let p50 = tally.calls > 0 ? Double(tally.histogram.valueAtPercentile(50)) : 0
        let p99 = tally.calls > 0 ? Double(tally.histogram.valueAtPercentile(99)) : 0
        if isRecording {
            closedIntervals.withLock {
                $0.append(LoadReport.Interval(
                    endSeconds: max(0, (now - runStart).seconds), calls: tally.calls, errors: errors,
                    callsPerSecond: Double(tally.calls) / seconds, p50Micros: p50, p99Micros: p99,
                    maxMicros: tally.calls > 0 ? Double(tally.histogram.max) : 0
                ))
            }
        }
        return LoadRunner.Progress(
            elapsed: now - runStart, calls: tally.calls, errors: errors, callsPerSecond: Double(tally.calls) / seconds,
            p50Micros: p50, p99Micros: p99, totalCalls: measuredTotal.load(ordering: .relaxed)
        )
    }
}

extension Duration {
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
