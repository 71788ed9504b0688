import Foundation
/// Phone numbers as the operators type them, reduced to the 10-digit national number
/// (docs/API.md «Phones»): digits with the separators people type (spaces, brackets,
/// dashes, dots, commas, a leading +); 11 digits starting with 7 or 8 → drop the first;
/// 10 digits → as is. A Russian national number starts with 3, 4 or 8 (area codes) or 9
/// (mobile); 7xx belongs to Kazakhstan. Anything else — letters, other lengths, other
/// leading digits — is not a Russian number.
public enum PhoneNumber {
    public static let invalidMessage = "Номер телефона должен содержать 10 цифр российского номера"

    /// The 10-digit national number, or nil.
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
        case 10:
            national = digits
        case 11 where digits[0] == "7" || digits[0] == "8":
            national = Array(digits.dropFirst())
        default:
            return nil
        }
        guard let first = national.first, "3489".contains(first) else { return nil }
        return String(national)
    }

    /// The normalised number, or INVALID_ARGUMENT naming `field`.
    public static func normalize(_ typed: String, field: String) throws(RegistryError) -> String {
        guard let number = normalize(typed) else { throw .invalidArgument(field: field, invalidMessage) }
        return number
    }

    /// Russian mobile numbers are the 9xx codes.
    public static func isMobile(_ normalized: String) -> Bool {
        normalized.count == 10 && normalized.first == "9"
    }

    /// «+7 *** ***-**-60»: what the login screen shows of the operator's mobile.
    public static func masked(_ normalized: String) -> String {
        "+7 *** ***-**-\(normalized.suffix(2))"
    }
}
