import ArgumentParser
import Foundation
import RPCBenchmarkKit

/// Prints calls/s and latency of the RPC echo beside the raw SwiftNIO echo, and their ratio.
@main
struct RPCBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rpc-bench",
        abstract: "Unary echo over loopback: this RPC beside a raw SwiftNIO length-prefixed echo (the ceiling)."
    )

    @Option(help: "Concurrent calls in flight, comma-separated.")
    var concurrency: String = "1,64"

    @Option(help: "Payload bytes per call.")
    var payload: Int = 64

    @Option(help: "Seconds of warm-up before each measurement.")
    var warmup: Double = 1

    @Option(help: "Seconds measured per system and concurrency.")
    var duration: Double = 5

    @Option(help: "Systems to run, comma-separated: raw, rpc, raw-tls, rpc-tls (the TLS rows: TLS 1.3 with a CA and certificate made for the run).")
    var systems: String = "raw,rpc"

    @Option(help: "Runs of every system per concurrency, taken in turn (raw, rpc, raw, rpc, …) so a change in the host's speed during the run falls on both; figures are the medians, each round's ratio is printed, and 6 or more rounds give the median ratio a 95 % interval and the goal a verdict.")
    var rounds: Int = 1

    @Option(help: "Output: text or json.")
    var format: String = "text"

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
        let chosen = try systems.split(separator: ",").map { name in
            guard let system = EchoBenchmark.System(rawValue: String(name)) else {
                throw ValidationError("--systems takes raw, rpc, raw-tls and/or rpc-tls")
            }
            return system
        }
        guard rounds > 0 else { throw ValidationError("--rounds takes a positive number") }
        var results: [EchoBenchmark.Result] = []
        // Each ratio: numerator, denominator; a round's ratio needs both in that round.
        let pairs: [(EchoBenchmark.System, EchoBenchmark.System)] = [(.rpc, .raw), (.rpcTLS, .rawTLS), (.rawTLS, .raw), (.rpcTLS, .rpc)]
        var roundRatios: [String: [Double]] = [:]
        for level in levels {
            var runs: [EchoBenchmark.System: [EchoBenchmark.Result]] = [:]
            for _ in 0..<rounds {
                for system in chosen {
                    runs[system, default: []].append(try await EchoBenchmark.run(system, concurrency: level, settings: settings))
                }
                for (top, bottom) in pairs {
                    if let top = runs[top]?.last, let bottom = runs[bottom]?.last {
                        roundRatios["\(level) \(top.system) \(bottom.system)", default: []].append(top.callsPerSecond / bottom.callsPerSecond)
                    }
                }
            }
            for system in chosen {
                results.append(EchoBenchmark.Result.median(of: runs[system] ?? []))
            }
        }
        if format == "json" {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(results), as: UTF8.self))
            return
        }
        let roundsNote = rounds > 1 ? "; median of \(rounds) rounds taken in turn" : ""
        print("Unary echo, \(payload)-byte payload, loopback, one connection; \(duration) s measured after \(warmup) s warm-up\(roundsNote)")
        print(pad("system", 9) + pad("concurrent", 12) + pad("calls/s", 12) + pad("p50 µs", 10) + pad("p90 µs", 10) + pad("p99 µs", 10) + pad("max µs", 10) + "errors")
        for result in results {
            print(
                pad(result.system.rawValue, 9) + pad("\(result.concurrency)", 12)
                    + pad(String(format: "%.0f", result.callsPerSecond), 12)
                    + pad(String(format: "%.0f", result.p50Micros), 10)
                    + pad(String(format: "%.0f", result.p90Micros), 10)
                    + pad(String(format: "%.0f", result.p99Micros), 10)
                    + pad(String(format: "%.0f", result.maxMicros), 10)
                    + "\(result.errors)"
            )
        }
        for level in levels {
            for (topSystem, bottomSystem) in pairs {
                guard let bottom = results.first(where: { $0.system == bottomSystem && $0.concurrency == level }),
                      let top = results.first(where: { $0.system == topSystem && $0.concurrency == level }) else { continue }
                let percent = String(format: "%.0f", 100 * top.callsPerSecond / bottom.callsPerSecond)
                print("\(topSystem.rawValue) / \(bottomSystem.rawValue) at \(level) concurrent: \(percent) % of \(bottomSystem.rawValue)'s calls/s")
                guard let ratios = roundRatios["\(level) \(topSystem) \(bottomSystem)"], ratios.count > 1 else { continue }
                let summary = RatioSummary(ratios)
                let listed = ratios.map { String(format: "%.0f", 100 * $0) }.joined(separator: ", ")
                print("  per round: \(listed) %; \(summary.description)")
                if level == 64, topSystem == .rpc, bottomSystem == .raw {
                    print("Goal at 64 (the RPC at ≥ 70 % of the raw echo): \(Self.say(summary.verdict(atLeast: 0.7)))")
                }
            }
        }
    }

    static func say(_ verdict: RatioSummary.Verdict) -> String {
        switch verdict {
        case .met: "met (the whole interval is at or above it)"
        case .notMet: "not met (the whole interval is below it)"
        case .undecided: "undecided (the interval spans it; more rounds narrow it)"
        }
    }

    private func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }
}
