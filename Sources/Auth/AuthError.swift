public import RPCCore

/// Why a call was refused for who made it.
public enum AuthError: Error, Hashable, Sendable, RPCErrorConvertible {
    /// No `authorization: Bearer` metadata.
    case missingToken
    /// Not a token of ours: wrong shape, wrong signature (tampered or another secret).
    case invalidToken
    case expiredToken
    /// The token's session was ended (logout, an administrator) or outlived its 12 hours.
    case sessionEnded
    /// The role may not call the method; `rule` says who may.
    case roleNotAllowed(rule: String)

    public var rpcError: RPCError {
        switch self {
        case .missingToken:
            RPCError(code: .unauthenticated, message: "Требуется вход в систему: нет токена сессии")
        case .invalidToken:
            RPCError(code: .unauthenticated, message: "Токен сессии недействителен, войдите заново")
        case .expiredToken:
            RPCError(code: .unauthenticated, message: "Сессия истекла, войдите заново")
        case .sessionEnded:
            RPCError(code: .unauthenticated, message: "Сессия завершена, войдите заново")
        case .roleNotAllowed(let rule):
            RPCError(code: .permissionDenied, message: rule)
        }
    }
}
