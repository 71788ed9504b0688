import Foundation
public import Wire

/// The card and its tabs as the operator's screen shows them, column names from the manual.
public enum CardView {
    public static func personal(_ card: RegistryV1.Card, width: Int = TextTable.terminalWidth()) -> String {
        var lines = [
            "ID CRM: \(card.cardID)   ТИП: \(Labels.cardType(card.type))   НОМЕР РБС: \(card.rbsNumber.isEmpty ? "—" : card.rbsNumber)",
            "Скрипт: \(card.scriptNames.isEmpty ? "—" : card.scriptNames.joined(separator: ", "))",
            "ФИО: \(Labels.fullName(card.fullName))",
            "Дата рождения: \(Labels.date(card.birthDate))" + (card.birthDate == nil ? "" : " (\(Labels.age(Int(card.age))))"),
            "Регион проживания: \(Labels.region(card.region))",
            "Населённый пункт: \(card.settlement.isEmpty ? "—" : card.settlement)",
            "Паспорт: \(Labels.passport(card.passport))",
        ]
        if !card.personalDataEditable {
            lines.append("Личные данные этого типа карточки не редактируются")
        }
        if !card.contacts.isEmpty {
            lines.append("")
            lines.append(TextTable(
                headers: ["ВИД", "ЗНАЧЕНИЕ", "СОСТОЯНИЕ"], keep: [1],
                rows: card.contacts.map { entry in
                    [
                        contactKind(entry.kind),
                        entry.kind == .email ? entry.value : Labels.phone(entry.value),
                        entry.struckOut ? "вычеркнут: \(strikeReason(entry.strikeReason))" : "",
                    ]
                }
            ).render(width: width))
        }
        return lines.joined(separator: "\n")
    }

    public static func summaries(_ cards: [RegistryV1.CardSummary], width: Int = TextTable.terminalWidth()) -> String {
        guard !cards.isEmpty else { return "Нет карточек" }
        return TextTable(
            headers: ["ID CRM", "ТИП", "ФИО", "ДАТА РОЖДЕНИЯ", "РЕГИОН ПРОЖИВАНИЯ", "ГОРОД", "ТЕЛЕФОН"], keep: [0, 2, 3, 6],
            rows: cards.map {
                ["\($0.cardID)", Labels.cardType($0.type), Labels.fullName($0.fullName), Labels.date($0.birthDate),
                 Labels.region($0.region), $0.settlement, Labels.phone($0.phone)]
            }
        ).render(width: width)
    }

    public static func products(_ products: [RegistryV1.Product], width: Int = TextTable.terminalWidth()) -> String {
        guard !products.isEmpty else { return "Нет продуктов" }
        return TextTable(
            headers: ["ДАТА ОТКРЫТИЯ", "НАИМЕНОВАНИЕ", "ТИП ПРОДУКТА", "ДАТА ЗАКРЫТИЯ", "СУММА КРЕДИТА", "ТЕКУЩИЙ ОСТАТОК", "% ПОГАШЕНИЯ"],
            keep: [0, 3, 4, 5],
            rows: products.map {
                [Labels.date($0.openDate), $0.name, category($0.productType), Labels.date($0.closeDate),
                 Labels.money(kopecks: $0.creditSumKopecks), Labels.money(kopecks: $0.currentBalanceKopecks), "\($0.repaidPercent) %"]
            }
        ).render(width: width)
    }

    public static func halva(_ transactions: [RegistryV1.HalvaTransaction]) -> String {
        guard !transactions.isEmpty else { return "Нет операций" }
        return TextTable(
            headers: ["ДАТА И ВРЕМЯ", "ТИП ОПЕРАЦИИ", "СУММА", "НАЗНАЧЕНИЕ", "МАГАЗИН"], keep: [0, 2],
            rows: transactions.map {
                [dateTime($0.occurredUnixMs), $0.operationType, Labels.money(kopecks: $0.amountKopecks), $0.purpose, $0.shopName]
            }
        ).render()
    }

    public static func changes(_ changes: [RegistryV1.ContactChange], width: Int = TextTable.terminalWidth()) -> String {
        guard !changes.isEmpty else { return "Изменений не было" }
        return TextTable(
            headers: ["ДАТА И ВРЕМЯ", "ТИП ДАННЫХ", "НОВОЕ ЗНАЧЕНИЕ", "СТАРОЕ ЗНАЧЕНИЕ", "ПРИЧИНА", "КОММЕНТАРИЙ", "КТО ИЗМЕНИЛ"],
            keep: [0, 2, 3],
            rows: changes.map {
                [dateTime($0.changedUnixMs), $0.dataTypeLabel, changedValue($0.newValue, $0.dataType), changedValue($0.oldValue, $0.dataType),
                 $0.reason == .unspecified ? "" : strikeReason($0.reason), $0.comment,
                 $0.changedBy.map { "\($0.fullName) (\($0.login))" } ?? ""]
            }
        ).render(width: width)
    }

    /// A tab-8 value as the card shows it: a phone formatted, a date in the Russian way.
    static func changedValue(_ value: String, _ type: RegistryV1.ChangedDataType) -> String {
        switch type {
        case .mobilePhone, .workPhone, .contactPhone, .extraPhone1, .extraPhone2, .registrationPhone:
            Labels.phone(value)
        default:
            value
        }
    }

    public static func dateTime(_ unixMilliseconds: Int64) -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "dd.MM.yyyy HH:mm"
        formatter.timeZone = TimeZone(identifier: "Europe/Moscow")
        return formatter.string(from: Date(timeIntervalSince1970: Double(unixMilliseconds) / 1000))
    }

    static func category(_ category: TypesV1.ProductCategory) -> String {
        switch category {
        case .credit: "Кредитный"
        case .deposit: "Депозитный"
        case .commission: "Комиссионный"
        case .creditDoctor: "Кредитный доктор"
        case .internalProject: "Внутренний проект"
        case .smb: "Продукты МСБ"
        default: "—"
        }
    }

    static func contactKind(_ kind: RegistryV1.ContactDataKind) -> String {
        switch kind {
        case .mobilePhone: "Мобильный"
        case .workPhone: "Рабочий"
        case .contactPhone: "Контактный"
        case .extraPhone1: "Доп. тел. 1"
        case .extraPhone2: "Доп. тел. 2"
        case .registrationPhone: "Регистрации"
        case .email: "E-mail"
        default: "—"
        }
    }

    static func strikeReason(_ reason: RegistryV1.ContactStrikeReason) -> String {
        switch reason {
        case .doNotContact: "Не контактировать"
        case .changed: "Изменился"
        case .notInUse: "Не используется"
        case .wrong: "Неверный"
        default: "—"
        }
    }
}
