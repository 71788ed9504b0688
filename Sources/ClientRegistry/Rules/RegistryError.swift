import CRMDomain
import Foundation
public import RPCCore

/// A refusal by a registry rule, with the status it travels as.
public enum RegistryError: Error, Hashable, Sendable, RPCErrorConvertible {
    case invalidArgument(field: String, _ message: String)
    case notFound(field: String, _ message: String)
    /// A rule of the domain refuses; the message names the rule.
    case failedPrecondition(_ rule: String)
    /// The card changed since the operator read it.
    case staleVersion
    case alreadyExists(field: String, _ message: String)
    case permissionDenied(_ rule: String)
    case unauthenticated(_ message: String)
    case resourceExhausted(_ message: String)
    case unavailable(_ message: String)

    public static let staleVersionMessage = "Карточку изменил другой сотрудник, обновите её"

    public var rpcError: RPCError {
        switch self {
        case .invalidArgument(let field, let message):
            RPCError(code: .invalidArgument, message: message, fieldViolations: [FieldViolation(field: field, description: message)])
        case .notFound(let field, let message):
            RPCError(code: .notFound, message: message, fieldViolations: [FieldViolation(field: field, description: message)])
        case .failedPrecondition(let rule):
            RPCError(code: .failedPrecondition, message: rule)
        case .staleVersion:
            RPCError(
                code: .aborted, message: Self.staleVersionMessage,
                fieldViolations: [FieldViolation(field: "expected_version", description: Self.staleVersionMessage)]
            )
        case .alreadyExists(let field, let message):
            RPCError(code: .alreadyExists, message: message, fieldViolations: [FieldViolation(field: field, description: message)])
        case .permissionDenied(let rule):
            RPCError(code: .permissionDenied, message: rule)
        case .unauthenticated(let message):
            RPCError(code: .unauthenticated, message: message)
        case .resourceExhausted(let message):
            RPCError(code: .resourceExhausted, message: message)
        case .unavailable(let message):
            RPCError(code: .unavailable, message: message)
        }
    }
}

extension RegistryError {
    /// A shared questionnaire rule (CRMDomain) run as a registry rule: its refusal becomes
    /// INVALID_ARGUMENT on the field it names.
    static func checking<T>(_ rule: () throws(FieldRefusal) -> T) throws(RegistryError) -> T {
        do { return try rule() } catch { throw .invalidArgument(field: error.field, error.message) }
    }
}
