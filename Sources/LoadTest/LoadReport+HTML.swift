import Foundation
import Histogram

/// A report people look at: one self-contained page (no network, no scripts) with the
/// latency histogram, latency percentiles and throughput over time as inline SVG, and the
/// status, per-method and per-step tables.
extension LoadReport {
    public func html() -> String {
        var body = """
            <h1>\(Self.escaped(method))</h1>
            <p class="lead">\(Self.escaped(target)) · \(concurrency) concurrent over \(connections) connection(s)\(
                targetRate.map { String(format: " · open loop at %.0f calls/s", $0) } ?? "")\(
                rateSchedule.map { " · rate \(Self.escaped($0.description))" } ?? "")\(
                concurrencySchedule.map { " · callers \(Self.escaped($0.description))" } ?? "")</p>
            <div class="figures">
            \(Self.figure("calls", "\(calls)"))\(Self.figure("calls/s", String(format: "%.0f", callsPerSecond)))\(
                Self.figure("errors", String(format: "%d (%.2f %%)", errors, errorRate * 100)))\(
                Self.figure("p50", Self.format(latencyMicros(atPercentile: 50))))\(Self.figure("p99", Self.format(latencyMicros(atPercentile: 99))))\(
                Self.figure("max", Self.format(maxMicros)))
            </div>
            """
        if let shortfall = rateShortfall {
            body += String(format: "<p class=\"warning\">Reached %.0f calls/s of the %.0f requested: the latencies are those of a lower load.</p>",
                           shortfall.achieved, shortfall.requested)
        }
        if interrupted { body += "<p class=\"warning\">Interrupted: the report covers what ran.</p>" }
        body += "<h2>Latency histogram</h2>" + histogramChart()
        body += "<h2>Latency over time</h2>" + lineChart(
            series: [("p50", "#2b6cb0", timeSeries.map(\.p50Micros)), ("p99", "#c53030", timeSeries.map(\.p99Micros))],
            label: { Self.format($0) }, id: "latency-over-time"
        )
        body += "<h2>Throughput over time</h2>" + lineChart(
            series: [("calls/s", "#2f855a", timeSeries.map(\.callsPerSecond))] + (targetRate.map { rate in
                [("requested", "#718096", timeSeries.map { _ in rate })]
            } ?? []),
            label: { String(format: "%.0f", $0) }, id: "throughput-over-time"
        )
        body += "<h2>Status</h2><table id=\"status\"><tr><th>status</th><th>count</th><th>share</th><th>sample message</th></tr>"
        for row in statusRows() {
            body += String(format: "<tr><td>%@</td><td>%d</td><td>%.2f %%</td><td>%@</td></tr>", Self.escaped(row.status), row.count,
                           calls > 0 ? Double(row.count) / Double(calls) * 100 : 0, Self.escaped(row.sample))
        }
        body += "</table>"
        body += "<h2>Latency</h2><table><tr><th>min</th><th>mean</th>"
            + Self.reportedPercentiles.map { "<th>p\(Self.name($0))</th>" }.joined() + "<th>max</th></tr><tr><td>\(Self.format(minMicros))</td><td>\(Self.format(meanMicros))</td>"
            + Self.reportedPercentiles.map { "<td>\(Self.format(latencyMicros(atPercentile: $0)))</td>" }.joined() + "<td>\(Self.format(maxMicros))</td></tr></table>"
        if !methods.isEmpty {
            body += "<h2>Per method</h2><table id=\"methods\"><tr><th>method</th><th>calls</th><th>calls/s</th><th>errors</th><th>p50</th><th>p99</th><th>p99.9</th><th>max</th></tr>"
            for method in methods {
                body += "<tr><td>\(Self.escaped(method.name))</td><td>\(method.calls)</td><td>"
                    + String(format: "%.0f", seconds > 0 ? Double(method.calls) / seconds : 0) + "</td><td>\(method.errors)</td><td>"
                    + [50, 99, 99.9].map { Self.format(method.latencyMicros(atPercentile: $0)) }.joined(separator: "</td><td>")
                    + "</td><td>\(Self.format(Double(method.histogram.max)))</td></tr>"
            }
            body += "</table>"
        }
        if !steps.isEmpty {
            body += "<h2>Steps</h2><table id=\"steps\"><tr><th>step</th><th>from</th><th>target/s</th><th>callers</th><th>calls/s</th><th>errors</th><th>p50</th><th>p99</th></tr>"
            for step in steps {
                body += String(format: "<tr><td>%d</td><td>%.0f s</td><td>%@</td><td>%d</td><td>%.0f</td><td>%d</td><td>%@</td><td>%@</td></tr>",
                               step.index + 1, step.startSeconds, step.targetRate.map { String(format: "%.0f", $0) } ?? "–", step.concurrency,
                               step.callsPerSecond, step.errors, Self.format(step.latencyMicros(atPercentile: 50)), Self.format(step.latencyMicros(atPercentile: 99)))
            }
            body += "</table>"
        }
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>crm-load: \(Self.escaped(method))</title>
            <style>
            body { font: 14px/1.4 system-ui, sans-serif; margin: 24px auto; max-width: 960px; color: #1a202c; }
            h1 { font-size: 20px; margin: 0 } h2 { font-size: 16px; margin: 28px 0 8px }
            .lead { color: #4a5568 } .warning { background: #fffbeb; border-left: 4px solid #d69e2e; padding: 8px 12px }
            .figures { display: flex; gap: 12px; flex-wrap: wrap } .figure { border: 1px solid #e2e8f0; border-radius: 6px; padding: 8px 14px }
            .figure b { display: block; font-size: 20px } table { border-collapse: collapse } td, th { border-bottom: 1px solid #e2e8f0; padding: 4px 10px; text-align: right }
            td:first-child, th:first-child, td:last-child { text-align: left } svg text { font: 11px system-ui, sans-serif; fill: #4a5568 }
            </style></head><body>
            \(body)
            </body></html>
            """
    }

    private static func figure(_ name: String, _ value: String) -> String {
        "<div class=\"figure\">\(escaped(name))<b>\(escaped(value))</b></div>"
    }

    static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    private static let width = 900.0, height = 260.0, left = 70.0, bottom = 40.0, top = 12.0

    /// Bars over the doubling buckets of the text report, one per bucket.
    func histogramChart() -> String {
        let rows = buckets()
        guard !rows.isEmpty else { return "<p>No calls measured.</p>" }
        let plotWidth = Self.width - Self.left - 10, plotHeight = Self.height - Self.bottom - Self.top
        let largest = Double(rows.map(\.count).max() ?? 1)
        let barWidth = plotWidth / Double(rows.count)
        var svg = "<svg id=\"latency-histogram\" width=\"\(Int(Self.width))\" height=\"\(Int(Self.height))\" viewBox=\"0 0 \(Int(Self.width)) \(Int(Self.height))\">"
        svg += axes(yLabel: "\(Int(largest))")
        for (index, row) in rows.enumerated() {
            let barHeight = max(1, Double(row.count) / largest * plotHeight)
            let x = Self.left + Double(index) * barWidth
            svg += String(format: "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#4299e1\"><title>%@–%@: %d</title></rect>",
                          x + 2, Self.top + plotHeight - barHeight, max(1, barWidth - 4), barHeight,
                          Self.format(Double(row.lower)), Self.format(Double(row.upper)), Int(row.count))
            svg += String(format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%@</text>", x + barWidth / 2, Self.height - Self.bottom + 16,
                          Self.escaped(Self.format(Double(row.lower))))
        }
        return svg + "</svg>"
    }

    /// Lines over the per-second time series.
    func lineChart(series: [(name: String, color: String, values: [Double])], label: (Double) -> String, id: String) -> String {
        let points = timeSeries.map(\.endSeconds)
        guard points.count >= 1 else { return "<p>The run was too short for a time series.</p>" }
        let plotWidth = Self.width - Self.left - 10, plotHeight = Self.height - Self.bottom - Self.top
        let largest = max(series.flatMap(\.values).max() ?? 1, 1)
        let lastSecond = max(points.last ?? 1, 1)
        var svg = "<svg id=\"\(id)\" width=\"\(Int(Self.width))\" height=\"\(Int(Self.height))\" viewBox=\"0 0 \(Int(Self.width)) \(Int(Self.height))\">"
        svg += axes(yLabel: label(largest))
        svg += String(format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%.0f s</text>", Self.width - 10, Self.height - Self.bottom + 16, lastSecond)
        for (index, line) in series.enumerated() {
            let coordinates = zip(points, line.values).map { second, value in
                String(format: "%.1f,%.1f", Self.left + second / lastSecond * plotWidth, Self.top + plotHeight - value / largest * plotHeight)
            }
            let start = points.count == 1 ? [String(format: "%.1f,%.1f", Self.left, Self.top + plotHeight - line.values[0] / largest * plotHeight)] : []
            svg += "<polyline class=\"series\" fill=\"none\" stroke=\"\(line.color)\" stroke-width=\"2\" points=\"\((start + coordinates).joined(separator: " "))\"/>"
            svg += String(format: "<text x=\"%.1f\" y=\"%.1f\" style=\"fill:%@\">%@</text>", Self.left + 10 + Double(index) * 90, Self.top + 12, line.color, Self.escaped(line.name))
        }
        return svg + "</svg>"
    }

    private func axes(yLabel: String) -> String {
        let plotBottom = Self.height - Self.bottom
        return String(format: "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"#a0aec0\"/>", Self.left, Self.top, Self.left, plotBottom)
            + String(format: "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"#a0aec0\"/>", Self.left, plotBottom, Self.width - 10, plotBottom)
            + String(format: "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"end\">%@</text>", Self.left - 6, Self.top + 10, Self.escaped(yLabel))
            + String(format: "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"end\">0</text>", Self.left - 6, plotBottom)
    }
}
