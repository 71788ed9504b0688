import CRMDomain
import Foundation
import RPCCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
/// The two-stage login (DOMAIN.md §1; docs/API.md Auth): a 6-digit single-use code for the
/// operator's mobile, the password = last 4 digits of the mobile + the code, codes expire
/// after 5 minutes.
///
/// Guessing is bounded per login *and source address*, so nobody can lock an operator out
/// from elsewhere: 5 wrong tries from one address lock that login for that address only,
/// 1 minute the first time, then twice as long each time (at most an hour) until a login
/// succeeds from there. A code is also dropped after 10 wrong tries from all addresses
/// together (a new one must be asked for). Codes by SMS: at most 5 per login and 20 per
/// address in 15 minutes. An unknown login is answered exactly like a known one.
public enum LoginRules {
    public static let codeLifetimeMs: Int64 = 5 * 60_000
    /// Wrong tries from one address before that address is locked out of the login.
    public static let maxWrongTries = 5
    /// Wrong tries from all addresses together that spend a code.
    public static let maxWrongTriesPerCode = 10
    /// The first lock; each later one from the same address lasts twice as long as the last.
    public static let firstLockMs: Int64 = 60_000
    public static let longestLockMs: Int64 = 60 * 60_000
    /// An address's wrong tries and locks are forgotten after this long without one.
    public static let attemptMemoryMs: Int64 = 24 * 3_600_000

    /// The window of the login-code SMS limits and the limits in it.
    public static let codeRequestWindowMs: Int64 = 15 * 60_000
    public static let maxCodesPerLogin = 5
    public static let maxCodesPerSource = 20

    /// One answer for an unknown login and a wrong password or code, so the answer never
    /// tells which logins exist.
    public static let wrongPasswordMessage = "Неверный логин, пароль или код устарел; запросите новый код"
    public static let tooManyCodesMessage = "Слишком много запросов кода; повторите через 15 минут"

    /// Longer than any login the registry gives out; bounds what unknown logins can store.
    public static let maxLoginLength = 64

    /// The login as typed, trimmed; INVALID_ARGUMENT if empty or too long.
    public static func login(_ typed: String) throws(RuleError) -> String {
        let login = typed.trimmingCharacters(in: .whitespaces)
        guard !login.isEmpty, login.count <= maxLoginLength else {
            throw .invalidArgument(field: "login", "Логин — от 1 до \(maxLoginLength) символов")
        }
        return login
    }

    /// The source address of a call's peer (`ip:port`, `[ip6]:port`): what wrong tries and
    /// code requests are counted by. An IPv6 source is its /64 network, since one host
    /// commonly holds a whole /64. Any other peer (`in-process`) stands for itself.
    public static func source(peer: String) -> String {
        guard let address = HostPort(peer) else { return peer }
        return address.host.contains(":") ? ipv6Network64(address.host) ?? address.host : address.host
    }

    static func ipv6Network64(_ address: String) -> String? {
        var bytes = in6_addr()
        guard inet_pton(AF_INET6, address, &bytes) == 1 else { return nil }
        let octets = withUnsafeBytes(of: &bytes) { Array($0.prefix(8)) }
        return stride(from: 0, to: 8, by: 2).map { String(Int(octets[$0]) << 8 | Int(octets[$0 + 1]), radix: 16) }.joined(separator: ":") + "::/64"
    }

    /// How long the `lock`-th lock (1-based) of one address lasts.
    public static func lockDurationMs(lock: Int) -> Int64 {
        let doublings = min(max(lock - 1, 0), 16)
        return min(firstLockMs << doublings, longestLockMs)
    }

    /// A fresh 6-digit code.
    public static func newCode<G: RandomNumberGenerator>(using generator: inout G) -> String {
        let value = Int.random(in: 0..<1_000_000, using: &generator)
        let text = String(value)
        return String(repeating: "0", count: 6 - text.count) + text
    }

    /// The password the operator must type for `code`.
    public static func password(mobile: String, code: String) -> String {
        String(mobile.suffix(4)) + code
    }

    /// Whether `password` has the password's shape: exactly 10 digits.
    public static func isWellFormed(password: String) -> Bool {
        password.count == 10 && password.allSatisfy { $0.isASCII && $0.isNumber }
    }

    /// What stage 2 finds for a well-formed password.
    public enum Verdict: Equatable, Sendable {
        case accepted
        /// Wrong, expired, used or never requested; counts as a wrong try.
        case rejected
    }

    /// `password` against the stored keyed hash of the code; `hashMatches` checks a code.
    public static func check(
        password: String, mobile: String, codeExpiresMs: Int64?, nowMs: Int64, hashMatches: (String) -> Bool
    ) -> Verdict {
        guard let codeExpiresMs, nowMs < codeExpiresMs, password.hasPrefix(mobile.suffix(4)) else { return .rejected }
        return hashMatches(String(password.suffix(6))) ? .accepted : .rejected
    }

    /// What the registry keeps of a code: its keyed hash, bound to the login.
    public static func hashInput(login: String, code: String) -> String { "\(login)\n\(code)" }

    /// After a wrong try from one address: the new count and, if it reached the limit, the
    /// lock's end and the number of locks so far.
    public static func afterWrongTry(failedTries: Int, locks: Int, nowMs: Int64) -> (failedTries: Int, locks: Int, lockedUntilMs: Int64?) {
        let tries = failedTries + 1
        guard tries >= maxWrongTries else { return (tries, locks, nil) }
        return (0, locks + 1, nowMs + lockDurationMs(lock: locks + 1))
    }

    /// The masked mobile shown for a login nobody has: two digits derived from the login
    /// (the same each time), so stage 1 answers an unknown login as it answers a known one.
    public static func decoyMobile(mac: [UInt8]) -> String {
        let value = (Int(mac[0]) << 8 | Int(mac[1])) % 100
        return "91612345" + (value < 10 ? "0" : "") + "\(value)"
    }

    public static func lockedMessage(untilMs: Int64) -> String {
        let moscow = LocalDate.of(unixMs: untilMs, utcOffsetMinutes: 180)
        let minuteOfDay = Int(((untilMs + 180 * 60_000) % 86_400_000) / 60_000)
        let hh = minuteOfDay / 60, mm = minuteOfDay % 60
        let time = (hh < 10 ? "0" : "") + "\(hh):" + (mm < 10 ? "0" : "") + "\(mm)"
        return "Вход с этого адреса заблокирован после \(maxWrongTries) неверных попыток до \(moscow.russian) \(time) (Мск)"
    }
}
