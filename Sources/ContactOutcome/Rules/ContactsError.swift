import Foundation
public import RPCCore
import CRMAPI

/// A refusal by a contacts rule, with the status it travels as. Messages are the operator's
/// words; `field` is the request path of the offending field (`result.reached.callback.reason`).
public enum ContactsError: Error, Hashable, Sendable, RPCErrorConvertible {
    case invalidArgument(field: String, _ message: String)
    case notFound(field: String, _ message: String)
    /// A rule of the domain refuses; the message names the rule.
    case failedPrecondition(_ rule: String, field: String? = nil)
    /// The operator's role may not do this; the message names the rule.
    case permissionDenied(_ rule: String, field: String? = nil)
    /// A peer the rule needs (the client registry) cannot answer: refused, never guessed.
    case unavailable(_ message: String)
    /// The call (session or incoming-call process) already ended: nothing more can be done in it.
    case callEnded(_ message: String)


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
        case .unavailable(let message):
            RPCError(code: .unavailable, message: message)
        case .callEnded(let message):
            RPCError(code: .failedPrecondition, message: message, reason: .callEnded)
        }
    }

    /// The status code, for tests and logs.
    public var code: StatusCode { rpcError.code }
}

/// Paging (docs/API.md): `page_size` 0 → 50, at most 500; the token is an opaque keyset position.
public enum Paging {
    public static let defaultSize = 50
    public static let maxSize = 500

    public static func size(_ requested: Int32) throws(ContactsError) -> Int {
        guard requested >= 0 else { throw .invalidArgument(field: "page_size", "Размер страницы не может быть отрицательным") }
        return requested == 0 ? defaultSize : min(Int(requested), maxSize)
    }

    /// A keyset position `k.<a>.<b>`; nil for the first page.
    public static func cursor(_ token: String) throws(ContactsError) -> (Int64, Int64)? {
        if token.isEmpty { return nil }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "k", let a = Int64(parts[1]), let b = Int64(parts[2]), a >= 0, b >= 0 else {
            throw .invalidArgument(field: "page_token", "Неверный маркер страницы")
        }
        return (a, b)
    }

    public static func token(_ a: Int64, _ b: Int64) -> String { "k.\(a).\(b)" }
}
