import Foundation
/// Phone numbers as the operators type them, reduced to the 10-digit national number
/// (docs/API.md «Phones»): keep the digits; 11 digits starting with 7 or 8 → drop the
/// first; 10 digits → as is; anything else is not a Russian number.
public enum PhoneNumber {
    public static let invalidMessage = "Номер телефона должен содержать 10 цифр"

    /// The 10-digit national number, or nil.
    public static func normalize(_ typed: String) -> String? {
        let digits = typed.unicodeScalars.filter { $0.value >= 48 && $0.value <= 57 }.map(Character.init)
        switch digits.count {
        case 10:
            return String(digits)
        case 11 where digits[0] == "7" || digits[0] == "8":
            return String(digits.dropFirst())
        default:
            return nil
        }
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
