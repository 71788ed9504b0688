/// Accepts calls and hands each to a `ServerCallHandler` (the server's router and
/// interceptors), then sends back what it answers.
///
/// A transport's promises, which `RPCServer` relies on:
/// - each call runs in its own Task, which the transport cancels when the call's deadline
///   passes, when the client cancels, or when the client goes away;
/// - `listen` returns only after `beginGracefulShutdown` and once every call in flight is
///   answered (or after its own Task is cancelled, which closes everything at once);
/// - after `beginGracefulShutdown` no new connection is accepted and new calls are refused
///   with `unavailable`.
public protocol ServerTransport: Sendable {
    func listen(_ handler: any ServerCallHandler) async throws
    func beginGracefulShutdown()
}

/// What a server transport calls for each request.
public protocol ServerCallHandler: Sendable {
    nonisolated(nonsending) func handle(_ request: RPCRequestParts, info: ServerCallInfo) async -> RPCResponseParts
}

/// What the transport knows about a call beyond its parts.
public struct ServerCallInfo: Sendable {
    /// When the client stops waiting, measured on this machine's clock from the frame's arrival.
    public var deadline: ContinuousClock.Instant?
    /// The client's address, e.g. `127.0.0.1:51234`, or `in-process`.
    public var peer: String

    public init(deadline: ContinuousClock.Instant?, peer: String) {
        self.deadline = deadline
        self.peer = peer
    }
}
