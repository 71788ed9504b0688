public import RPCCore
public import Wire

/// A failure as the operator reads it: one line (or a few), in Russian, never a stack trace.
public struct GatewayError: Error, Sendable, CustomStringConvertible {
    public var message: String
    /// The RPC status behind it, when there was one.
    public var code: StatusCode?
    /// The request may or may not have been carried out (a deadline passed or the
    /// connection broke after it was sent): only a retry with the same idempotency key tells.
    public var outcomeUnknown = false
    /// Already turned into the operator's words by the step that failed (its cleanup done).
    var handled = false

    public init(_ message: String, code: StatusCode? = nil) {
        self.message = message
        self.code = code
    }

    init(_ message: String, code: StatusCode?, outcomeUnknown: Bool, handled: Bool) {
        self.message = message
        self.code = code
        self.outcomeUnknown = outcomeUnknown
        self.handled = handled
    }

    /// Words for an RPC failure. Services already phrase rule refusals for operators; the
    /// transport's failures are phrased here.
    public init(_ error: RPCError, endpoint: ServiceEndpoints.Endpoint) {
        let text: String
        switch error.code {
        case .unavailable where error.message.hasPrefix("Cannot connect"):
            text = "Сервис \(endpoint.service) (\(endpoint)) недоступен: не удаётся подключиться"
        case .unavailable:
            text = "Сервис \(endpoint.service) (\(endpoint)) недоступен: соединение прервано (\(error.message))"
        case .deadlineExceeded:
            text = "Сервис \(endpoint.service) (\(endpoint)) не ответил вовремя"
        case .unauthenticated:
            text = "Нужно войти в систему: crm login (\(error.message))"
        case .permissionDenied:
            text = "Недостаточно прав: \(error.message)"
        case .invalidArgument where error.message.hasSuffix(WireError.nulMessage):
            text = Self.nulText(field: error.fieldViolations.first?.field ?? "?")
        case .aborted:
            // A stale version: someone saved the card after this operator read it.
            text = "\(error.message). Откройте карточку заново (crm card) и повторите изменение"
        default:
            var lines = [error.message]
            for violation in error.fieldViolations where !error.message.contains(violation.description) {
                lines.append("  \(violation.field): \(violation.description)")
            }
            text = lines.joined(separator: "\n")
        }
        self.init(text, code: error.code)
        outcomeUnknown = error.code == .deadlineExceeded || error.code == .cancelled
            || (error.code == .unavailable && !error.message.hasPrefix("Cannot connect"))
    }

    /// A text with the character U+0000 (NUL), which the wire cannot carry.
    public init(_ error: WireError) {
        self.init(error.field.map(Self.nulText(field:)) ?? "Сообщение не кодируется: \(error.message)")
    }

    static func nulText(field: String) -> String {
        "Поле \(field): недопустимый символ NUL (U+0000) — уберите его из текста"
    }

    public var description: String { message }
}
