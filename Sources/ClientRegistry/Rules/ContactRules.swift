import CRMDomain
import Foundation

/// The kinds of contact data a card holds (proto numbers).
public enum ContactKind: Int, Sendable, Hashable, CaseIterable, Codable {
    case mobile = 1
    case work = 2
    case contact = 3
    case extra1 = 4
    case extra2 = 5
    case registration = 6
    case email = 7

    public var isPhone: Bool { self != .email }

    public var label: String {
        switch self {
        case .mobile: "Мобильный"
        case .work: "Рабочий"
        case .contact: "Контактный"
        case .extra1: "Доп. тел. 1"
        case .extra2: "Доп. тел. 2"
        case .registration: "Регистрации"
        case .email: "E-mail"
        }
    }
}

/// Why a number is struck out (the manual's list).
public enum StrikeReason: Int, Sendable, Hashable, CaseIterable, Codable {
    case doNotContact = 1
    case changed = 2
    case notInUse = 3
    case wrong = 4

    public var label: String {
        switch self {
        case .doNotContact: "Не контактировать"
        case .changed: "Изменился"
        case .notInUse: "Не используется"
        case .wrong: "Неверный"
        }
    }
}

/// ТИП ДАННЫХ of a tab-8 row (proto numbers of ChangedDataType).
public enum ChangedField: Int, Sendable, Hashable, Codable {
    case mobile = 1, work, contact, extra1, extra2, registration, email
    case surname = 8, name, patronymic, birthDate, region, settlement
    case other = 14

    public init(_ kind: ContactKind) { self.init(rawValue: kind.rawValue)! }

    public var label: String {
        switch self {
        case .mobile: "Мобильный"
        case .work: "Рабочий"
        case .contact: "Контактный"
        case .extra1: "Доп. тел. 1"
        case .extra2: "Доп. тел. 2"
        case .registration: "Регистрации"
        case .email: "E-mail"
        case .surname: "Фамилия"
        case .name: "Имя"
        case .patronymic: "Отчество"
        case .birthDate: "Дата рождения"
        case .region: "Регион"
        case .settlement: "Нас. пункт"
        case .other: "Другое"
        }
    }
}

public enum ContactRules {
    /// A phone kind's value normalised to 10 digits; an e-mail trimmed and checked for the
    /// shape `local@domain.tld`.
    public static func normalize(_ value: String, kind: ContactKind, field: String) throws(RuleError) -> String {
        if kind.isPhone { return try NationalPhone(value, field: field).digits }
        return try RuleError.checking { () throws(FieldRefusal) in try QuestionnaireRules.email(value, field: field) }
    }

    /// Key for name search: lower case, ё as е, trimmed.
    public static func searchKey(_ text: String) -> String {
        RussianText.fold(text.trimmingCharacters(in: .whitespaces))
    }
}
