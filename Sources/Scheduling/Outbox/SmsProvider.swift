import Foundation

/// One message handed to a provider.
public struct OutgoingSms: Sendable, Hashable {
    /// The outbox id; a provider with delivery reports carries it so the report finds the row.
    public var id: String
    /// 10 digits.
    public var phone: String
    public var text: String
    /// For login codes.
    public var login: String
    /// An earlier hand-off of this message may have reached the provider: its worker died
    /// before recording the outcome. A provider that can look sends it only if it did not.
    public var mayHaveBeenSent = false
}

/// What a provider knows right after taking a message.
public enum SmsHandOff: Sendable, Hashable {
    /// Taken by the gateway; a delivery report will follow.
    case sent
    /// Delivered already (the development file is the phone).
    case delivered
}

public enum SmsProviderError: Error, Hashable, CustomStringConvertible {
    /// Worth retrying later (gateway down, timeout, 5xx).
    case temporary(String)
    /// Retrying will not help (the gateway refused the message).
    case permanent(String)

    public var description: String {
        switch self {
        case .temporary(let reason), .permanent(let reason): reason
        }
    }
}

/// Where the outbox worker hands messages: a file in development, Kannel in production.
public protocol SmsProvider: Sendable {
    /// "file" or "kannel", as `GetOutboxStatus` reports it.
    var name: String { get }
    func send(_ sms: OutgoingSms) async throws -> SmsHandOff
}
