public import RPCCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The key under which `AuthInterceptor` hands the caller's claims to handlers.
public enum AuthenticatedOperatorKey: ServerContextKey {
    public typealias Value = SessionClaims
}

/// Whether a token's session still lasts. The registry, which keeps the sessions, answers
/// from its database on every call; the other services have none and verify tokens alone, so
/// an ended session's access token works there until it expires (at most its 5 minutes).
public protocol SessionLiveness: Sendable {
    /// Throws `AuthError.sessionEnded` when the session was ended or has outlived its lifetime.
    func ensureLive(_ claims: SessionClaims, nowMs: Int64) async throws
}

/// Verifies the bearer token of every call except the exempt methods (the login, health),
/// refusing with UNAUTHENTICATED, and puts the operator's claims into `context.values` for
/// the handler.
public struct AuthInterceptor: ServerInterceptor {
    /// Methods that need no valid token: the two login stages, and the two that take a
    /// session's token even when expired and check it themselves (renewal, logout).
    public static let defaultExemptMethods: Set<String> = [
        "crm.registry.v1.Auth/StartLogin",
        "crm.registry.v1.Auth/CompleteLogin",
        "crm.registry.v1.Auth/RefreshSession",
        "crm.registry.v1.Auth/Logout",
    ]
    /// Services that need no token: health only (load balancers and orchestrators probe it).
    /// Reflection lists a service's surface and answers only operators (docs/API.md).
    public static let defaultExemptPrefixes: [String] = ["crm.rpc.v1.Health/"]

    public let signer: SessionTokenSigner
    public let exemptMethods: Set<String>
    public let exemptPrefixes: [String]
    private let nowMs: @Sendable () -> Int64
    private let sessions: (any SessionLiveness)?
    private let verified = VerifiedTokenCache()

    /// `sessions`: the registry's session check; nil in services that keep no sessions.
    public init(
        signer: SessionTokenSigner,
        exemptMethods: Set<String> = AuthInterceptor.defaultExemptMethods,
        exemptPrefixes: [String] = AuthInterceptor.defaultExemptPrefixes,
        sessions: (any SessionLiveness)? = nil,
        nowMs: @escaping @Sendable () -> Int64 = { SystemClockMs.now() }
    ) {
        self.signer = signer
        self.exemptMethods = exemptMethods
        self.exemptPrefixes = exemptPrefixes
        self.sessions = sessions
        self.nowMs = nowMs
    }

    public func isExempt(_ method: String) -> Bool {
        exemptMethods.contains(method) || exemptPrefixes.contains(where: { method.hasPrefix($0) })
    }

    public func intercept(
        request: RPCRequestParts,
        context: ServerContext,
        next: @Sendable (RPCRequestParts, ServerContext) async throws -> RPCResponseParts
    ) async throws -> RPCResponseParts {
        if isExempt(request.method) { return try await next(request, context) }
        guard let token = context.metadata.bearerToken, !token.isEmpty else { throw AuthError.missingToken }
        let now = nowMs()
        let signer = self.signer
        let claims = try verified.claims(for: token, nowMs: now) { token throws(AuthError) in
            try signer.verify(token, nowMs: now)
        }
        if let sessions, claims.sessionID != nil { try await sessions.ensureLive(claims, nowMs: now) }
        var context = context
        context.values[AuthenticatedOperatorKey.self] = claims
        return try await next(request, context)
    }
}

/// Wall-clock milliseconds since 1970 (UTC).
public enum SystemClockMs {
    public static func now() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000
    }
}

extension ServerContext {
    /// The operator the interceptor authenticated; UNAUTHENTICATED when none (a method
    /// served without the interceptor).
    public func authenticatedOperator() throws(AuthError) -> SessionClaims {
        guard let claims = values[AuthenticatedOperatorKey.self] else { throw .missingToken }
        return claims
    }

    /// The operator, if their role is one of `allowed`; PERMISSION_DENIED with `rule` otherwise.
    @discardableResult
    public func requireRole(_ allowed: Set<Role>, rule: String) throws(AuthError) -> SessionClaims {
        let claims = try authenticatedOperator()
        guard allowed.contains(claims.role) else { throw .roleNotAllowed(rule: rule) }
        return claims
    }
}
