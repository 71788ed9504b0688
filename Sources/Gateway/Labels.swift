public import Wire

/// Operator-facing words for wire values, as the manuals spell them.
public enum Labels {
    public static func cardType(_ type: TypesV1.CardType) -> String {
        switch type {
        case .client: "Клиент"
        case .internetApplicant: "Заявитель Интернет"
        case .frontOfficeApplicant: "Заявитель Фронт-офиса"
        case .recommendation: "Рекомендация"
        case .interested: "Заинтересованный"
        case .onlineChat: "Онлайн чат"
        default: "—"
        }
    }

    public static func role(_ role: TypesV1.OperatorRole) -> String {
        switch role {
        case .vcc: "Специалист Virtual CC"
        case .sales: "Менеджер DS_Sales"
        case .smb: "Сотрудник МСБ"
        case .office: "Сотрудник офиса"
        case .activeControl: "Группа активного контроля"
        case .fc: "Финансовый консультант"
        case .collector: "Специалист выездного взыскания"
        case .administrator: "Администратор"
        default: role.protoName
        }
    }

    public static func fullName(_ name: TypesV1.FullName?) -> String {
        guard let name else { return "—" }
        return [name.surname, name.name, name.patronymic].filter { !$0.isEmpty }.joined(separator: " ")
    }

    public static func date(_ date: TypesV1.Date?) -> String {
        guard let date, date.year > 0 else { return "—" }
        return String(format: "%02d.%02d.%04d", date.day, date.month, date.year)
    }

    public static func region(_ region: TypesV1.RegionRef?) -> String {
        guard let region, !region.name.isEmpty else { return "—" }
        let offset = region.moscowOffsetHours
        return offset == 0 ? "\(region.name) (Мск.)" : "\(region.name) (Мск. \(offset > 0 ? "+" : "")\(offset)ч.)"
    }

    public static func passport(_ passport: TypesV1.Passport?) -> String {
        guard let passport, !passport.number.isEmpty else { return "—" }
        return "\(passport.series) \(passport.number)"
    }

    /// A 10-digit national number as operators read it: +7 (937) 288-80-99.
    public static func phone(_ digits: String) -> String {
        guard digits.count == 10, digits.allSatisfy(\.isNumber) else { return digits.isEmpty ? "—" : digits }
        let d = Array(digits)
        return "+7 (\(String(d[0..<3]))) \(String(d[3..<6]))-\(String(d[6..<8]))-\(String(d[8..<10]))"
    }

    public static func money(kopecks: Int64) -> String {
        let sign = kopecks < 0 ? "−" : ""
        let absolute = kopecks.magnitude
        return "\(sign)\(absolute / 100),\(String(format: "%02d", absolute % 100)) ₽"
    }
}

import Foundation
