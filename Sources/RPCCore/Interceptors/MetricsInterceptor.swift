public import CoreMetrics
import Metrics
import Synchronization

/// Counts calls by method and status code and times them, through swift-metrics, so any
/// backend (Prometheus in the services) can export them.
///
/// - `rpc_server_calls_total{method, code}`: calls and, by code, errors;
/// - `rpc_server_call_duration_seconds{method}`: latency;
/// - `rpc_server_calls_in_flight`: calls running now.
public final class MetricsInterceptor: ServerInterceptor {
    private struct Key: Hashable {
        var method: String
        var code: StatusCode
    }

    private let factory: any MetricsFactory
    private let counters = Mutex<[Key: Counter]>([:])
    private let timers = Mutex<[String: Metrics.Timer]>([:])
    private let inFlight: Gauge
    private let running = Atomic<Int>(0)

    /// `factory`: where the metrics go; the process-wide one unless a test passes its own.
    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        self.factory = factory
        self.inFlight = Gauge(label: "rpc_server_calls_in_flight", factory: factory)
    }

    public func intercept(
        request: RPCRequestParts,
        context: ServerContext,
        next: @Sendable (RPCRequestParts, ServerContext) async throws -> RPCResponseParts
    ) async throws -> RPCResponseParts {
        let method = context.descriptor.fullName
        inFlight.record(running.add(1, ordering: .relaxed).newValue)
        let start = ContinuousClock.now
        defer { inFlight.record(running.subtract(1, ordering: .relaxed).newValue) }
        let response: RPCResponseParts
        do {
            response = try await next(request, context)
        } catch {
            response = .failure(RPCError.converting(error, context: context))
        }
        let code: StatusCode
        switch response.result {
        case .success: code = .ok
        case .failure(let error): code = error.code
        }
        timer(for: method).recordNanoseconds((ContinuousClock.now - start).nanoseconds)
        counter(for: Key(method: method, code: code)).increment()
        return response
    }

    private func counter(for key: Key) -> Counter {
        counters.withLock { counters in
            if let counter = counters[key] { return counter }
            let counter = Counter(
                label: "rpc_server_calls_total",
                dimensions: [("method", key.method), ("code", "\(key.code)")],
                factory: factory
            )
            counters[key] = counter
            return counter
        }
    }

    private func timer(for method: String) -> Metrics.Timer {
        timers.withLock { timers in
            if let timer = timers[method] { return timer }
            let timer = Metrics.Timer(
                label: "rpc_server_call_duration_seconds",
                dimensions: [("method", method)],
                preferredDisplayUnit: .seconds,
                factory: factory
            )
            timers[method] = timer
            return timer
        }
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
