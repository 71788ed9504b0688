import Foundation

/// Phone normalisation (docs/API.md «Phones»): keep the digits; 11 digits starting with 7 or
/// 8 → drop the first; 10 digits as is; anything else is refused on that field.
public enum PhoneNumber {
    public static func normalize(_ text: String, field: String) throws(ContactsError) -> String {
        let digits = text.filter(\.isASCII).filter(\.isNumber)
        if digits.count == 10 { return digits }
        if digits.count == 11, let first = digits.first, first == "7" || first == "8" { return String(digits.dropFirst()) }
        throw .invalidArgument(field: field, "Номер телефона должен содержать 10 цифр")
    }
}
