import ArgumentParser
import Foundation
import RPCBenchmarkKit

/// The raw echo, this project's RPC and grpc-swift-2, run one after another in one process
/// with the same load loop, thread layout and payload bytes, so their ratios can be trusted
/// even on a machine whose absolute speed moves from minute to minute.
@main
struct GRPCCompare: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grpc-compare",
        abstract: "Unary echo over loopback: raw SwiftNIO (the ceiling), this RPC over TCP, grpc-swift-2 over HTTP/2."
    )

    @Option(help: "Concurrent calls in flight, comma-separated.")
    var concurrency: String = "1,64"

    @Option(help: "Seconds measured per system and concurrency.")
    var duration: Double = 5

    @Option(help: "Seconds of warm-up before each measurement.")
    var warmup: Double = 1

    @Option(help: "Payload bytes per call (the same bytes for every system).")
    var payload: Int = 64

    @Flag(help: "Run gRPC's callers on Swift's global executor, not the client's event loop.")
    var grpcGlobalExecutor = false

    @Option(help: "Rounds per concurrency, each running raw, rpc and grpc in turn so a change in the host's speed falls on all three; figures are the medians, and 6 or more rounds give the ratios 95 % intervals and the goals a verdict.")
    var rounds: Int = 1

    func run() async throws {
        let levels = concurrency.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !levels.isEmpty, levels.allSatisfy({ $0 > 0 }) else {
            throw ValidationError("--concurrency takes positive numbers, e.g. 1,64")
        }
        let settings = EchoBenchmark.Settings(
            payloadSize: payload,
            warmup: .milliseconds(Int(warmup * 1000)),
            duration: .milliseconds(Int(duration * 1000))
        )
        guard rounds > 0 else { throw ValidationError("--rounds takes a positive number") }
        let roundsNote = rounds > 1 ? "; \(rounds) rounds taken in turn, medians" : ""
        say("Unary echo, \(payload)-byte payload, loopback, one connection; \(duration) s measured after \(warmup) s warm-up\(roundsNote)")
        say(pad("system", 8) + pad("concurrent", 12) + pad("calls/s", 12) + pad("p50 µs", 10) + pad("p99 µs", 10) + "errors")
        var overRaw: [Int: [Double]] = [:]
        var overGRPC: [Int: [Double]] = [:]
        for level in levels {
            var runs: [EchoBenchmark.System: [EchoBenchmark.Result]] = [:]
            for _ in 0..<rounds {
                for system in [EchoBenchmark.System.raw, .rpc, .grpc] {
                    let result = system == .grpc
                        ? try await GRPCEcho.run(concurrency: level, settings: settings, globalExecutor: grpcGlobalExecutor)
                        : try await EchoBenchmark.run(system, concurrency: level, settings: settings)
                    runs[system, default: []].append(result)
                    // Printed as each finishes, so a run that fails late still shows what it measured.
                    row(result)
                }
                if let raw = runs[.raw]?.last, let rpc = runs[.rpc]?.last, let grpc = runs[.grpc]?.last {
                    overRaw[level, default: []].append(rpc.callsPerSecond / raw.callsPerSecond)
                    overGRPC[level, default: []].append(rpc.callsPerSecond / grpc.callsPerSecond)
                }
            }
            if rounds > 1 {
                say("medians of \(rounds) rounds at \(level) concurrent:")
                for system in [EchoBenchmark.System.raw, .rpc, .grpc] {
                    row(EchoBenchmark.Result.median(of: runs[system] ?? []))
                }
            }
        }
        for level in levels {
            guard let raw = overRaw[level], let grpc = overGRPC[level] else { continue }
            let vsRaw = RatioSummary(raw)
            let vsGRPC = RatioSummary(grpc)
            say(String(format: "At %d concurrent: rpc / grpc = %.1f×, rpc / raw = %.0f %%", level, vsGRPC.median, 100 * vsRaw.median))
            if rounds > 1 {
                say("  rpc / raw per round: " + raw.map { String(format: "%.0f", 100 * $0) }.joined(separator: ", ") + " %; " + vsRaw.description)
            }
            if level == 64 {
                say("Goals at 64: rpc / grpc ≥ 3× \(vsGRPC.verdict(atLeast: 3).rawValue); rpc / raw ≥ 70 % \(vsRaw.verdict(atLeast: 0.7).rawValue)"
                    + (vsRaw.interval == nil ? " (a verdict needs --rounds 6 or more)" : ""))
            }
        }
    }

    private func row(_ result: EchoBenchmark.Result) {
        say(
            pad(result.system.rawValue, 8) + pad("\(result.concurrency)", 12)
                + pad(String(format: "%.0f", result.callsPerSecond), 12)
                + pad(String(format: "%.0f", result.p50Micros), 10)
                + pad(String(format: "%.0f", result.p99Micros), 10)
                + "\(result.errors)"
        )
    }

    /// Unbuffered even into a pipe, so rows interleave in order with the servers' log lines.
    private func say(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    private func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }
}
