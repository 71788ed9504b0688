/// Phone numbers as operators type them, reduced to the 10-digit national number. One rule
/// for every service, so a number one service accepts is never refused by another
/// (docs/API.md «Phones»).
public enum NationalPhone {
    /// The message every service gives for a number this refuses.
    public static let invalidMessage = "Номер телефона должен содержать 10 цифр российского номера"

    /// ASCII digits with the separators people type (spaces, no-break spaces, brackets,
    /// dashes, dots, commas, a + before the first digit); 11 digits starting with 7 or 8 lose
    /// the first; a Russian national number starts with 3, 4 or 8 (area codes) or 9 (mobile) —
    /// 7xx is Kazakhstan. Nil otherwise.
    public static func normalize(_ typed: String) -> String? {
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
        return String(national)
    }
}

extension Character {
    /// 0–9 and nothing else: a digit carrying a combining mark is one Character that sorts
    /// inside "0"..."9", and other scripts' digits are whole numbers too; neither belongs in
    /// a phone number or a typed date.
    public var isASCIIDigit: Bool { isASCII && isWholeNumber }
}
