import CRMAPI
import Foundation
public import RPCCore
import Wire

/// Keeps the operator's access token fresh: tokens live 5 minutes and are renewed against
/// the registry (`Auth/RefreshSession`) while the session lasts (12 hours from the login),
/// each renewal saved to the session file so the next command starts from it.
public actor SessionKeeper {
    /// Renewed this long before the access token expires, so no call leaves with a token
    /// that expires on the way.
    public static let renewAheadMs: Int64 = 60_000

    public private(set) var session: Session
    private let store: SessionStore?
    private let registry: RPCClient
    private let registryEndpoint: ServiceEndpoints.Endpoint
    private let nowMs: @Sendable () -> Int64

    public init(
        session: Session, store: SessionStore?, registry: ServiceEndpoints.Endpoint,
        nowMs: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }
    ) {
        self.session = session
        self.store = store
        self.registryEndpoint = registry
        self.registry = registry.client().rpc
        self.nowMs = nowMs
    }

    /// The access token to send now, renewed first when it is about to expire.
    public func token() async throws(GatewayError) -> String {
        guard nowMs() + Self.renewAheadMs >= session.expiresUnixMilliseconds,
              session.sessionExpiresUnixMilliseconds != nil  // a file from before renewal: the server decides
        else { return session.token }
        var metadata = Metadata()
        metadata.bearerToken = session.token
        let renewed: RegistryV1.RefreshSessionResponse
        do {
            renewed = try await RegistryV1.Auth.Client(wrapping: registry).refreshSession(.init(), metadata: metadata)
        } catch let error as RPCError where error.code == .unauthenticated {
            throw GatewayError("Сессия завершена: войдите заново (crm login)", code: .unauthenticated)
        } catch let error as RPCError {
            throw GatewayError(error, endpoint: registryEndpoint)
        } catch {
            throw GatewayError("\(error)")
        }
        session.token = renewed.sessionToken
        session.expiresUnixMilliseconds = renewed.expiresUnixMs
        session.sessionExpiresUnixMilliseconds = renewed.sessionExpiresUnixMs
        try store?.save(session)
        return session.token
    }
}

/// A transport that puts the keeper's current access token on every call, so a command
/// that runs longer than one token (an operator at a prompt) never notices the renewal.
struct RenewingTransport: ClientTransport {
    let inner: any ClientTransport
    let keeper: SessionKeeper

    nonisolated(nonsending) func unary(_ request: RPCRequestParts, deadline: ContinuousClock.Instant?) async throws -> RPCResponseParts {
        var request = request
        do {
            request.metadata.bearerToken = try await keeper.token()
        } catch {
            throw RPCError(code: error.code ?? .unauthenticated, message: error.message)
        }
        return try await inner.unary(request, deadline: deadline)
    }

    func close() async { await inner.close() }
}
