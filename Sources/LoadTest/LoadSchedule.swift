/// How a value (a rate in calls/s, or a number of callers) changes over a run, as ghz names
/// it: `const` holds `start`; `step` adds `step` every `stepDuration` until `end`; `line` is
/// `step` with a one-second step, so the value climbs by `step` each second. Once at `end`
/// the value holds there until the run ends (by `--duration` or `--total`) or, with
/// `maxDuration`, stops the run then.
///
/// The run reports latency and achieved rate per step, so a user finds the knee.
public struct LoadSchedule: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, CaseIterable {
        case const, step, line
    }

    public var kind: Kind
    public var start: Double
    public var step: Double
    /// Where the value stops changing; nil never stops (it still cannot fall below 1).
    public var end: Double?
    public var stepDuration: Duration
    /// Ends the run this long after the measured start.
    public var maxDuration: Duration?

    public init(
        kind: Kind, start: Double, step: Double = 0, end: Double? = nil, stepDuration: Duration = .seconds(1),
        maxDuration: Duration? = nil
    ) throws(LoadTestError) {
        guard start > 0, start.isFinite else { throw LoadTestError("a schedule's start must be positive") }
        guard step.isFinite else { throw LoadTestError("a schedule's step must be a number") }
        if kind == .step, step == 0 { throw LoadTestError("a step schedule needs a non-zero step") }
        if let end, !(end > 0 && end.isFinite) { throw LoadTestError("a schedule's end must be positive") }
        if let end, step != 0, (end - start).sign != step.sign, end != start {
            throw LoadTestError("a schedule's end must lie in the direction of its step")
        }
        guard stepDuration > .zero else { throw LoadTestError("a schedule's step duration must be positive") }
        self.kind = kind
        self.start = start
        self.step = kind == .const ? 0 : step
        self.end = kind == .const ? start : end
        self.stepDuration = kind == .line ? .seconds(1) : stepDuration
        self.maxDuration = maxDuration
    }

    public static func constant(_ value: Double) -> LoadSchedule {
        // A positive finite constant is always a valid schedule.
        try! LoadSchedule(kind: .const, start: max(value, .leastNonzeroMagnitude))
    }

    public var isConstant: Bool { step == 0 }

    /// The value during step `index` (0-based).
    public func value(atStep index: Int) -> Double {
        var value = start + step * Double(index)
        if let end { value = step > 0 ? min(value, end) : max(value, end) }
        return max(value, 1)
    }

    /// The step an instant `offset` after the measured start falls in.
    public func stepIndex(at offset: Duration) -> Int {
        guard offset > .zero else { return 0 }
        return Int(offset.seconds / stepDuration.seconds)
    }

    /// The step after which the value no longer changes (nil: it changes for ever).
    var lastChangingStep: Int? {
        if step == 0 { return 0 }
        guard let end else { return nil }
        return Int(((end - start) / step).rounded(.up))
    }

    /// When the `ticket`-th call (0-based) of an open loop following this schedule of rates is
    /// due, as an offset from the loop's start: the integral of the rate reaches `ticket`.
    public func dueOffset(ofTicket ticket: Int) -> Duration {
        let stepSeconds = stepDuration.seconds
        var remaining = Double(ticket)
        var index = 0
        while true {
            let rate = value(atStep: index)
            let inStep = rate * stepSeconds
            if let last = lastChangingStep, index >= last {
                return .seconds(Double(index) * stepSeconds + remaining / rate)
            }
            if remaining < inStep {
                return .seconds(Double(index) * stepSeconds + remaining / rate)
            }
            remaining -= inStep
            index += 1
        }
    }

    public var description: String {
        switch kind {
        case .const: return "const \(Self.number(start))"
        case .step, .line:
            let upTo = end.map { " to \(Self.number($0))" } ?? ""
            return "\(kind.rawValue) from \(Self.number(start)) by \(Self.number(step))\(upTo) every \(Self.number(stepDuration.seconds)) s"
        }
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}
