/// A Russian phone number as the 10-digit national number (docs/API.md «Phones»): the one
/// phone rule of every service, so a number one service accepts is never refused by another.
public struct NationalPhone: Hashable, Sendable, CustomStringConvertible {
    /// The 10 digits, as stored and sent on the wire.
    public let digits: String

    /// The message every service gives for a number this refuses.
    public static let invalidMessage = "Номер телефона должен содержать 10 цифр российского номера"

    /// A number as operators type it: ASCII digits with the separators people type (spaces,
    /// no-break spaces, brackets, dashes, dots, commas, a + before the first digit); 11 digits
    /// starting with 7 or 8 lose the first; a Russian national number starts with 3, 4 or 8
    /// (area codes) or 9 (mobile) — 7xx is Kazakhstan. Nil otherwise.
    public init?(_ typed: String) {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\u{00A0}" }
        let trimmed = typed.drop(while: isSpace).reversed().drop(while: isSpace).reversed()
        var digits: [Character] = []
        for (index, character) in trimmed.enumerated() {
            switch character {
            case _ where character.isASCIIDigit: digits.append(character)
            case " ", "(", ")", "-", ".", ",", "\u{00A0}": continue
            case "+" where index == 0: continue
            default: return nil
            }
        }
        if trimmed.first == "+", digits.first != "7" { return nil }
        let national: [Character]
        switch digits.count {
        case 10: national = digits
        case 11 where digits[0] == "7" || digits[0] == "8": national = Array(digits.dropFirst())
        default: return nil
        }
        guard let first = national.first, "3489".contains(first) else { return nil }
        self.digits = String(national)
    }

    /// A number this type already accepted, read back from storage.
    public init(stored digits: String) { self.digits = digits }

    /// The typed number, or INVALID_ARGUMENT naming `field`.
    public init(_ typed: String, field: String) throws(RuleError) {
        guard let phone = NationalPhone(typed) else { throw .invalidArgument(field: field, Self.invalidMessage) }
        self = phone
    }

    /// Russian mobile numbers are the 9xx codes.
    public var isMobile: Bool { digits.first == "9" }

    /// «+7 *** ***-**-60»: what the login screen shows of an operator's mobile.
    public var masked: String { "+7 *** ***-**-\(digits.suffix(2))" }

    public var description: String { digits }
}

extension Character {
    /// 0–9 and nothing else: a digit carrying a combining mark is one Character that sorts
    /// inside "0"..."9", and other scripts' digits are whole numbers too; neither belongs in
    /// a phone number or a typed date.
    public var isASCIIDigit: Bool { isASCII && isWholeNumber }
}
