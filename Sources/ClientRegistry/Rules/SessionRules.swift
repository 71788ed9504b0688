/// How long a login lasts (docs/ARCHITECTURE.md «Sessions»): the session 12 hours from the
/// login, each access token 5 minutes (renewed against the registry while the session
/// lasts), so a session ended in the registry stops working everywhere within 5 minutes
/// while contacts and scheduling keep verifying tokens without a database read.
public enum SessionRules {
    public static let accessLifetimeMs: Int64 = 5 * 60_000
    public static let sessionLifetimeMs: Int64 = 12 * 3_600_000
    /// Ended and expired sessions are kept this long for the log's sake, then deleted.
    public static let endedSessionMemoryMs: Int64 = 7 * 24 * 3_600_000

    /// An access token issued at `nowMs` never outlives its session.
    public static func accessExpiry(nowMs: Int64, sessionExpiresMs: Int64) -> Int64 {
        min(nowMs + accessLifetimeMs, sessionExpiresMs)
    }

    /// A fresh session id: 128 random bits, hex.
    public static func newSessionID<G: RandomNumberGenerator>(using generator: inout G) -> String {
        (0..<2).map { _ in
            let hex = String(generator.next(), radix: 16)
            return String(repeating: "0", count: 16 - hex.count) + hex
        }.joined()
    }
}
