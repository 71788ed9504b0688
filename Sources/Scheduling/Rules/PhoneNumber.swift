import Foundation

/// Phone numbers as typed, reduced to the 10-digit national number (docs/API.md «Phones»).
public enum PhoneNumber {
    public static let invalidMessage = "Номер телефона должен содержать 10 цифр российского номера"

    public static func normalize(_ typed: String) -> String? {
        let trimmed = typed.trimmingCharacters(in: .whitespaces)
        var digits: [Character] = []
        for (index, character) in trimmed.enumerated() {
            switch character {
            case "0"..."9": digits.append(character)
            case " ", "(", ")", "-", ".", ",", "\u{00A0}": continue
            case "+" where index == 0: continue
            default: return nil
            }
        }
        if trimmed.hasPrefix("+"), digits.first != "7" { return nil }
        let national: [Character]
        switch digits.count {
        case 10: national = digits
        case 11 where digits[0] == "7" || digits[0] == "8": national = Array(digits.dropFirst())
        default: return nil
        }
        guard let first = national.first, "3489".contains(first) else { return nil }
        return String(national)
    }

    public static func normalize(_ typed: String, field: String) throws(SchedulingError) -> String {
        guard let number = normalize(typed) else { throw .invalidArgument(field: field, invalidMessage) }
        return number
    }
}
