public import RPCCore
import CRMAPI

/// A refusal by a domain rule, with the status it travels as: the one error type of every
/// service's rules. Messages are the operator's words; `field` is the request path of the
/// offending field (`result.reached.callback.reason`).
public enum RuleError: Error, Hashable, Sendable, RPCErrorConvertible {
    case invalidArgument(field: String, _ message: String)
    case notFound(field: String, _ message: String)
    /// A rule of the domain refuses; the message names the rule.
    case failedPrecondition(_ rule: String, field: String? = nil)
    /// The operator's role may not do this; the message names the rule.
    case permissionDenied(_ rule: String, field: String? = nil)
    case alreadyExists(field: String, _ message: String)
    /// The record changed since the operator read it.
    case staleVersion
    case unauthenticated(_ message: String)
    case resourceExhausted(_ message: String)
    /// A peer the rule needs cannot answer, or storage failed: refused, never guessed.
    case unavailable(_ message: String)
    /// The call (session or incoming-call process) already ended: nothing more can be done in it.
    case callEnded(_ message: String)

    public static let staleVersionMessage = "Карточку изменил другой сотрудник, обновите её"

    public var rpcError: RPCError {
        func violations(_ field: String?, _ message: String) -> [FieldViolation] {
            field.map { [FieldViolation(field: $0, description: message)] } ?? []
        }
        return switch self {
        case .invalidArgument(let field, let message):
            RPCError(code: .invalidArgument, message: message, fieldViolations: violations(field, message))
        case .notFound(let field, let message):
            RPCError(code: .notFound, message: message, fieldViolations: violations(field, message))
        case .failedPrecondition(let rule, let field):
            RPCError(code: .failedPrecondition, message: rule, fieldViolations: violations(field, rule))
        case .permissionDenied(let rule, let field):
            RPCError(code: .permissionDenied, message: rule, fieldViolations: violations(field, rule))
        case .alreadyExists(let field, let message):
            RPCError(code: .alreadyExists, message: message, fieldViolations: violations(field, message))
        case .staleVersion:
            RPCError(code: .aborted, message: Self.staleVersionMessage, fieldViolations: violations("expected_version", Self.staleVersionMessage))
        case .unauthenticated(let message):
            RPCError(code: .unauthenticated, message: message)
        case .resourceExhausted(let message):
            RPCError(code: .resourceExhausted, message: message)
        case .unavailable(let message):
            RPCError(code: .unavailable, message: message)
        case .callEnded(let message):
            RPCError(code: .failedPrecondition, message: message, reason: .callEnded)
        }
    }

    /// The status code, for tests and logs.
    public var code: StatusCode { rpcError.code }
}

extension RuleError {
    /// A shared questionnaire rule run as a service's rule: its refusal becomes
    /// INVALID_ARGUMENT on the field it names.
    public static func checking<T>(_ rule: () throws(FieldRefusal) -> T) throws(RuleError) -> T {
        do { return try rule() } catch { throw .invalidArgument(field: error.field, error.message) }
    }
}
