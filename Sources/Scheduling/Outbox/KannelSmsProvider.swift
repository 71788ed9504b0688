import Foundation
import HTTPEndpoint

/// Hands messages to Kannel (the open-source SMS gateway) through smsbox's HTTP sendsms
/// interface, asking for delivery reports at our DLR listener (`KannelDeliveryReports`).
///
/// Cyrillic needs both `coding=2` (UCS-2) and `charset=UTF-8`; with either missing the
/// text arrives as `????`. Kannel's own message id (`%I`) differs between the reports of
/// one message, so the dlr-url carries the outbox id, signed so that only Kannel (which got
/// it from us) can report on a message. Kannel cannot be asked whether an earlier hand-off
/// arrived, so a message whose worker died mid-hand-off is sent again (at least once).
public struct KannelSmsProvider: SmsProvider {
    public struct Configuration: Sendable {
        /// smsbox's sendsms address, e.g. `http://kannel:13013/cgi-bin/sendsms`.
        public var sendsmsURL: URL
        public var username: String
        public var password: String
        /// Where Kannel reaches our DLR listener, e.g. `http://scheduling:7190/dlr`.
        public var dlrURL: String
        /// The sender shown on the phone (`from`); empty leaves Kannel's default.
        public var sender: String = ""
        public var timeout: Duration = .seconds(10)

        public init(sendsmsURL: URL, username: String, password: String, dlrURL: String) {
            self.sendsmsURL = sendsmsURL
            self.username = username
            self.password = password
            self.dlrURL = dlrURL
        }
    }

    public let configuration: Configuration
    let signer: DeliveryReportSigner
    public var name: String { "kannel" }

    public init(_ configuration: Configuration, signer: DeliveryReportSigner) {
        self.configuration = configuration
        self.signer = signer
    }

    /// Kannel's DLR mask: delivered 1 + failed 2 + buffered 4 + accepted by the SMSC 8 + rejected 16.
    public static let dlrMask = 31

    /// The request target of one sendsms call (path and query), Kannel's escapes applied.
    public func target(for sms: OutgoingSms) -> String {
        // Kannel replaces %d with the report type and %A with the SMSC's answer in dlr-url.
        let separator = configuration.dlrURL.contains("?") ? "&" : "?"
        let dlr = configuration.dlrURL + separator + "id=" + Self.escape(sms.id) + "&sig=" + signer.signature(sms.id) + "&type=%d&reply=%A"
        var query = [
            ("username", configuration.username), ("password", configuration.password),
            ("to", "+7" + sms.phone), ("text", sms.text), ("coding", "2"), ("charset", "UTF-8"),
            ("dlr-mask", "\(Self.dlrMask)"), ("dlr-url", dlr),
        ]
        if !configuration.sender.isEmpty { query.append(("from", configuration.sender)) }
        let path = configuration.sendsmsURL.path.isEmpty ? "/cgi-bin/sendsms" : configuration.sendsmsURL.path
        return path + "?" + query.map { "\($0.0)=\(Self.escape($0.1))" }.joined(separator: "&")
    }

    /// Percent-encodes everything but RFC 3986 unreserved characters.
    static func escape(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: Unicode.Scalar(0)...Unicode.Scalar(127)))
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    /// What Kannel's answer means for the outbox: 2xx taken (a report follows); 5xx worth
    /// retrying; anything else (403 bad credentials, 400 bad number) refused for good.
    public static func outcome(status: Int, body: String) -> Result<SmsHandOff, SmsProviderError> {
        let answer = body.trimmingCharacters(in: .whitespacesAndNewlines)
        switch status {
        case 200..<300: return .success(.sent)
        case 500..<600: return .failure(.temporary("Kannel: HTTP \(status) \(answer)"))
        default: return .failure(.permanent("Kannel отказал: HTTP \(status) \(answer)"))
        }
    }

    public func send(_ sms: OutgoingSms) async throws -> SmsHandOff {
        guard let host = configuration.sendsmsURL.host else { throw SmsProviderError.permanent("неверный адрес Kannel \(configuration.sendsmsURL)") }
        let port = configuration.sendsmsURL.port ?? 80
        let response: EndpointResponse
        do {
            response = try await EndpointClient.request(host: host, port: port, uri: target(for: sms), timeout: configuration.timeout)
        } catch {
            throw SmsProviderError.temporary("Kannel недоступен: \(error)")
        }
        return try Self.outcome(status: response.status, body: String(decoding: response.body, as: UTF8.self)).get()
    }
}
