import Foundation
public import Histogram

/// What a run measured: counts, rate, errors by status code and the latency distribution
/// (microseconds, from an HDR histogram; under `--rps`, measured from when each call was due).
public struct LoadReport: Sendable {
    public var method: String
    public var target: String
    public var concurrency: Int
    public var connections: Int
    /// The requested rate under `--rps`; nil for a closed loop.
    public var targetRate: Double?
    public var calls: Int
    public var errorsByCode: [String: Int]
    public var seconds: Double
    /// Whether the run was stopped early (Ctrl-C).
    public var interrupted: Bool
    public var histogram: Histogram<UInt64>
    /// One message the server sent for each error code, so a table of codes says why.
    public var errorSamples: [String: String] = [:]
    /// Answers the scenario expects (a full slot refusing the sixth booking), by name: they
    /// are calls, not errors.
    public var expectedByName: [String: Int] = [:]
    public var rateSchedule: LoadSchedule?
    public var concurrencySchedule: LoadSchedule?
    /// Per progress interval (about a second each), not cumulative.
    public var timeSeries: [Interval] = []
    /// Per step of a rate or concurrency schedule.
    public var steps: [Step] = []
    /// Per kind of call, in a mix.
    public var methods: [Method] = []
    /// Every measured call, when the run kept them.
    public var callLog: [Call] = []

    public init(
        method: String, target: String, concurrency: Int, connections: Int, targetRate: Double?, calls: Int,
        errorsByCode: [String: Int], seconds: Double, interrupted: Bool, histogram: Histogram<UInt64>
    ) {
        self.method = method
        self.target = target
        self.concurrency = concurrency
        self.connections = connections
        self.targetRate = targetRate
        self.calls = calls
        self.errorsByCode = errorsByCode
        self.seconds = seconds
        self.interrupted = interrupted
        self.histogram = histogram
    }

    public struct Interval: Sendable, Hashable {
        /// Seconds from the measured start to the interval's end.
        public var endSeconds: Double
        public var calls: Int
        public var errors: Int
        public var callsPerSecond: Double
        public var p50Micros: Double
        public var p99Micros: Double
        public var maxMicros: Double
    }

    public struct Step: Sendable {
        public var index: Int
        public var startSeconds: Double
        public var seconds: Double
        public var targetRate: Double?
        public var concurrency: Int
        public var calls: Int
        public var errors: Int
        public var histogram: Histogram<UInt64>

        public var callsPerSecond: Double { Double(calls) / seconds }
        public func latencyMicros(atPercentile percentile: Double) -> Double {
            histogram.totalCount == 0 ? 0 : Double(histogram.valueAtPercentile(percentile))
        }
    }

    public struct Call: Sendable, Hashable {
        /// When the call was due (an open loop) or started, from the measured start.
        public var dueMicros: Int64
        public var latencyMicros: UInt64
        public var status: String
        public var method: String
    }

    /// One row per measured call, in the order they were due.
    public func callsCSV() -> String {
        var text = "due_us,latency_us,status,method\n"
        for call in callLog {
            text += "\(call.dueMicros),\(call.latencyMicros),\(call.status),\(call.method)\n"
        }
        return text
    }

    public struct Method: Sendable {
        public var name: String
        public var calls: Int
        public var errorsByCode: [String: Int]
        public var expected: Int
        public var histogram: Histogram<UInt64>

        public var errors: Int { errorsByCode.values.reduce(0, +) }
        public func latencyMicros(atPercentile percentile: Double) -> Double {
            histogram.totalCount == 0 ? 0 : Double(histogram.valueAtPercentile(percentile))
        }
    }

    static func emptyHistogram() -> Histogram<UInt64> {
        Histogram<UInt64>(highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .three)
    }

    public var errors: Int { errorsByCode.values.reduce(0, +) }
    public var expected: Int { expectedByName.values.reduce(0, +) }
    public var callsPerSecond: Double { seconds > 0 ? Double(calls) / seconds : 0 }
    public var errorRate: Double { calls > 0 ? Double(errors) / Double(calls) : 0 }
    public var maxMicros: Double { Double(histogram.max) }
    public var minMicros: Double { histogram.totalCount == 0 ? 0 : Double(histogram.min) }
    public var meanMicros: Double { histogram.totalCount == 0 ? 0 : histogram.mean }

    public func latencyMicros(atPercentile percentile: Double) -> Double {
        histogram.totalCount == 0 ? 0 : Double(histogram.valueAtPercentile(percentile))
    }

    static let reportedPercentiles: [Double] = [50, 90, 95, 99, 99.9]

    /// Below this share of the requested rate, the run says it fell short.
    static let shortfallThreshold = 0.9

    /// The requested rate (constant, or a schedule's last step) when the run reached less
    /// than 95 % of it: the server (or this client) could not keep up, and the latencies are
    /// those of a lower load than asked for.
    public var rateShortfall: (requested: Double, achieved: Double)? {
        guard let targetRate, rateSchedule == nil, calls > 0, !interrupted else { return nil }
        return callsPerSecond < targetRate * Self.shortfallThreshold ? (targetRate, callsPerSecond) : nil
    }

    /// For people: counts, rate, the status table with a sample message each, percentiles,
    /// the steps of a schedule, and a histogram as text bars.
    public func text() -> String {
        var lines = [
            "\(method) on \(target): \(concurrency) concurrent over \(connections) connection(s)"
                + (targetRate.map { String(format: ", open loop at %.0f calls/s (latency from when each call was due)", $0) } ?? "")
                + (rateSchedule.map { ", open loop, rate \($0) (latency from when each call was due)" } ?? "")
                + (concurrencySchedule.map { ", concurrency \($0)" } ?? ""),
            String(format: "calls %d in %.2f s: %.0f calls/s%@", calls, seconds, callsPerSecond, interrupted ? " (interrupted)" : ""),
        ]
        if let shortfall = rateShortfall {
            lines.append(String(
                format: "WARNING: reached %.0f calls/s of the %.0f requested (%.0f %%): the latencies are those of a lower load",
                shortfall.achieved, shortfall.requested, shortfall.achieved / shortfall.requested * 100
            ))
        }
        lines.append("status")
        lines.append(contentsOf: statusRows().map { row in
            "  " + row.status.padding(toLength: 22, withPad: " ", startingAt: 0)
                + String(format: "%9d  %6.2f %%", row.count, calls > 0 ? Double(row.count) / Double(calls) * 100 : 0)
                + (row.sample.isEmpty ? "" : "  «\(row.sample.prefix(100))»")
        })
        lines.append(
            "latency min \(Self.format(minMicros))  mean \(Self.format(meanMicros))  "
                + Self.reportedPercentiles.map { "p\(Self.name($0)) \(Self.format(latencyMicros(atPercentile: $0)))" }
                .joined(separator: "  ") + "  max \(Self.format(maxMicros))"
        )
        if !methods.isEmpty {
            lines.append("per method")
            let width = max(24, methods.map(\.name.count).max() ?? 0)
            lines.append("  " + "method".padding(toLength: width, withPad: " ", startingAt: 0) + "    calls   calls/s   errors        p50        p99      p99.9        max")
            for method in methods {
                lines.append("  " + method.name.padding(toLength: width, withPad: " ", startingAt: 0) + String(
                    format: " %8d %9.0f %8d ", method.calls, seconds > 0 ? Double(method.calls) / seconds : 0, method.errors
                ) + [
                    method.latencyMicros(atPercentile: 50), method.latencyMicros(atPercentile: 99),
                    method.latencyMicros(atPercentile: 99.9), Double(method.histogram.max),
                ].map { Self.right(Self.format($0), 10) }.joined(separator: " "))
            }
        }
        if !steps.isEmpty {
            lines.append("steps (find the knee: where p99 climbs and the achieved rate stops following the target)")
            lines.append("  step  from   target/s  callers   calls/s   errors        p50        p99")
            for step in steps {
                lines.append(
                    String(format: "  %4d %5.0fs ", step.index + 1, step.startSeconds)
                        + Self.right(step.targetRate.map { String(format: "%.0f", $0) } ?? "-", 10)
                        + String(format: " %8d %9.0f %8d ", step.concurrency, step.callsPerSecond, step.errors)
                        + Self.right(Self.format(step.latencyMicros(atPercentile: 50)), 10) + " "
                        + Self.right(Self.format(step.latencyMicros(atPercentile: 99)), 10)
                )
            }
        }
        lines.append(contentsOf: bars())
        return lines.joined(separator: "\n")
    }

    /// OK first, then expected refusals, then errors, each by count.
    func statusRows() -> [(status: String, count: Int, sample: String)] {
        let done = calls - errors - expected
        var rows: [(String, Int, String)] = [("OK", done, "")]
        rows += expectedByName.sorted { $0.value > $1.value }.map { ("expected: \($0.key)", $0.value, "") }
        rows += errorsByCode.sorted { $0.value > $1.value }.map { ($0.key, $0.value, errorSamples[$0.key] ?? "") }
        return rows
    }

    /// Latency buckets doubling in width, each with its count.
    func buckets() -> [(lower: UInt64, upper: UInt64, count: UInt64)] {
        guard histogram.totalCount > 0 else { return [] }
        var lower: UInt64 = max(1, histogram.min)
        var rows: [(UInt64, UInt64, UInt64)] = []
        while lower <= histogram.max {
            let upper = lower * 2 - 1
            rows.append((lower, upper, histogram.count(within: lower...upper)))
            lower *= 2
        }
        return rows
    }

    /// Latency buckets doubling in width, each with a bar as long as its share of calls.
    func bars(width: Int = 40) -> [String] {
        let rows = buckets().map { ("\(Self.format(Double($0.lower)))–\(Self.format(Double($0.upper)))", $0.count) }
        let largest = rows.map(\.1).max() ?? 1
        let labelWidth = rows.map(\.0.count).max() ?? 0
        return rows.map { label, count in
            let bar = String(repeating: "█", count: Int((Double(count) / Double(largest) * Double(width)).rounded(.up)))
            return label.padding(toLength: labelWidth, withPad: " ", startingAt: 0) + " │" + bar + " \(count)"
        }
    }

    /// For machines: the summary, the status table, the histogram's buckets, the per-interval
    /// time series and the schedule's steps.
    public func json() throws -> String {
        let data = try JSONSerialization.data(withJSONObject: jsonObject(), options: [.prettyPrinted, .sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    func jsonObject() -> [String: Any] {
        var object: [String: Any] = [
            "method": method, "target": target, "concurrency": concurrency, "connections": connections,
            "calls": calls, "errors": errors, "errorsByCode": errorsByCode, "seconds": seconds,
            "callsPerSecond": callsPerSecond, "errorRate": errorRate, "interrupted": interrupted,
            "maxMicros": maxMicros, "minMicros": minMicros, "meanMicros": meanMicros,
            "expectedByName": expectedByName, "errorSamples": errorSamples,
            "status": statusRows().map { ["status": $0.status, "count": $0.count, "sample": $0.sample] },
            "histogram": buckets().map { ["fromMicros": $0.lower, "toMicros": $0.upper, "count": $0.count] },
            "timeSeries": timeSeries.map {
                [
                    "endSeconds": $0.endSeconds, "calls": $0.calls, "errors": $0.errors, "callsPerSecond": $0.callsPerSecond,
                    "p50Micros": $0.p50Micros, "p99Micros": $0.p99Micros, "maxMicros": $0.maxMicros,
                ]
            },
        ]
        if let targetRate { object["targetRate"] = targetRate }
        if let rateShortfall { object["rateShortfall"] = ["requested": rateShortfall.requested, "achieved": rateShortfall.achieved] }
        if let rateSchedule { object["rateSchedule"] = rateSchedule.description }
        if let concurrencySchedule { object["concurrencySchedule"] = concurrencySchedule.description }
        if !steps.isEmpty {
            object["steps"] = steps.map { step -> [String: Any] in
                var row: [String: Any] = [
                    "step": step.index + 1, "startSeconds": step.startSeconds, "concurrency": step.concurrency,
                    "calls": step.calls, "errors": step.errors, "callsPerSecond": step.callsPerSecond,
                    "p50Micros": step.latencyMicros(atPercentile: 50), "p99Micros": step.latencyMicros(atPercentile: 99),
                ]
                if let rate = step.targetRate { row["targetRate"] = rate }
                return row
            }
        }
        if !methods.isEmpty {
            object["methods"] = methods.map { method -> [String: Any] in
                var row: [String: Any] = [
                    "method": method.name, "calls": method.calls, "errors": method.errors, "errorsByCode": method.errorsByCode,
                    "expected": method.expected, "callsPerSecond": seconds > 0 ? Double(method.calls) / seconds : 0,
                    "maxMicros": Double(method.histogram.max),
                ]
                for percentile in Self.reportedPercentiles {
                    row["p\(Self.name(percentile))Micros"] = method.latencyMicros(atPercentile: percentile)
                }
                return row
            }
        }
        for percentile in Self.reportedPercentiles {
            object["p\(Self.name(percentile))Micros"] = latencyMicros(atPercentile: percentile)
        }
        return object
    }

    static let csvPercentiles: [Double] = [50, 90, 95, 99, 99.9]

    /// One header line and one row.
    public func csv() -> String {
        let header = ["method", "target", "concurrency", "connections", "calls", "errors", "expected", "seconds", "calls_per_second", "min_us", "mean_us"]
            + Self.csvPercentiles.map { "p\(Self.name($0))_us" } + ["max_us"]
        let row = [method, target, "\(concurrency)", "\(connections)", "\(calls)", "\(errors)", "\(expected)", String(format: "%.3f", seconds),
                   String(format: "%.1f", callsPerSecond), String(format: "%.0f", minMicros), String(format: "%.0f", meanMicros)]
            + Self.csvPercentiles.map { String(format: "%.0f", latencyMicros(atPercentile: $0)) } + [String(format: "%.0f", maxMicros)]
        return header.joined(separator: ",") + "\n" + row.joined(separator: ",")
    }

    /// Right-aligned in `width` columns (String(format:) does not pad `%@`).
    static func right(_ text: String, _ width: Int) -> String {
        String(repeating: " ", count: max(0, width - text.count)) + text
    }

    static func name(_ percentile: Double) -> String {
        percentile == percentile.rounded() ? String(Int(percentile)) : String(percentile)
    }

    public static func format(_ micros: Double) -> String {
        if micros >= 1_000_000 { return String(format: "%.2fs", micros / 1_000_000) }
        if micros >= 1000 { return String(format: "%.2fms", micros / 1000) }
        return String(format: "%.0fµs", micros)
    }
}
