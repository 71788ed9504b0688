import Foundation
/// The card's type (ТИП): where the client came from. Stored by its proto number.
public enum CardKind: Int, Sendable, Hashable, CaseIterable, Codable {
    case client = 1
    case internetApplicant = 2
    case frontOfficeApplicant = 3
    case recommendation = 4
    case interested = 5
    case onlineChat = 6

    public var label: String {
        switch self {
        case .client: "Клиент"
        case .internetApplicant: "Заявитель Интернет"
        case .frontOfficeApplicant: "Заявитель Фронт-офиса"
        case .recommendation: "Рекомендация"
        case .interested: "Заинтересованный"
        case .onlineChat: "Онлайн чат"
        }
    }
}

public enum CardRules {
    public static let personalDataRule =
        "Личные данные можно менять только в карточках типов Интернет, Заинтересованный, Рекомендованный, Онлайн чат"

    /// Personal data (surname, name, patronymic, birth date, region) may be edited only on
    /// cards that did not come from the bank's own systems.
    public static func personalDataEditable(_ kind: CardKind) -> Bool {
        switch kind {
        case .internetApplicant, .interested, .recommendation, .onlineChat: true
        case .client, .frontOfficeApplicant: false
        }
    }

    /// «Ввод АПД» creates only these types; the others come from other systems.
    public static func creatableByQuestionnaire(_ kind: CardKind) -> Bool {
        kind == .interested || kind == .onlineChat
    }

    public static let recommendationRule = "Ввод рекомендации доступен только сотрудникам офиса"
}
