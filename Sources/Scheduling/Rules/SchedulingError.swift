import Foundation
public import RPCCore

/// A refusal by a scheduling rule, with the status it travels as.
public enum SchedulingError: Error, Hashable, Sendable, RPCErrorConvertible {
    case invalidArgument(field: String, _ message: String)
    case notFound(field: String, _ message: String)
    /// A rule of the domain refuses; the message names the rule, `field` the request field it concerns.
    case failedPrecondition(_ rule: String, field: String? = nil)
    case resourceExhausted(_ message: String)
    case permissionDenied(_ rule: String, field: String? = nil)
    /// A peer the rule needs (the client registry) cannot answer: refused, never guessed.
    case unavailable(_ message: String)


    public var rpcError: RPCError {
        switch self {
        case .invalidArgument(let field, let message):
            RPCError(code: .invalidArgument, message: message, fieldViolations: [FieldViolation(field: field, description: message)])
        case .notFound(let field, let message):
            RPCError(code: .notFound, message: message, fieldViolations: [FieldViolation(field: field, description: message)])
        case .failedPrecondition(let rule, let field):
            RPCError(code: .failedPrecondition, message: rule, fieldViolations: field.map { [FieldViolation(field: $0, description: rule)] } ?? [])
        case .resourceExhausted(let message):
            RPCError(code: .resourceExhausted, message: message)
        case .permissionDenied(let rule, let field):
            RPCError(code: .permissionDenied, message: rule, fieldViolations: field.map { [FieldViolation(field: $0, description: rule)] } ?? [])
        case .unavailable(let message):
            RPCError(code: .unavailable, message: message)
        }
    }
}

/// Paging (docs/API.md): `page_size` 0 → 50, at most 500; the token is an opaque position.
public enum Paging {
    public static let defaultSize = 50
    public static let maxSize = 500

    public static func size(_ requested: Int32) throws(SchedulingError) -> Int {
        guard requested >= 0 else { throw .invalidArgument(field: "page_size", "Размер страницы не может быть отрицательным") }
        return requested == 0 ? defaultSize : min(Int(requested), maxSize)
    }

    /// A keyset position `k.<a>.<b>`; nil for the first page.
    public static func cursor(_ token: String) throws(SchedulingError) -> (Int64, Int64)? {
        if token.isEmpty { return nil }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "k", let a = Int64(parts[1]), let b = Int64(parts[2]), a >= 0, b >= 0 else {
            throw .invalidArgument(field: "page_token", "Неверный маркер страницы")
        }
        return (a, b)
    }

    public static func token(_ a: Int64, _ b: Int64) -> String { "k.\(a).\(b)" }
}
