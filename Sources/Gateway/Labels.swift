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

    /// Roubles as operators read them: «1 002 000,00 ₽», thousands apart by a no-break space
    /// (a table never breaks a sum across lines).
    public static func money(kopecks: Int64) -> String {
        let sign = kopecks < 0 ? "−" : ""
        let absolute = kopecks.magnitude
        let roubles = String(absolute / 100)
        var grouped = ""
        for (index, digit) in roubles.enumerated() {
            if index > 0, (roubles.count - index) % 3 == 0 { grouped.append("\u{00A0}") }
            grouped.append(digit)
        }
        return "\(sign)\(grouped),\(String(format: "%02d", absolute % 100))\u{00A0}₽"
    }

    /// The Russian plural of a count: `plural(41, "год", "года", "лет")` → «41 год», 44 → «44
    /// года», 11 and 45 → «… лет».
    public static func plural(_ count: Int, _ one: String, _ few: String, _ many: String) -> String {
        let lastTwo = abs(count) % 100, last = abs(count) % 10
        let word = (11...14).contains(lastTwo) ? many : last == 1 ? one : (2...4).contains(last) ? few : many
        return "\(count) \(word)"
    }

    /// An age: «41 год», «44 года», «45 лет».
    public static func age(_ years: Int) -> String { plural(years, "год", "года", "лет") }

    /// A booking as the operator names it: the office, the date and the time, never its id.
    public static func booking(officeName: String, at: TypesV1.LocalDateTime?) -> String {
        let when = SchedulingDates.localDateTime(at)
        return officeName.isEmpty ? when : "\(officeName), \(when)"
    }
}

import Foundation
