import ArgumentParser
import LoadTest
import RPCCore

/// How hard and how long: callers, connections, the loop (closed, open at a rate, or a
/// schedule of rates or callers) and each call's deadline — the same for `run` and `mix`.
struct LoadShape: ParsableArguments {
    @Option(help: "Calls in flight at once (with a concurrency schedule: the most).")
    var concurrency: Int = 16

    @Option(help: "TCP connections (per service in a mix), shared by the concurrent callers.")
    var connections: Int = 1

    @Option(help: "Seconds to measure (after the warm-up).")
    var duration: Double?

    @Option(help: "Measured calls to make (with --duration: whichever comes first).")
    var total: Int?

    @Option(help: "Open loop at this many calls/s; latency counts from when each call was due.")
    var rps: Double?

    @Option(help: "Seconds of warm-up before measuring.")
    var warmup: Double = 1

    @Option(help: "Deadline of each call, in milliseconds.")
    var timeoutMs: Int = 5000

    @Option(help: "Open-loop rate schedule: const (the --rps rate), step or line (see --load-start).")
    var loadSchedule: String = "const"

    @Option(help: "Schedule start (calls/s); step: change by --load-step every --load-step-duration; line: by --load-step every second.")
    var loadStart: Double?

    @Option(help: "Schedule step (calls/s; negative goes down).")
    var loadStep: Double = 0

    @Option(help: "Schedule end (calls/s): held there once reached.")
    var loadEnd: Double?

    @Option(help: "Seconds per step of a step schedule.")
    var loadStepDuration: Double = 10

    @Option(help: "Stop the run this many seconds after the measured start, whatever else is set.")
    var loadMaxDuration: Double?

    @Option(help: "Concurrency schedule: const (--concurrency), step or line; --concurrency is then the most callers.")
    var concurrencySchedule: String = "const"

    @Option(help: "Concurrency schedule start (callers).")
    var concurrencyStart: Double?

    @Option(help: "Concurrency schedule step (callers).")
    var concurrencyStep: Double = 0

    @Option(help: "Concurrency schedule end (callers).")
    var concurrencyEnd: Double?

    @Option(help: "Seconds per step of a concurrency step schedule.")
    var concurrencyStepDuration: Double = 10

    @Option(help: "Stop the run this many seconds after the measured start (concurrency schedule).")
    var concurrencyMaxDuration: Double?

    @Flag(help: "Skip the call made before the run to check the request, the token and the method.")
    var noPreflight = false

    func validate() throws {
        guard concurrency > 0, connections > 0 else { throw ValidationError("--concurrency and --connections must be positive") }
        if let total, total <= 0 { throw ValidationError("--total must be positive") }
        if let duration, !(duration > 0) { throw ValidationError("--duration must be positive") }
        if let rps, !(rps > 0 && rps.isFinite) { throw ValidationError("--rps must be positive") }
        guard warmup >= 0, timeoutMs > 0 else { throw ValidationError("--warmup must not be negative, --timeout-ms must be positive") }
        _ = try schedules()
    }

    /// The rate and concurrency schedules, nil where constant.
    func schedules() throws -> (rate: LoadSchedule?, concurrency: LoadSchedule?) {
        func make(_ kind: String, flag: String, start: Double?, step: Double, end: Double?, stepSeconds: Double, max: Double?) throws -> LoadSchedule? {
            guard let kind = LoadSchedule.Kind(rawValue: kind) else {
                throw ValidationError("--\(flag)-schedule is const, step or line")
            }
            guard kind != .const else {
                if start != nil || end != nil || step != 0 { throw ValidationError("--\(flag)-start/-step/-end need --\(flag)-schedule step or line") }
                return nil
            }
            guard let start else { throw ValidationError("--\(flag)-schedule \(kind.rawValue) needs --\(flag)-start") }
            guard stepSeconds > 0, stepSeconds.isFinite else { throw ValidationError("--\(flag)-step-duration must be positive") }
            if let max, !(max > 0) { throw ValidationError("--\(flag)-max-duration must be positive") }
            do {
                return try LoadSchedule(
                    kind: kind, start: start, step: step, end: end, stepDuration: .milliseconds(Int(stepSeconds * 1000)),
                    maxDuration: max.map { .milliseconds(Int($0 * 1000)) }
                )
            } catch {
                throw ValidationError("--\(flag)-schedule: \(error.description)")
            }
        }
        let rate = try make(loadSchedule, flag: "load", start: loadStart, step: loadStep, end: loadEnd, stepSeconds: loadStepDuration, max: loadMaxDuration)
        let callers = try make(
            concurrencySchedule, flag: "concurrency", start: concurrencyStart, step: concurrencyStep, end: concurrencyEnd,
            stepSeconds: concurrencyStepDuration, max: concurrencyMaxDuration
        )
        if rate != nil, rps != nil { throw ValidationError("Give --rps or --load-schedule, not both") }
        if let callers, callers.value(atStep: 0) > Double(concurrency) || (callers.end ?? 0) > Double(concurrency) {
            throw ValidationError("--concurrency is the most callers a concurrency schedule may reach: raise it to the schedule's end")
        }
        if let callers, callers.end == nil, callers.step > 0 {
            throw ValidationError("--concurrency-end is needed: callers cannot grow past --concurrency")
        }
        return (rate, callers)
    }

    /// The runner's plan for these settings. A schedule that ends by itself runs to its end;
    /// otherwise a run lasts 10 s unless told.
    func plan(
        host: String, port: Int, method: String, bodies: [[UInt8]], metadata: Metadata, iteration: LoadScenario.Iteration?
    ) throws -> LoadRunner.Plan {
        let (rateSchedule, concurrencySchedule) = try schedules()
        let scheduleEnds = rateSchedule?.maxDuration != nil || concurrencySchedule?.maxDuration != nil
        let seconds = duration ?? (total != nil || scheduleEnds ? nil : 10)
        var plan = LoadRunner.Plan(
            host: host, port: port, method: method, bodies: bodies, metadata: metadata,
            concurrency: concurrency, connections: connections,
            duration: seconds.map { .milliseconds(Int($0 * 1000)) }, total: total,
            rate: rps, warmup: .milliseconds(Int(warmup * 1000)), timeout: .milliseconds(timeoutMs),
            iteration: iteration, preflight: !noPreflight
        )
        plan.rateSchedule = rateSchedule
        plan.concurrencySchedule = concurrencySchedule
        return plan
    }
}
