import Crypto
import Foundation

/// HMAC-SHA256 under a key derived from the auth secret for one purpose, so what the
/// registry keeps to check a login code later (and nothing it could hand back) is useless to
/// someone who reads the database but not the secret; a key per purpose keeps one use's
/// values from standing in for another's (or for a token's signature).
public struct SecretKeyedHash: Sendable {
    private let key: [UInt8]

    init(secret: [UInt8], purpose: String) {
        key = Array(HMAC<SHA256>.authenticationCode(for: Array("crm.\(purpose).v1".utf8), using: SymmetricKey(data: secret)))
    }

    public func mac(_ text: String) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: Array(text.utf8), using: SymmetricKey(data: key)))
    }

    /// Whether `mac` is this hash of `text`, compared in constant time.
    public func matches(_ mac: [UInt8], _ text: String) -> Bool {
        HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: Array(text.utf8), using: SymmetricKey(data: key))
    }
}

extension SessionTokenSigner {
    /// A keyed hash for `purpose` (`"login-code"`), derived from the shared secret.
    public func keyedHash(purpose: String) -> SecretKeyedHash {
        SecretKeyedHash(secret: secret, purpose: purpose)
    }
}
