@testable import Auth
import Testing

@Suite struct VerifiedTokenCacheTests {
    private func claims(expiring: Int64) -> SessionClaims {
        SessionClaims(operatorID: 1, login: "l", role: .vcc, fullName: "n", issuedUnixMs: 0, expiresUnixMs: expiring)
    }

    @Test func verifiesEachTokenOnceWhileItLastsAndStaysBounded() throws {
        let cache = VerifiedTokenCache(capacity: 3)
        var verifications = 0
        let verify = { (token: String) throws(AuthError) -> SessionClaims in
            verifications += 1
            guard token.hasPrefix("good") else { throw .invalidToken }
            return self.claims(expiring: 100)
        }
        _ = try cache.claims(for: "good-1", nowMs: 10, verify: verify)
        _ = try cache.claims(for: "good-1", nowMs: 20, verify: verify)
        #expect(verifications == 1)
        // A refused token is not remembered: each try is verified again.
        #expect(throws: AuthError.invalidToken) { try cache.claims(for: "bad", nowMs: 10, verify: verify) }
        #expect(throws: AuthError.invalidToken) { try cache.claims(for: "bad", nowMs: 10, verify: verify) }
        #expect(verifications == 3)
        #expect(throws: AuthError.expiredToken) { try cache.claims(for: "good-1", nowMs: 100, verify: verify) }
        for n in 2...5 { _ = try cache.claims(for: "good-\(n)", nowMs: 10, verify: verify) }
        #expect(cache.count <= 3)
    }
}
