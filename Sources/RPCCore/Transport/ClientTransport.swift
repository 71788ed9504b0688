/// Carries unary calls to one server. The TCP transport speaks frames over a socket; the
/// in-process transport hands the call straight to a server in the same process.
///
/// A transport's promises, which `RPCClient` relies on:
/// - it throws only `RPCError`;
/// - a server it cannot reach is `unavailable`, promptly, never a hang;
/// - when `deadline` passes it stops waiting, tells the server, and throws `deadlineExceeded`;
/// - when the calling Task is cancelled it tells the server and throws `cancelled`.
public protocol ClientTransport: Sendable {
    nonisolated(nonsending) func unary(
        _ request: RPCRequestParts,
        deadline: ContinuousClock.Instant?
    ) async throws -> RPCResponseParts

    /// Lets calls in flight finish, then releases connections. Later calls are `unavailable`.
    func close() async
}
