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

    public var errors: Int { errorsByCode.values.reduce(0, +) }
    public var callsPerSecond: Double { seconds > 0 ? Double(calls) / seconds : 0 }
    public var errorRate: Double { calls > 0 ? Double(errors) / Double(calls) : 0 }
    public var maxMicros: Double { Double(histogram.max) }

    public func latencyMicros(atPercentile percentile: Double) -> Double {
        histogram.totalCount == 0 ? 0 : Double(histogram.valueAtPercentile(percentile))
    }

    static let reportedPercentiles: [Double] = [50, 90, 99, 99.9]

    /// For people: counts, rate, errors by code, percentiles and a histogram as text bars.
    public func text() -> String {
        var lines = [
            "\(method) on \(target): \(concurrency) concurrent over \(connections) connection(s)"
                + (targetRate.map { String(format: ", open loop at %.0f calls/s (latency from when each call was due)", $0) } ?? ""),
            String(format: "calls %d in %.2f s: %.0f calls/s%@", calls, seconds, callsPerSecond, interrupted ? " (interrupted)" : ""),
            String(format: "errors %d (%.2f %%)", errors, errorRate * 100),
        ]
        for (code, count) in errorsByCode.sorted(by: { $0.value > $1.value }) {
            lines.append("  \(code): \(count)")
        }
        lines.append("latency " + Self.reportedPercentiles.map { "p\(Self.name($0)) \(Self.format(latencyMicros(atPercentile: $0)))" }
            .joined(separator: "  ") + "  max \(Self.format(maxMicros))")
        lines.append(contentsOf: bars())
        return lines.joined(separator: "\n")
    }

    /// Latency buckets doubling in width, each with a bar as long as its share of calls.
    func bars(width: Int = 40) -> [String] {
        guard histogram.totalCount > 0 else { return [] }
        var lower: UInt64 = max(1, histogram.min)
        var rows: [(String, UInt64)] = []
        while lower <= histogram.max {
            let upper = lower * 2 - 1
            rows.append(("\(Self.format(Double(lower)))–\(Self.format(Double(upper)))", histogram.count(within: lower...upper)))
            lower *= 2
        }
        let largest = rows.map(\.1).max() ?? 1
        let labelWidth = rows.map(\.0.count).max() ?? 0
        return rows.map { label, count in
            let bar = String(repeating: "█", count: Int((Double(count) / Double(largest) * Double(width)).rounded(.up)))
            return label.padding(toLength: labelWidth, withPad: " ", startingAt: 0) + " │" + bar + " \(count)"
        }
    }

    /// For machines.
    public func json() throws -> String {
        var object: [String: Any] = [
            "method": method, "target": target, "concurrency": concurrency, "connections": connections,
            "calls": calls, "errors": errors, "errorsByCode": errorsByCode, "seconds": seconds,
            "callsPerSecond": callsPerSecond, "errorRate": errorRate, "interrupted": interrupted,
            "maxMicros": maxMicros,
        ]
        if let targetRate { object["targetRate"] = targetRate }
        for percentile in Self.reportedPercentiles {
            object["p\(Self.name(percentile))Micros"] = latencyMicros(atPercentile: percentile)
        }
        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    /// One header line and one row.
    public func csv() -> String {
        let header = ["method", "target", "concurrency", "connections", "calls", "errors", "seconds", "calls_per_second"]
            + Self.reportedPercentiles.map { "p\(Self.name($0))_us" } + ["max_us"]
        let row = [method, target, "\(concurrency)", "\(connections)", "\(calls)", "\(errors)", String(format: "%.3f", seconds),
                   String(format: "%.1f", callsPerSecond)]
            + Self.reportedPercentiles.map { String(format: "%.0f", latencyMicros(atPercentile: $0)) } + [String(format: "%.0f", maxMicros)]
        return header.joined(separator: ",") + "\n" + row.joined(separator: ",")
    }

    static func name(_ percentile: Double) -> String {
        percentile == percentile.rounded() ? String(Int(percentile)) : String(percentile)
    }

    static func format(_ micros: Double) -> String {
        if micros >= 1_000_000 { return String(format: "%.2fs", micros / 1_000_000) }
        if micros >= 1000 { return String(format: "%.2fms", micros / 1000) }
        return String(format: "%.0fµs", micros)
    }
}
