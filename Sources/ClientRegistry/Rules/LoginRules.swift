import CRMDomain
import Foundation
/// The two-stage login (DOMAIN.md §1; docs/API.md Auth): a 6-digit single-use code for the
/// operator's mobile, the password = last 4 digits of the mobile + the code, codes expire
/// after 5 minutes, 5 wrong tries lock the login for 15 minutes.
public enum LoginRules {
    public static let codeLifetimeMs: Int64 = 5 * 60_000
    public static let maxWrongTries = 5
    public static let lockoutMs: Int64 = 15 * 60_000

    public static let unknownLoginMessage = "Неизвестный логин"
    public static let wrongPasswordMessage = "Неверный пароль или код устарел; запросите новый код"

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

    public static func check(password: String, mobile: String, code: String?, codeExpiresMs: Int64?, nowMs: Int64) -> Verdict {
        guard let code, let codeExpiresMs, nowMs < codeExpiresMs else { return .rejected }
        return password == Self.password(mobile: mobile, code: code) ? .accepted : .rejected
    }

    /// After a wrong try: the new count and, if it reached the limit, the lock's end.
    public static func afterWrongTry(failedTries: Int, nowMs: Int64) -> (failedTries: Int, lockedUntilMs: Int64?) {
        let tries = failedTries + 1
        return tries >= maxWrongTries ? (0, nowMs + lockoutMs) : (tries, nil)
    }

    public static func lockedMessage(untilMs: Int64) -> String {
        let moscow = LocalDate.of(unixMs: untilMs, utcOffsetMinutes: 180)
        let minuteOfDay = Int(((untilMs + 180 * 60_000) % 86_400_000) / 60_000)
        let hh = minuteOfDay / 60, mm = minuteOfDay % 60
        let time = (hh < 10 ? "0" : "") + "\(hh):" + (mm < 10 ? "0" : "") + "\(mm)"
        return "Вход заблокирован после \(maxWrongTries) неверных попыток до \(moscow.russian) \(time) (Мск)"
    }
}
