public import RPCCore
public import Wire
import CRMAPI

/// A failure as the operator reads it: one line (or a few), in Russian, never a stack trace.
public struct GatewayError: Error, Sendable, CustomStringConvertible {
    public var message: String
    /// The RPC status behind it, when there was one.
    public var code: StatusCode?
    /// What happened, for code to decide by (never by `message`): the service's or the
    /// transport's reason, or the console's own (`RPCError.Reason.back`, …).
    public var reason: RPCError.Reason?
    /// The request field the service named, when it named one.
    public var field: String?
    /// The request may or may not have been carried out (a deadline passed or the
    /// connection broke after it was sent): only a retry with the same idempotency key tells.
    public var outcomeUnknown = false
    /// Already turned into the operator's words by the step that failed (its cleanup done).
    var handled = false

    public init(_ message: String, code: StatusCode? = nil, reason: RPCError.Reason? = nil) {
        self.message = message
        self.code = code
        self.reason = reason
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
        case .unavailable where error.reason.flatMap(Self.tlsText) != nil:
            text = "Сервис \(endpoint.service) (\(endpoint)) недоступен: \(error.reason.flatMap(Self.tlsText) ?? "")"
        case .unavailable where error.reason == .notSent:
            text = "Сервис \(endpoint.service) (\(endpoint)) недоступен: не удаётся подключиться"
        case .unavailable:
            text = "Сервис \(endpoint.service) (\(endpoint)) недоступен: соединение прервано (\(error.message))"
        case .deadlineExceeded:
            text = "Сервис \(endpoint.service) (\(endpoint)) не ответил вовремя"
        case .unauthenticated:
            text = "Нужно войти в систему: crm login (\(error.message))"
        case .permissionDenied:
            text = "Недостаточно прав: \(error.message)"
        case .invalidArgument where error.reason == .nulCharacter:
            text = Self.nulText(field: error.fieldViolations.first?.field ?? "?")
        case .aborted:
            // A stale version: someone saved the card after this operator read it.
            text = "\(error.message). Откройте карточку заново (crm card) и повторите изменение"
        default:
            var lines = [error.message]
            for violation in error.fieldViolations where !error.message.contains(violation.description) {  // display only: not said twice
                lines.append("  \(violation.field): \(violation.description)")
            }
            text = lines.joined(separator: "\n")
        }
        self.init(text, code: error.code, reason: error.reason)
        field = error.fieldViolations.first?.field
        // A refused TLS connection served no call.
        outcomeUnknown = error.code == .deadlineExceeded || error.code == .cancelled
            || (error.code == .unavailable && error.reason != .notSent && error.reason.flatMap(Self.tlsText) == nil)
    }

    /// A text with the character U+0000 (NUL), which the wire cannot carry.
    public init(_ error: WireError) {
        self.init(error.field.map(Self.nulText(field:)) ?? "Сообщение не кодируется: \(error.message)")
    }

    /// The transport's TLS refusals in a deployer's words (what to give `crm`); nil for others.
    static func tlsText(_ reason: RPCError.Reason) -> String? {
        switch reason {
        case .tlsRequired: "он принимает только защищённые (TLS) соединения — укажите --tls-ca (сертификат удостоверяющего центра) или CRM_TLS_CA"
        case .tlsClientCertificateRequired: "он принимает только клиентов с сертификатом — укажите --tls-cert и --tls-key (или CRM_TLS_CERT, CRM_TLS_KEY)"
        case .tlsCertificateExpired: "истёк срок действия сертификата TLS — его нужно перевыпустить"
        case .tlsUnknownCA: "сертификат TLS выдан не тем удостоверяющим центром — проверьте --tls-ca и сертификаты"
        case .tlsWrongHost: "сертификат TLS сервиса выдан на другое имя или адрес"
        case .tlsHandshakeFailed: "защищённое (TLS) соединение не установлено — сервис, возможно, работает без TLS"
        default: nil
        }
    }

    static func nulText(field: String) -> String {
        "Поле \(field): недопустимый символ NUL (U+0000) — уберите его из текста"
    }

    public var description: String { message }
}

/// The console's own reasons: a step the operator asked for, not a failure of a service.
extension RPCError.Reason {
    /// «назад»: back to the previous question.
    public static let back = RPCError.Reason("BACK")
    /// «отмена»: the call is to be cancelled.
    public static let cancelCall = RPCError.Reason("CANCEL_CALL")
    /// The end of input (Ctrl-D, or an empty answer where one is required): the command stops.
    public static let inputEnded = RPCError.Reason("INPUT_ENDED")
    /// The operator left the call without saving a result.
    public static let discarded = RPCError.Reason("DISCARDED")
}
