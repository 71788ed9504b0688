import Foundation

/// A bound a run must keep, as CI pipelines write it: `p99>5ms`, `p50>=800us`,
/// `error-rate>1%`, `rps<1000`. The run fails when the expression is true.
public struct FailCondition: Sendable, Hashable, CustomStringConvertible {
    public enum Metric: Sendable, Hashable {
        case percentile(Double)
        case max
        case errorRate
        case rate
    }

    public enum Comparison: String, Sendable, Hashable, CaseIterable {
        case greaterOrEqual = ">=", lessOrEqual = "<=", greater = ">", less = "<"
    }

    public var metric: Metric
    public var comparison: Comparison
    /// Microseconds for latencies, a fraction (0.01) for the error rate, calls/s for the rate.
    public var threshold: Double
    public let description: String

    public init(parsing text: String) throws(LoadTestError) {
        let compact = text.replacingOccurrences(of: " ", with: "").lowercased()
        guard let comparison = Comparison.allCases.first(where: { compact.contains($0.rawValue) }),
              let range = compact.range(of: comparison.rawValue) else {
            throw LoadTestError("--fail-if «\(text)»: expected e.g. p99>5ms, error-rate>1%, rps<1000")
        }
        let name = String(compact[..<range.lowerBound])
        let value = String(compact[range.upperBound...])
        switch name {
        case "error-rate", "errors":
            metric = .errorRate
            guard value.hasSuffix("%"), let number = Double(value.dropLast()) else {
                throw LoadTestError("--fail-if «\(text)»: the error rate is a percentage, e.g. 1%")
            }
            threshold = number / 100
        case "rps", "rate":
            metric = .rate
            guard let number = Double(value) else { throw LoadTestError("--fail-if «\(text)»: the rate is calls per second") }
            threshold = number
        case "max":
            metric = .max
            threshold = try Self.microseconds(value, in: text)
        default:
            guard name.hasPrefix("p"), let percentile = Double(name.dropFirst()), percentile > 0, percentile <= 100 else {
                throw LoadTestError("--fail-if «\(text)»: unknown measure «\(name)» (p50, p99, p99.9, max, error-rate, rps)")
            }
            metric = .percentile(percentile)
            threshold = try Self.microseconds(value, in: text)
        }
        self.comparison = comparison
        self.description = text
    }

    /// Whether `report` breaks this bound.
    public func isViolated(by report: LoadReport) -> Bool {
        let actual: Double
        switch metric {
        case .percentile(let percentile): actual = report.latencyMicros(atPercentile: percentile)
        case .max: actual = report.maxMicros
        case .errorRate: actual = report.errorRate
        case .rate: actual = report.callsPerSecond
        }
        switch comparison {
        case .greater: return actual > threshold
        case .greaterOrEqual: return actual >= threshold
        case .less: return actual < threshold
        case .lessOrEqual: return actual <= threshold
        }
    }

    private static func microseconds(_ value: String, in text: String) throws(LoadTestError) -> Double {
        let units: [(String, Double)] = [("us", 1), ("µs", 1), ("ms", 1000), ("s", 1_000_000)]
        for (suffix, scale) in units where value.hasSuffix(suffix) {
            if let number = Double(value.dropLast(suffix.count)) { return number * scale }
        }
        throw LoadTestError("--fail-if «\(text)»: a latency needs a unit: us, ms or s")
    }
}

public struct LoadTestError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Thrown by a scenario's iteration for an answer the scenario expects (the sixth booking on
/// a full slot): the call counts under `name` in the report, neither as done nor as an error.
public struct ExpectedRefusal: Error, Sendable {
    public var name: String
    public init(_ name: String) { self.name = name }
}

/// The call made before the run failed: the run did not start.
public struct PreflightError: Error, Sendable, CustomStringConvertible {
    public var method: String
    public var code: String
    public var message: String

    public var description: String {
        "preflight: \(method) failed before the run: \(code): \(message)"
    }
}
