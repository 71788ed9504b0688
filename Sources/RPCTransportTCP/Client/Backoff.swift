/// How long a client waits before trying a server it could not reach again: exponential
/// with jitter, as gRPC's connection backoff. During the wait calls fail fast with
/// `unavailable` instead of queueing.
public struct Backoff: Sendable, Hashable {
    public var initial: Duration
    public var multiplier: Double
    public var maximum: Duration
    /// Each delay is spread by ±jitter of itself, so clients of a restarted server do not
    /// all come back at once.
    public var jitter: Double

    public init(initial: Duration = .milliseconds(100), multiplier: Double = 1.6, maximum: Duration = .seconds(5), jitter: Double = 0.2) {
        self.initial = initial
        self.multiplier = multiplier
        self.maximum = maximum
        self.jitter = jitter
    }

    /// The nominal delay after `failures` consecutive failed attempts (1 = the first).
    public func delay(afterFailures failures: Int) -> Duration {
        var delay = initial
        for _ in 1..<max(1, failures) {
            delay = min(maximum, delay * multiplier)
            if delay == maximum { break }
        }
        return delay
    }

    func jittered(_ delay: Duration) -> Duration {
        guard jitter > 0 else { return delay }
        return delay * Double.random(in: (1 - jitter)...(1 + jitter))
    }
}
