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
        say("Unary echo, \(payload)-byte payload, loopback, one connection; \(duration) s measured after \(warmup) s warm-up")
        say(pad("system", 8) + pad("concurrent", 12) + pad("calls/s", 12) + pad("p50 µs", 10) + pad("p99 µs", 10) + "errors")
        var results: [EchoBenchmark.Result] = []
        for level in levels {
            for system in [EchoBenchmark.System.raw, .rpc, .grpc] {
                let result = system == .grpc
                    ? try await GRPCEcho.run(concurrency: level, settings: settings, globalExecutor: grpcGlobalExecutor)
                    : try await EchoBenchmark.run(system, concurrency: level, settings: settings)
                results.append(result)
                // Printed as each finishes, so a run that fails late still shows what it measured.
                say(
                    pad(system.rawValue, 8) + pad("\(level)", 12)
                        + pad(String(format: "%.0f", result.callsPerSecond), 12)
                        + pad(String(format: "%.0f", result.p50Micros), 10)
                        + pad(String(format: "%.0f", result.p99Micros), 10)
                        + "\(result.errors)"
                )
            }
        }
        func rate(_ system: EchoBenchmark.System, _ level: Int) -> Double? {
            results.first { $0.system == system && $0.concurrency == level }?.callsPerSecond
        }
        for level in levels {
            guard let raw = rate(.raw, level), let rpc = rate(.rpc, level), let grpc = rate(.grpc, level) else { continue }
            say(String(format: "At %d concurrent: rpc / grpc = %.1f×, rpc / raw = %.0f %%", level, rpc / grpc, 100 * rpc / raw))
        }
        if let raw = rate(.raw, 64), let rpc = rate(.rpc, 64), let grpc = rate(.grpc, 64) {
            say("Goals at 64: rpc / grpc ≥ 3× " + (rpc / grpc >= 3 ? "met" : "NOT met")
                  + "; rpc / raw ≥ 70 % " + (rpc / raw >= 0.7 ? "met" : "NOT met"))
        }
    }

    /// Unbuffered even into a pipe, so rows interleave in order with the servers' log lines.
    private func say(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    private func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }
}
