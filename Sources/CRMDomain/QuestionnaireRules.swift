import Foundation

/// One questionnaire field refused: the request field it names (as the wire spells it) and
/// the reason in the operator's words.
public struct FieldRefusal: Error, Sendable, Equatable {
    public var field: String
    public var message: String

    public init(field: String, _ message: String) {
        self.field = field
        self.message = message
    }
}

/// The rules of a new card's questionnaire («Ввод АПД», personal data edits): one place, so
/// the console refuses at the prompt exactly what the registry would refuse on CreateCard.
public enum QuestionnaireRules {
    /// A required part of the name, trimmed.
    public static func namePart(_ typed: String, field: String, what: String) throws(FieldRefusal) -> String {
        let trimmed = typed.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw FieldRefusal(field: field, "Укажите \(what)") }
        return trimmed
    }

    public static func surname(_ typed: String) throws(FieldRefusal) -> String {
        try namePart(typed, field: "full_name.surname", what: "фамилию")
    }

    public static func name(_ typed: String) throws(FieldRefusal) -> String {
        try namePart(typed, field: "full_name.name", what: "имя")
    }

    /// A birth date may not be after today.
    public static func birthDate(_ date: LocalDate, today: LocalDate) throws(FieldRefusal) {
        if date > today { throw FieldRefusal(field: "birth_date", "Дата рождения не может быть в будущем") }
    }

    public static func region(_ code: String) throws(FieldRefusal) -> Region {
        guard let region = Regions.byCode[code] else { throw FieldRefusal(field: "region_code", "Неизвестный регион «\(code)»") }
        return region
    }

    /// The 10-digit national number.
    public static func phone(_ typed: String, field: String) throws(FieldRefusal) -> String {
        guard let number = NationalPhone(typed)?.digits else { throw FieldRefusal(field: field, NationalPhone.invalidMessage) }
        return number
    }

    /// An e-mail trimmed and checked for the shape `local@domain.tld`.
    public static func email(_ typed: String, field: String) throws(FieldRefusal) -> String {
        let email = typed.trimmingCharacters(in: .whitespaces)
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."),
              !parts[1].hasSuffix("."), !email.contains(" ")
        else { throw FieldRefusal(field: field, "Неверный адрес e-mail") }
        return email
    }

    /// Series: 4 digits; number: 6 digits.
    public static func passport(series: String, number: String) throws(FieldRefusal) {
        func digits(_ text: String, _ count: Int) -> Bool {
            text.count == count && text.allSatisfy { $0.isASCII && $0.isNumber }
        }
        guard digits(series, 4) else { throw FieldRefusal(field: "passport.series", "Серия паспорта — 4 цифры") }
        guard digits(number, 6) else { throw FieldRefusal(field: "passport.number", "Номер паспорта — 6 цифр") }
    }
}
