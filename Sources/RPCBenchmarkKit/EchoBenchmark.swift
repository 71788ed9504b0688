import Histogram
import NIOCore
import NIOPosix
import RPCCore
import Synchronization

/// Unary echo over loopback in one process: the RPC beside the raw SwiftNIO echo.
public enum EchoBenchmark {
    public enum System: String, Sendable, CaseIterable, Codable {
        /// This project's RPC over its TCP transport.
        case rpc
        /// A raw SwiftNIO length-prefixed echo: the ceiling.
        case raw
        /// The RPC over TLS 1.3 (`TLSCredentials`, a P-256 certificate from a CA made for the run).
        case rpcTLS = "rpc-tls"
        /// The raw echo over the same TLS: the ceiling with TLS.
        case rawTLS = "raw-tls"
        /// grpc-swift-2 over HTTP/2 (only in the Benchmarks/ package, which builds gRPC).
        case grpc
    }

    public struct Settings: Sendable {
        public var payloadSize: Int
        public var warmup: Duration
        public var duration: Duration

        public init(payloadSize: Int = 64, warmup: Duration = .seconds(1), duration: Duration = .seconds(5)) {
            self.payloadSize = payloadSize
            self.warmup = warmup
            self.duration = duration
        }
    }

    public struct Result: Sendable, Codable {
        public var system: System
        public var concurrency: Int
        public var calls: Int
        public var errors: Int
        public var seconds: Double
        public var callsPerSecond: Double
        public var p50Micros: Double
        public var p90Micros: Double
        public var p99Micros: Double
        public var maxMicros: Double
    }

    /// Server and client each get one event-loop thread, as two processes on this 2-core
    /// machine would; both systems run on the same layout.
    public static func run(_ system: System, concurrency: Int, settings: Settings) async throws -> Result {
        let serverGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let clientGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let result = try await run(system, concurrency: concurrency, settings: settings, serverGroup: serverGroup, clientGroup: clientGroup)
        try? await serverGroup.shutdownGracefully()
        try? await clientGroup.shutdownGracefully()
        return result
    }

    private static func run(
        _ system: System, concurrency: Int, settings: Settings,
        serverGroup: MultiThreadedEventLoopGroup, clientGroup: MultiThreadedEventLoopGroup
    ) async throws -> Result {
        switch system {
        case .raw:
            let server = try await RawEchoServer.start(group: serverGroup)
            let client = try await RawEchoClient(port: server.localAddress?.port ?? 0, group: clientGroup)
            let result = try await drive(client, system: system, concurrency: concurrency, settings: settings)
            await client.close()
            try? await server.close()
            return result
        case .grpc:
            throw BenchmarkError("gRPC runs only from the Benchmarks/ package (swift run -c release --package-path Benchmarks grpc-compare)")
        case .rawTLS:
            let tls = try BenchmarkTLS.shared()
            let server = try await RawEchoServer.start(group: serverGroup, tls: tls.rawServer)
            let client = try await RawEchoClient(port: server.localAddress?.port ?? 0, group: clientGroup, tls: tls.rawClient)
            let result = try await drive(client, system: system, concurrency: concurrency, settings: settings)
            await client.close()
            try? await server.close()
            return result
        case .rpc, .rpcTLS:
            let tls = system == .rpcTLS ? try BenchmarkTLS.shared() : nil
            let (server, port, task) = try await RPCEchoServer.start(group: serverGroup, tls: tls?.server)
            let client = RPCEchoClient(port: port, group: clientGroup, tls: tls?.client)
            let result = try await drive(client, system: system, concurrency: concurrency, settings: settings)
            await client.close()
            server.beginGracefulShutdown()
            _ = await task.result
            return result
        }
    }

    /// The load loop every system is measured with: `concurrency` Tasks on the caller's
    /// executor, each making one call after another; warm-up, then a measured window.
    public static func drive(_ caller: some EchoCaller, system: System, concurrency: Int, settings: Settings) async throws -> Result {
        let payload = (0..<settings.payloadSize).map { UInt8(truncatingIfNeeded: $0) }
        let phase = Phase()
        typealias Tally = (histogram: Histogram<UInt64>, calls: Int, errors: Int)

        return try await withThrowingTaskGroup(of: Tally.self) { group in
            for _ in 0..<concurrency {
                group.addTask(executorPreference: caller.executor) {
                    var histogram = Histogram<UInt64>(highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .three)
                    var calls = 0
                    var errors = 0
                    while true {
                        let current = phase.value.load(ordering: .relaxed)
                        if current == 2 { break }
                        let start = ContinuousClock.now
                        do {
                            try await caller.call(payload)
                        } catch {
                            errors += 1
                        }
                        if current == 1 {
                            let elapsed = ContinuousClock.now - start
                            let (seconds, attoseconds) = elapsed.components
                            _ = histogram.record(UInt64(seconds * 1_000_000_000 + attoseconds / 1_000_000_000))
                            calls += 1
                        }
                    }
                    return (histogram, calls, errors)
                }
            }
            try await Task.sleep(for: settings.warmup)
            let start = ContinuousClock.now
            phase.value.store(1, ordering: .relaxed)
            try await Task.sleep(for: settings.duration)
            phase.value.store(2, ordering: .relaxed)
            let elapsed = ContinuousClock.now - start
            var merged = Histogram<UInt64>(highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .three)
            var calls = 0
            var errors = 0
            for try await tally in group {
                merged.add(tally.histogram)
                calls += tally.calls
                errors += tally.errors
            }
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            return Result(
                system: system,
                concurrency: concurrency,
                calls: calls,
                errors: errors,
                seconds: seconds,
                callsPerSecond: Double(calls) / seconds,
                p50Micros: Double(merged.valueAtPercentile(50)) / 1000,
                p90Micros: Double(merged.valueAtPercentile(90)) / 1000,
                p99Micros: Double(merged.valueAtPercentile(99)) / 1000,
                maxMicros: Double(merged.max) / 1000
            )
        }
    }
}

/// 0 warm-up, 1 measuring, 2 stop: read by every caller between calls.
private final class Phase: Sendable {
    let value = Atomic<Int>(0)
}

public struct BenchmarkError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

extension EchoBenchmark.Result {
    /// Calls/s and latencies are the runs' medians, each taken separately; calls, errors and
    /// seconds are the runs' sums; max is the largest.
    public static func median(of runs: [EchoBenchmark.Result]) -> EchoBenchmark.Result {
        precondition(!runs.isEmpty, "no runs to summarise")
        func middle(_ value: (EchoBenchmark.Result) -> Double) -> Double {
            let sorted = runs.map(value).sorted()
            return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
        }
        var result = runs[0]
        result.calls = runs.map(\.calls).reduce(0, +)
        result.errors = runs.map(\.errors).reduce(0, +)
        result.seconds = runs.map(\.seconds).reduce(0, +)
        result.callsPerSecond = middle(\.callsPerSecond)
        result.p50Micros = middle(\.p50Micros)
        result.p90Micros = middle(\.p90Micros)
        result.p99Micros = middle(\.p99Micros)
        result.maxMicros = runs.map(\.maxMicros).max() ?? 0
        return result
    }
}
