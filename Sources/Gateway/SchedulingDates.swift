import CRMDomain
import Foundation
public import Wire

/// Dates and times as operators type and read them: ДД.ММ.ГГГГ, ЧЧ:ММ, local to a region.
public enum SchedulingDates {
    /// Today in a place `offsetMinutes` east of UTC (Moscow by default).
    public static func today(offsetMinutes: Int = 180, now: Date = Date()) -> TypesV1.Date {
        day(after: 0, offsetMinutes: offsetMinutes, now: now)
    }

    public static func moscowToday() -> TypesV1.Date { today() }

    public static func day(after days: Int, offsetMinutes: Int = 180, now: Date = Date()) -> TypesV1.Date {
        let nowMs = Int64((now.timeIntervalSince1970 * 1000).rounded(.down))
        return LocalDate.of(unixMs: nowMs, utcOffsetMinutes: offsetMinutes).adding(days: days).wire
    }

    /// Days from one date to another (negative when `to` is earlier).
    public static func days(from: TypesV1.Date, to: TypesV1.Date) -> Int? {
        guard let from = LocalDate(from), let to = LocalDate(to) else { return nil }
        return to.daysSinceEpoch - from.daysSinceEpoch
    }

    /// A region's UTC offset: Moscow is UTC+3, «Мск. +7ч.» is UTC+10.
    public static func offsetMinutes(_ region: TypesV1.RegionRef?) -> Int32 {
        Int32(utcOffsetMinutes(moscowOffsetHours: region?.moscowOffsetHours ?? 0))
    }

    /// `ДД.ММ.ГГГГ`, `ГГГГ-ММ-ДД`, or `+N` (N days from today in Moscow).
    public static func parseDate(_ text: String, flag: String) throws(GatewayError) -> TypesV1.Date {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.hasPrefix("+") {
            // At most four digits: «+N» means days ahead, and a longer N would overflow the day count.
            let digits = trimmed.dropFirst()
            guard (1...4).contains(digits.count), digits.allSatisfy(\.isASCIIDigit), let days = Int(digits) else {
                throw GatewayError("\(flag): через сколько дней — «+N», N от 0 до 9999, а не «\(text)»")
            }
            return day(after: days)
        }
        return try calendarDate(text, flag: flag, form: "дата в виде ДД.ММ.ГГГГ (или +N — через N дней)")
    }

    /// Exactly `ДД.ММ.ГГГГ` (day and month of one or two digits) or `ГГГГ-ММ-ДД`, and a day
    /// that exists in the calendar: a birth date has no «+N».
    public static func parseCalendarDate(_ text: String, flag: String) throws(GatewayError) -> TypesV1.Date {
        try calendarDate(text, flag: flag, form: "дата в виде ДД.ММ.ГГГГ")
    }

    /// The earliest year a typed date may have: anything before is a typo, not a client's date.
    static let earliestYear = 1900

    private static func calendarDate(_ text: String, flag: String, form: String) throws(GatewayError) -> TypesV1.Date {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let fields: (year: Substring, month: Substring, day: Substring)?
        let dotted = trimmed.split(separator: ".", omittingEmptySubsequences: false)
        let dashed = trimmed.split(separator: "-", omittingEmptySubsequences: false)
        if dotted.count == 3, (1...2).contains(dotted[0].count), (1...2).contains(dotted[1].count), dotted[2].count == 4 {
            fields = (dotted[2], dotted[1], dotted[0])
        } else if dashed.count == 3, dashed[0].count == 4, dashed[1].count == 2, dashed[2].count == 2 {
            fields = (dashed[0], dashed[1], dashed[2])
        } else {
            fields = nil
        }
        // Digits only, so no sign, space or letter slips through an integer parse.
        guard let fields, [fields.year, fields.month, fields.day].allSatisfy({ $0.allSatisfy(\.isASCIIDigit) }),
              let year = Int(fields.year), let month = Int(fields.month), let day = Int(fields.day) else {
            throw GatewayError("\(flag): \(form), а не «\(text)»")
        }
        guard year >= earliestYear else { throw GatewayError("\(flag): год не раньше \(earliestYear), а не «\(text)»") }
        guard let date = LocalDate(year: year, month: month, day: day) else {
            throw GatewayError("\(flag): такой даты нет: «\(text)»")
        }
        return date.wire
    }

    /// `ЧЧ:ММ` (the hour of one or two digits, minutes of two).
    public static func parseTime(_ text: String, flag: String) throws(GatewayError) -> TypesV1.TimeOfDay {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, (1...2).contains(parts[0].count), parts[1].count == 2,
              parts.allSatisfy({ $0.allSatisfy(\.isASCIIDigit) }), let hour = Int32(parts[0]), let minute = Int32(parts[1]) else {
            throw GatewayError("\(flag): время в виде ЧЧ:ММ, а не «\(text)»")
        }
        guard (0...23).contains(hour), (0...59).contains(minute) else {
            throw GatewayError("\(flag): такого времени нет: «\(text)»")
        }
        return TypesV1.TimeOfDay(hour: hour, minute: minute)
    }

    public static func time(_ time: TypesV1.TimeOfDay?) -> String {
        guard let time else { return "—" }
        return String(format: "%02d:%02d", time.hour, time.minute)
    }

    public static func localDateTime(_ value: TypesV1.LocalDateTime?) -> String {
        guard let value else { return "—" }
        return Labels.date(value.date) + (value.time.map { " " + time($0) } ?? "")
    }
}
