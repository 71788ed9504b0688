import CRMAPI
public import RPCCore
import RPCTransportTCP
import Wire

/// Polls the health check of the server on 127.0.0.1:`port` until it answers serving, for
/// `limit` at most: for tests and tools that start a service as a process. `gone` says why
/// to stop early (the process exited), nil while it runs. Returns nil once the server serves,
/// else why the wait ended.
public func waitUntilServing(port: Int, within limit: Duration = .seconds(60), gone: () -> String?) async -> String? {
    let transport = TCPClientTransport(TCPClientTransport.Configuration(
        host: "127.0.0.1", port: port, backoff: Backoff(initial: .milliseconds(50), maximum: .milliseconds(100), jitter: 0)
    ))
    defer { Task { await transport.close() } }
    let health = RPCV1.Health.Client(wrapping: RPCClient(transport: transport))
    let deadline = ContinuousClock.now + limit
    while ContinuousClock.now < deadline {
        if let reason = gone() { return reason }
        if Task.isCancelled { return "the wait was cancelled" }
        if let answer = try? await health.check(RPCV1.HealthCheckRequest(), options: CallOptions(timeout: .seconds(2))), answer.status == .serving {
            return nil
        }
        try? await Task.sleep(for: .milliseconds(100))
    }
    return "no serving answer to its health check in \(limit)"
}
