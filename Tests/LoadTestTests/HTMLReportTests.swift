import Foundation
import Histogram
@testable import LoadTest
import Testing

/// The HTML report drawn by a real browser: headless Chromium loads the page from a file
/// (no network), and the charts are in the DOM it built and on the screenshot it took.
@Suite("HTML report in Chromium", .serialized)
struct HTMLReportTests {
    static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }
    /// CI sets CRM_REQUIRE_CHROMIUM=1: there a missing browser fails the test instead of skipping it.
    static let required = ProcessInfo.processInfo.environment["CRM_REQUIRE_CHROMIUM"] == "1"

    static func sampleReport() -> LoadReport {
        var histogram = Histogram<UInt64>(highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .three)
        for value in [80, 95, 120, 150, 300, 450, 900, 2_000, 9_000] as [UInt64] {
            for _ in 0..<Int(10_000 / value) { _ = histogram.record(value) }
        }
        var report = LoadReport(
            method: "mix", target: "registry 127.0.0.1:7101", concurrency: 64, connections: 2, targetRate: 3000,
            calls: Int(histogram.totalCount), errorsByCode: ["DEADLINE_EXCEEDED": 3], seconds: 5, interrupted: false, histogram: histogram
        )
        report.errorSamples = ["DEADLINE_EXCEEDED": "Истёк срок <вызова>"]
        report.expectedByName = ["slot full (RESOURCE_EXHAUSTED)": 7]
        report.timeSeries = (1...5).map { (second: Int) -> LoadReport.Interval in
            let x = Double(second)
            return LoadReport.Interval(
                endSeconds: x, calls: 3000, errors: 0, callsPerSecond: 2900 + x * 20, p50Micros: 400 + x * 10, p99Micros: 2000 + x * 300,
                maxMicros: 9000
            )
        }
        report.methods = [LoadReport.Method(name: "registry.get-card", calls: 100, errorsByCode: [:], expected: 0, histogram: histogram)]
        return report
    }

    func browser(_ arguments: [String]) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.chromium!)
        process.arguments = ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--user-data-dir=\(NSTemporaryDirectory())crm-chromium-\(UUID().uuidString)"] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return data
    }

    @Test("the page draws the histogram, both time charts and the tables", .enabled(if: chromium != nil || required))
    func chartsDraw() throws {
        guard Self.chromium != nil else {
            Issue.record("CRM_REQUIRE_CHROMIUM=1 but chromium is missing (apt-get install chromium)")
            return
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("crm-html-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let page = directory.appendingPathComponent("report.html")
        try Data(Self.sampleReport().html().utf8).write(to: page)

        let dom = String(decoding: try browser(["--dump-dom", page.absoluteString]), as: UTF8.self)
        #expect(dom.contains("<svg id=\"latency-histogram\""))
        #expect(dom.components(separatedBy: "class=\"bar\"").count - 1 >= 5, "one bar per latency bucket")
        #expect(dom.contains("<svg id=\"latency-over-time\""))
        #expect(dom.contains("<svg id=\"throughput-over-time\""))
        #expect(dom.components(separatedBy: "class=\"series\"").count - 1 == 4, "p50, p99, calls/s and the requested rate")
        #expect(dom.contains("Истёк срок &lt;вызова&gt;"), "sample messages are escaped, not markup")
        #expect(dom.contains("expected: slot full"))
        #expect(dom.contains("registry.get-card"))

        // A screenshot of the report holds far more than one of an empty page.
        let shot = directory.appendingPathComponent("report.png"), blankShot = directory.appendingPathComponent("blank.png")
        let blank = directory.appendingPathComponent("blank.html")
        try Data("<!DOCTYPE html><html><body></body></html>".utf8).write(to: blank)
        _ = try browser(["--screenshot=\(shot.path)", "--window-size=1000,1400", page.absoluteString])
        _ = try browser(["--screenshot=\(blankShot.path)", "--window-size=1000,1400", blank.absoluteString])
        let size = try #require(try FileManager.default.attributesOfItem(atPath: shot.path)[.size] as? Int)
        let blankSize = try #require(try FileManager.default.attributesOfItem(atPath: blankShot.path)[.size] as? Int)
        #expect(size > blankSize * 5, "report \(size) bytes, blank page \(blankSize) bytes")
    }
}
