import CRMDomain
import Foundation

/// What an SMS is, for the rules that decide when it may go (mirrors `SmsCategory`).
public enum SmsKind: Int, Sendable, Hashable, Codable {
    /// «Ссылка на МП» and other informational texts: never at night.
    case marketing = 1
    /// About an overdue debt (230-ФЗ): the debtor's local hours and the caps.
    case collection = 2
    /// «Ждем Вас …»: never at night, like marketing.
    case visit = 3
    /// Operator login codes: any hour, no caps.
    case loginCode = 4
}

/// The local hours an SMS may go out in (DOMAIN.md §8, docs/API.md SendSms).
public enum SmsWindow {
    /// Marketing and visit SMS: not at night, 21:00–09:00 local.
    public static let dayOpens = 9 * 60
    public static let dayCloses = 21 * 60

    /// The allowed local minutes [opens, closes) of a date, nil = any time.
    public static func window(_ kind: SmsKind, on date: LocalDate, calendar: ProductionCalendar) -> (opens: Int, closes: Int)? {
        switch kind {
        case .loginCode:
            return nil
        case .marketing, .visit:
            return (dayOpens, dayCloses)
        case .collection:
            let working = calendar.isWorkingDay(date)
            let opens: Int = working ? 480 : 540
            let closes: Int = working ? 1320 : 1200
            return (opens, closes)
        }
    }

    /// The first moment at or after `unixMs` inside the window, at the recipient's UTC offset.
    public static func nextAllowed(_ kind: SmsKind, after unixMs: Int64, utcOffsetMinutes: Int, calendar: ProductionCalendar) -> Int64 {
        var date = LocalDate.of(unixMs: unixMs, utcOffsetMinutes: utcOffsetMinutes)
        let minute = LocalDate.minuteOfDay(unixMs: unixMs, utcOffsetMinutes: utcOffsetMinutes)
        guard let today = window(kind, on: date, calendar: calendar) else { return unixMs }
        if minute >= today.opens && minute < today.closes { return unixMs }
        if minute < today.opens { return date.unixMs(atMinute: today.opens, utcOffsetMinutes: utcOffsetMinutes) }
        date = date.adding(days: 1)
        let next = window(kind, on: date, calendar: calendar) ?? (0, 24 * 60)
        return date.unixMs(atMinute: next.opens, utcOffsetMinutes: utcOffsetMinutes)
    }
}

/// The 230-ФЗ caps on collection messages per debtor: 2 a day, 4 a week, 16 a month,
/// counted in the debtor's local calendar (weeks from Monday) for the moment the message goes.
/// The law limits messages to the person, not to one loan: a debtor with two overdue
/// contracts gets no more than one with one (the store counts by card and by contract).
public enum SmsCaps {
    public enum Violation: Sendable, Hashable {
        case day, week, month

        /// The rule as the operator reads it.
        public var rule: String {
            switch self {
            case .day: "Не более 2 сообщений в день одному должнику (230-ФЗ)"
            case .week: "Не более 4 сообщений в неделю одному должнику (230-ФЗ)"
            case .month: "Не более 16 сообщений в месяц одному должнику (230-ФЗ)"
            }
        }
    }

    public static let perDay = 2
    /// The reason of a message no lawful moment could be found for (not seen in practice).
    public static let noMomentLeft = "Не отправлено: в ближайший год нет времени, разрешенного 230-ФЗ"
    public static let perWeek = 4
    public static let perMonth = 16

    /// The cap a message due at `dueMs` would break, given the due moments of the debtor's
    /// other collection messages (queued, sent or delivered); nil when it fits.
    public static func violation(dueMs: Int64, others: [Int64], utcOffsetMinutes: Int) -> Violation? {
        let date = LocalDate.of(unixMs: dueMs, utcOffsetMinutes: utcOffsetMinutes)
        let weekStart = date.adding(days: 1 - date.weekday)
        var day = 0, week = 0, month = 0
        for other in others {
            let d = LocalDate.of(unixMs: other, utcOffsetMinutes: utcOffsetMinutes)
            if d == date { day += 1 }
            if d >= weekStart && d < weekStart.adding(days: 7) { week += 1 }
            if d.year == date.year && d.month == date.month { month += 1 }
        }
        if day >= perDay { return .day }
        if week >= perWeek { return .week }
        if month >= perMonth { return .month }
        return nil
    }

    /// The first moment at or after `unixMs` a collection message may go: inside the
    /// debtor's local hours and under every cap. A full day moves it to the next day, a full
    /// week to the next Monday, a full month to the 1st of the next month, each at its
    /// window's opening. nil only if no such moment comes within `horizonDays` (the caps
    /// renew every month, so in practice never).
    public static func nextAllowed(
        after unixMs: Int64, others: [Int64], utcOffsetMinutes: Int, calendar: ProductionCalendar, horizonDays: Int = 400
    ) -> Int64? {
        let start = LocalDate.of(unixMs: unixMs, utcOffsetMinutes: utcOffsetMinutes)
        var candidate = SmsWindow.nextAllowed(.collection, after: unixMs, utcOffsetMinutes: utcOffsetMinutes, calendar: calendar)
        while true {
            let date = LocalDate.of(unixMs: candidate, utcOffsetMinutes: utcOffsetMinutes)
            guard date.daysSinceEpoch - start.daysSinceEpoch <= horizonDays else { return nil }
            guard let violation = violation(dueMs: candidate, others: others, utcOffsetMinutes: utcOffsetMinutes) else { return candidate }
            let next: LocalDate = switch violation {
            case .day: date.adding(days: 1)
            case .week: date.adding(days: 8 - date.weekday)
            case .month: date.adding(days: LocalDate.daysIn(month: date.month, year: date.year) - date.day + 1)
            }
            candidate = SmsWindow.nextAllowed(
                .collection, after: next.unixMs(atMinute: 0, utcOffsetMinutes: utcOffsetMinutes), utcOffsetMinutes: utcOffsetMinutes,
                calendar: calendar
            )
        }
    }
}

/// The visit SMS rule (DOMAIN.md §4; docs/API.md PlanVisitSms).
public enum VisitSmsRule {
    /// The local hour the day-before SMS goes out at.
    public static let sendMinute = 10 * 60
    public static let untickRule = "Галочку снимают, только если у клиента нет мобильного"

    public struct Plan: Sendable, Hashable {
        /// The «Отправить информационное SMS» box is ticked by default.
        public var sendByDefault: Bool
        /// When it goes if sent; 0 = right away.
        public var sendAtUnixMs: Int64
    }

    /// A visit later than today (office-local) → ticked, the day before at 10:00 office-local
    /// (right away if that moment has passed); a visit today → not ticked, goes now if ticked.
    public static func plan(visit: LocalDate, nowMs: Int64, utcOffsetMinutes: Int) -> Plan {
        let today = LocalDate.of(unixMs: nowMs, utcOffsetMinutes: utcOffsetMinutes)
        guard visit > today else { return Plan(sendByDefault: false, sendAtUnixMs: 0) }
        let at = visit.adding(days: -1).unixMs(atMinute: sendMinute, utcOffsetMinutes: utcOffsetMinutes)
        return Plan(sendByDefault: true, sendAtUnixMs: at > nowMs ? at : 0)
    }

    /// «Ждем Вас 25.10.2017 по адресу Зелёный пр-кт, д. 27, корп. 1»
    public static func text(visit: LocalDate, address: String) -> String {
        SmsTemplates.visit.text
            .replacingOccurrences(of: "<дата>", with: visit.russian)
            .replacingOccurrences(of: "<адрес>", with: address)
    }
}
