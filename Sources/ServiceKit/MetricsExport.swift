import CoreMetrics
import RPCCore
import HTTPEndpoint
import Logging
public import Prometheus
import ServiceLifecycle

/// The process's metrics backend: swift-prometheus behind swift-metrics, so every Counter,
/// Timer and Gauge the code records (RPC calls by method and code, latency, connections,
/// the SMS outbox) is in one registry, served to Prometheus as `GET /metrics`.
public enum MetricsExport {
    /// RPC latencies are sub-millisecond to seconds; Prometheus' defaults start at 5 ms.
    public static let durationBuckets: [Duration] = [
        .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2.5), .milliseconds(5),
        .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
        .seconds(1), .seconds(2.5), .seconds(5), .seconds(10),
    ]

    /// A factory over `registry` with the RPC latency buckets.
    public static func factory(registry: PrometheusCollectorRegistry) -> PrometheusMetricsFactory {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = durationBuckets
        return factory
    }

    /// Installs the backend for the process (once) and returns the endpoint serving it on
    /// `listen`, if given. Without `listen` nothing is recorded: no backend, no cost.
    static func bootstrap(listen: HostPort?) -> [any Service] {
        guard let listen else { return [] }
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(factory(registry: registry))
        return [endpoint(host: listen.host, port: listen.port, registry: registry)]
    }

    /// `GET /metrics` in Prometheus' text format on its own port, as a lifecycle `Service`
    /// that stops listening on graceful shutdown.
    public static func endpoint(host: String, port: Int, registry: PrometheusCollectorRegistry) -> HTTPEndpoint {
        HTTPEndpoint(
            HTTPEndpoint.Configuration(host: host, port: port),
            routes: [
                EndpointRoute("GET", "/metrics") { _ in
                    EndpointResponse.text(registry.emitToString(), contentType: "text/plain; version=0.0.4; charset=utf-8")
                },
            ],
            logger: Logger(label: "metrics")
        )
    }
}
