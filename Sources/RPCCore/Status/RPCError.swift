/// A call that did not succeed: a code, a message for people, and for bad arguments the
/// fields at fault.
public struct RPCError: Error, Hashable, Sendable {
    public var code: StatusCode
    public var message: String
    /// Each offending request field and why; set for `invalidArgument` and rule refusals.
    public var fieldViolations: [FieldViolation]
    /// Response metadata that came with the error.
    public var metadata: Metadata

    public init(
        code: StatusCode,
        message: String,
        fieldViolations: [FieldViolation] = [],
        metadata: Metadata = [:]
    ) {
        precondition(code != .ok, "An RPCError cannot carry OK")
        self.code = code
        self.message = message
        self.fieldViolations = fieldViolations
        self.metadata = metadata
    }

    /// An `invalidArgument` error naming one field.
    public static func invalidArgument(field: String, _ description: String) -> RPCError {
        RPCError(
            code: .invalidArgument,
            message: "\(field): \(description)",
            fieldViolations: [FieldViolation(field: field, description: description)]
        )
    }
}

extension RPCError: CustomStringConvertible {
    public var description: String {
        var text = "\(code): \(message)"
        let fields = fieldViolations.filter { !message.contains($0.field) }
        if !fields.isEmpty {
            text += " [" + fields.map { "\($0.field): \($0.description)" }.joined(separator: "; ") + "]"
        }
        return text
    }
}

/// One request field that broke a rule.
public struct FieldViolation: Hashable, Sendable {
    /// The field's path in the request, e.g. `phone` or `visit.office_id`.
    public var field: String
    public var description: String

    public init(field: String, description: String) {
        self.field = field
        self.description = description
    }
}

/// A domain error that knows which RPC status it stands for. Errors that do not adopt this
/// (and are not `RPCError`) reach the client as `unknown`, without their details (which go to the log).
public protocol RPCErrorConvertible: Error {
    var rpcError: RPCError { get }
}
