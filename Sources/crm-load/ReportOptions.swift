import ArgumentParser
import Foundation
import LoadTest

/// Where the report goes and what fails the run — the same for `run` and `mix`.
struct ReportOptions: ParsableArguments {
    @Option(help: "text, json, csv or html (a self-contained page with charts).")
    var format: String = "text"

    @Option(help: "Write the report to this file instead of standard output.")
    var output: String?

    @Option(help: "Also write one CSV row per measured call (start, latency, status, method) to this file.")
    var csvPerCall: String?

    @Option(help: "Fail (exit 2) when true, e.g. 'p99>5ms', 'error-rate>1%', 'rps<1000'. Repeatable.")
    var failIf: [String] = []

    @Option(help: "Fail (exit 2) when the share of errors (codes the scenario does not expect) exceeds this, e.g. 0, 0.5%, 2%.")
    var maxErrors: String = "0%"

    func validate() throws {
        guard ["text", "json", "csv", "html"].contains(format) else { throw ValidationError("--format is text, json, csv or html") }
        _ = try conditions()
        _ = try maxErrorShare()
    }

    func conditions() throws -> [FailCondition] {
        try failIf.map { try FailCondition(parsing: $0) }
    }

    /// `0`, `0.5%`, `2%` as a fraction of calls.
    func maxErrorShare() throws -> Double {
        let text = maxErrors.trimmingCharacters(in: .whitespaces)
        let percent: Double? = text.hasSuffix("%") ? Double(text.dropLast()) : Double(text)
        guard let percent, percent >= 0, percent <= 100 else { throw ValidationError("--max-errors is a percentage, e.g. 0, 0.5%, 2%") }
        return percent / 100
    }
}

/// Runs the plan the way a person at a terminal expects: a progress line per second on
/// standard error, the report at the end, Ctrl-C stopping the run and still reporting
/// (exit 130), a failed preflight reported with the server's answer (exit 3), and a run
/// that broke a bound failing (exit 2).
func execute(_ plan: LoadRunner.Plan, report options: ReportOptions) async throws {
    var plan = plan
    plan.recordCalls = options.csvPerCall != nil
    let runner = LoadRunner(plan)
    let running = Task { try await runner.run { progress in
        // What the last second did, not the run so far: a stall shows in the line it happens.
        let line = String(format: "%5.0fs  %8.0f calls/s  errors %d  p50 %@  p99 %@  (total %d)\n",
                          Double(progress.elapsed.components.seconds), progress.callsPerSecond, progress.errors,
                          LoadReport.format(progress.p50Micros), LoadReport.format(progress.p99Micros), progress.totalCalls)
        FileHandle.standardError.write(Data(line.utf8))
    } }
    signal(SIGINT, SIG_IGN)
    let interrupt = DispatchSource.makeSignalSource(signal: SIGINT)
    interrupt.setEventHandler { running.cancel() }
    interrupt.resume()
    defer { interrupt.cancel() }
    let report: LoadReport
    do {
        report = try await running.value
    } catch let error as PreflightError {
        FileHandle.standardError.write(Data("\(error)\n".utf8))
        throw ExitCode(3)
    }

    let text: String
    switch options.format {
    case "json": text = try report.json()
    case "csv": text = report.csv()
    case "html": text = report.html()
    default: text = report.text()
    }
    if let output = options.output {
        try Data((text + "\n").utf8).write(to: URL(fileURLWithPath: output))
        FileHandle.standardError.write(Data("report written to \(output)\n".utf8))
    } else {
        print(text)
    }
    if let path = options.csvPerCall {
        try Data(report.callsCSV().utf8).write(to: URL(fileURLWithPath: path))
    }
    // As a shell expects of a program stopped by Ctrl-C (128 + SIGINT), after the report.
    if report.interrupted { throw ExitCode(130) }
    var broken = try options.conditions().filter { $0.isViolated(by: report) }.map(\.description)
    if report.errorRate > (try options.maxErrorShare()) {
        broken.append(String(format: "errors %.2f %% > --max-errors %@", report.errorRate * 100, options.maxErrors))
    }
    if let shortfall = report.rateShortfall {
        FileHandle.standardError.write(Data(String(
            format: "WARNING: reached %.0f calls/s of the %.0f requested\n", shortfall.achieved, shortfall.requested
        ).utf8))
    }
    if !broken.isEmpty {
        FileHandle.standardError.write(Data("FAILED: \(broken.joined(separator: ", "))\n".utf8))
        throw ExitCode(2)
    }
}
