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
        if trimmed.hasPrefix("+"), let days = Int(trimmed.dropFirst()) { return day(after: days) }
        let parts = trimmed.split(whereSeparator: { $0 == "." || $0 == "-" }).compactMap { Int32($0) }
        guard parts.count == 3 else { throw GatewayError("\(flag): дата в виде ДД.ММ.ГГГГ (или +N — через N дней), а не «\(text)»") }
        let (year, month, day) = trimmed.contains("-") ? (parts[0], parts[1], parts[2]) : (parts[2], parts[1], parts[0])
        guard year > 1900, let date = LocalDate(year: Int(year), month: Int(month), day: Int(day)) else {
            throw GatewayError("\(flag): такой даты нет: «\(text)»")
        }
        return date.wire
    }

    /// `ЧЧ:ММ`.
    public static func parseTime(_ text: String, flag: String) throws(GatewayError) -> TypesV1.TimeOfDay {
        let parts = text.split(separator: ":").compactMap { Int32($0) }
        guard parts.count == 2, (0...23).contains(parts[0]), (0...59).contains(parts[1]) else {
            throw GatewayError("\(flag): время в виде ЧЧ:ММ, а не «\(text)»")
        }
        return TypesV1.TimeOfDay(hour: parts[0], minute: parts[1])
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
