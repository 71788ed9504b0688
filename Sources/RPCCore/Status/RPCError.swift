/// A call that did not succeed: a code, a message for people, and for bad arguments the
/// fields at fault.
public struct RPCError: Error, Hashable, Sendable {
    public var code: StatusCode
    public var message: String
    /// Each offending request field and why; set for `invalidArgument` and rule refusals.
    public var fieldViolations: [FieldViolation]
    /// What happened, for programs (as gRPC's `ErrorInfo.reason`): code decides by this and by
    /// `code`, never by `message`, which is for people and may be reworded.
    public var reason: Reason?
    /// Response metadata that came with the error.
    public var metadata: Metadata

    public init(
        code: StatusCode,
        message: String,
        fieldViolations: [FieldViolation] = [],
        reason: Reason? = nil,
        metadata: Metadata = [:]
    ) {
        precondition(code != .ok, "An RPCError cannot carry OK")
        self.code = code
        self.message = message
        self.fieldViolations = fieldViolations
        self.reason = reason
        self.metadata = metadata
    }

    /// A machine-readable reason: UPPER_SNAKE_CASE, stable across releases (docs/PROTOCOL.md
    /// «Errors»). The transport's own are here; a service declares its domain's beside its rules.
    public struct Reason: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The request never left this client (no connection could be made, or the one it was
        /// given closed before a byte was written): the call surely did not run.
        public static let notSent = Reason("NOT_SENT")
        /// The deadline passed and the server did not answer even the cancel that followed (a
        /// frozen server, a lost connection): the call may or may not have run. A
        /// DEADLINE_EXCEEDED without this reason is the server's: the call did not complete.
        public static let noAnswer = Reason("NO_ANSWER")

        // The TLS reasons (docs/PROTOCOL.md «TLS»): set by our clients when a TLS connection
        // could not be made or was refused before any call was served, so the call did not run.
        /// A plain client reached a port that serves TLS only.
        public static let tlsRequired = Reason("TLS_REQUIRED")
        /// A certificate of the handshake is past its end date (the message says whose).
        public static let tlsCertificateExpired = Reason("TLS_CERTIFICATE_EXPIRED")
        /// A certificate of the handshake was not issued by a CA the other side trusts
        /// (the message says whose), or the server refused this client's certificate.
        public static let tlsUnknownCA = Reason("TLS_UNKNOWN_CA")
        /// The server takes only clients that present a certificate, and this one has none.
        /// The one TLS reason a server sends.
        public static let tlsClientCertificateRequired = Reason("TLS_CLIENT_CERTIFICATE_REQUIRED")
        /// The server's certificate does not name the host or address the client connected to.
        public static let tlsWrongHost = Reason("TLS_WRONG_HOST")
        /// Any other failed handshake (a server that does not speak TLS, no common version).
        public static let tlsHandshakeFailed = Reason("TLS_HANDSHAKE_FAILED")
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
        let fields = fieldViolations.filter { !message.contains($0.field) }  // display only: not said twice
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
