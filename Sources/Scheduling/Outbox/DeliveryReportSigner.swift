import Crypto
import Foundation

/// Signs the outbox id in a dlr-url so that only the gateway that got the URL from us can
/// report on a message: the DLR listener refuses a report whose signature does not match.
public struct DeliveryReportSigner: Sendable {
    let keyBytes: [UInt8]
    var key: SymmetricKey { SymmetricKey(data: keyBytes) }

    /// A key of its own, derived from the service's secret.
    public init(secret: String) {
        keyBytes = Array(SHA256.hash(data: Array(("kannel-dlr:" + secret).utf8)))
    }

    /// 24 hex digits (96 bits) of HMAC-SHA256 over the id.
    public func signature(_ id: String) -> String {
        HMAC<SHA256>.authenticationCode(for: Array(id.utf8), using: key).prefix(12).map { String(format: "%02x", $0) }.joined()
    }

    public func isValid(_ signature: String, for id: String) -> Bool {
        let expected = Array(self.signature(id).utf8)
        let given = Array(signature.utf8)
        guard expected.count == given.count else { return false }
        // Constant time: a mismatch at the first digit takes as long as at the last.
        return zip(expected, given).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
