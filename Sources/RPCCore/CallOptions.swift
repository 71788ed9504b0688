/// How the client runs one call.
public struct CallOptions: Sendable, Hashable {
    /// How long the client waits for the answer. The server sees the deadline and stops
    /// working on the call when it passes; the caller gets `deadlineExceeded`.
    public var timeout: Duration?

    public init(timeout: Duration? = nil) {
        self.timeout = timeout
    }

    public static var defaults: CallOptions { CallOptions() }
}
