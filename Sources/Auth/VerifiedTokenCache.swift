import Synchronization

/// Tokens already verified, with their claims: every call carries the operator's token, and
/// checking its signature and decoding its JSON claims cost more than many handlers (a third
/// of the contacts service's CPU under a stream of saves). A hit is the exact token string a
/// full verification accepted, so a tampered or re-signed token never matches; expiry is
/// still checked on every use. Not state: a replica without the entry verifies from scratch.
final class VerifiedTokenCache: Sendable {
    let capacity: Int
    private let entries: Mutex<[String: SessionClaims]>

    init(capacity: Int = 4096) {
        self.capacity = capacity
        self.entries = Mutex([:])
    }

    var count: Int { entries.withLock { $0.count } }

    /// The claims of `token`, verified once by `verify` and reused while unexpired.
    func claims(
        for token: String,
        nowMs: Int64,
        verify: (String) throws(AuthError) -> SessionClaims
    ) throws(AuthError) -> SessionClaims {
        if let cached = entries.withLock({ $0[token] }) {
            guard nowMs < cached.expiresUnixMs else { throw .expiredToken }
            return cached
        }
        let claims = try verify(token)
        entries.withLock { entries in
            // Operators log in a few times a day; past the bound (stale tokens of a long
            // uptime) start over rather than track recency on every hit.
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[token] = claims
        }
        return claims
    }
}
