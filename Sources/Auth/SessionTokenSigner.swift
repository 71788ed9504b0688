import Crypto
import Foundation

/// Issues and verifies session tokens: `v1.<payload>.<signature>`, both parts base64url
/// without padding; the payload is the claims as compact JSON, the signature HMAC-SHA256
/// over `v1.<payload>` with the secret every service shares.
public struct SessionTokenSigner: Sendable {
    /// Why a secret is refused at start: anyone who knows or guesses the secret can mint a
    /// token for any operator, so a short one or the placeholder the docs once showed never
    /// serves.
    public enum ConfigurationError: Error, CustomStringConvertible, Equatable {
        case secretTooShort(minimum: Int, actual: Int)
        case placeholderSecret
        public var description: String {
            switch self {
            case .secretTooShort(let minimum, let actual):
                "The auth secret (--auth-secret, CRM_AUTH_SECRET) is \(actual) bytes; at least \(minimum) are required "
                    + "(generate one: openssl rand -hex 32)"
            case .placeholderSecret:
                "The auth secret (--auth-secret, CRM_AUTH_SECRET) is the documented placeholder "
                    + "«\(SessionTokenSigner.placeholderSecret)»; set a secret of your own (openssl rand -hex 32)"
            }
        }
    }

    public static let minimumSecretBytes = 32
    /// The value docker-compose.yml used to substitute when CRM_AUTH_SECRET was unset.
    public static let placeholderSecret = "change-me-in-production"
    /// What every placeholder the docs and env examples show begins with
    /// (`change-me-to-a-long-random-secret` in services/*/*.env.example).
    static let placeholderMarker = "change-me"

    /// Refuses a secret no deployment may run with; every service calls it at start.
    public static func validate(secret: String) throws(ConfigurationError) {
        let trimmed = secret.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.lowercased().contains(placeholderMarker) { throw .placeholderSecret }
        let bytes = secret.utf8.count
        guard bytes >= minimumSecretBytes else { throw .secretTooShort(minimum: minimumSecretBytes, actual: bytes) }
    }
    private static let version = "v1"

    /// The secret's bytes (SymmetricKey is not Sendable; a key is made per use).
    let secret: [UInt8]
    private var key: SymmetricKey { SymmetricKey(data: secret) }
    /// How long an issued token is valid.
    public let lifetimeMs: Int64

    public init(secret: String, lifetime: Duration = .seconds(12 * 3600)) throws {
        try Self.validate(secret: secret)
        self.secret = Array(secret.utf8)
        let (seconds, attoseconds) = lifetime.components
        self.lifetimeMs = seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }

    /// Claims for `operator` issued at `nowMs`, expiring a lifetime later.
    public func claims(operatorID: Int64, login: String, role: Role, fullName: String, nowMs: Int64) -> SessionClaims {
        SessionClaims(
            operatorID: operatorID, login: login, role: role, fullName: fullName,
            issuedUnixMs: nowMs, expiresUnixMs: nowMs + lifetimeMs
        )
    }

    public func sign(_ claims: SessionClaims) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        // Encoding a struct of strings and integers cannot fail.
        let payload = Self.base64URL(try! encoder.encode(claims))
        let signed = "\(Self.version).\(payload)"
        let mac = HMAC<SHA256>.authenticationCode(for: Array(signed.utf8), using: key)
        return "\(signed).\(Self.base64URL(Data(mac)))"
    }

    /// The claims of a genuine, unexpired token; `AuthError` otherwise.
    public func verify(_ token: String, nowMs: Int64) throws(AuthError) -> SessionClaims {
        let claims = try verifyIgnoringExpiry(token)
        guard nowMs < claims.expiresUnixMs else { throw .expiredToken }
        return claims
    }

    /// The claims of a genuine token, expired or not: what renewing and ending a session
    /// start from (the registry then checks the session itself).
    public func verifyIgnoringExpiry(_ token: String) throws(AuthError) -> SessionClaims {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == Self.version,
              let payload = Self.data(base64URL: parts[1]),
              let signature = Self.data(base64URL: parts[2])
        else { throw .invalidToken }
        let signed = "\(parts[0]).\(parts[1])"
        guard HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: Array(signed.utf8), using: key) else {
            throw .invalidToken
        }
        guard let claims = try? JSONDecoder().decode(SessionClaims.self, from: payload) else { throw .invalidToken }
        return claims
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Every call verifies a token, so this works on bytes: Foundation's string replacing
    /// cost more than the HMAC itself.
    static func data(base64URL text: Substring) -> Data? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count + 3)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "-"): bytes.append(UInt8(ascii: "+"))
            case UInt8(ascii: "_"): bytes.append(UInt8(ascii: "/"))
            case UInt8(ascii: "="): return nil
            default: bytes.append(byte)
            }
        }
        while bytes.count % 4 != 0 { bytes.append(UInt8(ascii: "=")) }
        return Data(base64Encoded: Data(bytes))
    }
}
