/// Runs around every call a server handles: logging, metrics, authentication.
///
/// Interceptors see the encoded request (they judge metadata, not messages) and the
/// response the handler produced, errors included. Throwing from an interceptor answers
/// the call with that error without running the handler.
public protocol ServerInterceptor: Sendable {
    func intercept(
        request: RPCRequestParts,
        context: ServerContext,
        next: @Sendable (RPCRequestParts, ServerContext) async throws -> RPCResponseParts
    ) async throws -> RPCResponseParts
}
