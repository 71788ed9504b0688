import Foundation

/// A calendar date without a zone (a birth date, a visit day, a callback day, a local day of
/// a debtor). Stored as `YYYY-MM-DD`, so text order is date order.
public struct LocalDate: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int

    /// Nil when not a real date of the Gregorian calendar.
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
              (1...LocalDate.daysIn(month: month, year: year)).contains(day) else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Exactly `YYYY-MM-DD` in ASCII digits (the form `description` writes): a calendar file
    /// or a stored date in any other shape is an error, not a guess.
    public init?(iso text: String) {
        let fields = text.split(separator: "-", omittingEmptySubsequences: false)
        guard fields.count == 3, fields[0].count == 4, fields[1].count == 2, fields[2].count == 2,
              fields.allSatisfy({ $0.allSatisfy(\.isASCIIDigit) }),
              let year = Int(fields[0]), let month = Int(fields[1]), let day = Int(fields[2]) else { return nil }
        self.init(year: year, month: month, day: day)
    }

    public var description: String {
        "\(Self.pad(year, 4))-\(Self.pad(month, 2))-\(Self.pad(day, 2))"
    }

    /// «25.10.2017»
    public var russian: String { "\(Self.pad(day, 2)).\(Self.pad(month, 2)).\(Self.pad(year, 4))" }

    static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }

    public static func < (a: LocalDate, b: LocalDate) -> Bool { (a.year, a.month, a.day) < (b.year, b.month, b.day) }

    public static func isLeap(_ year: Int) -> Bool { (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 }

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 (Howard Hinnant's days-from-civil).
    public var daysSinceEpoch: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    public init(daysSinceEpoch days: Int) {
        let z = days + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        self.year = yoe + era * 400 + (m <= 2 ? 1 : 0)
        self.month = m
        self.day = d
    }

    public func adding(days: Int) -> LocalDate { LocalDate(daysSinceEpoch: daysSinceEpoch + days) }

    /// 1 = Monday ... 7 = Sunday (1970-01-01 was a Thursday).
    public var weekday: Int {
        let days = daysSinceEpoch
        return ((days + 3) % 7 + 7) % 7 + 1
    }

    /// The local date of an instant at a UTC offset. Total for every Int64 and offset: the
    /// instant is split into whole days and the rest before the offset is added, so no sum
    /// can overflow (requests are bounded by `FieldBounds`; this keeps a missed bound from
    /// trapping the process).
    public static func of(unixMs: Int64, utcOffsetMinutes: Int) -> LocalDate {
        LocalDate(daysSinceEpoch: Int(local(unixMs, utcOffsetMinutes).days))
    }

    /// Minutes since local midnight of an instant at a UTC offset.
    public static func minuteOfDay(unixMs: Int64, utcOffsetMinutes: Int) -> Int {
        Int(local(unixMs, utcOffsetMinutes).msOfDay / 60_000)
    }

    private static let dayMs: Int64 = 86_400_000

    /// Whole local days since the epoch and milliseconds into the local day, by floor division.
    private static func local(_ unixMs: Int64, _ utcOffsetMinutes: Int) -> (days: Int64, msOfDay: Int64) {
        var days = unixMs / dayMs
        var rest = unixMs % dayMs
        if rest < 0 {
            days -= 1
            rest += dayMs
        }
        // An offset beyond ±10^12 minutes is no offset; clamped, the sums below stay far from overflow.
        let offsetMs = Int64(clamping: max(-1_000_000_000_000, min(1_000_000_000_000, utcOffsetMinutes))) * 60_000
        let shifted = rest + offsetMs % dayMs
        days += offsetMs / dayMs
        days += shifted >= 0 ? shifted / dayMs : -1
        return (days, (shifted % dayMs + dayMs) % dayMs)
    }

    /// The instant of `minute` (since local midnight) on this date at a UTC offset; saturates
    /// at the ends of Int64 instead of trapping for a date no request can name.
    public func unixMs(atMinute minute: Int, utcOffsetMinutes: Int) -> Int64 {
        let (dayStart, overDays) = Int64(clamping: daysSinceEpoch).multipliedReportingOverflow(by: Self.dayMs)
        let (shift, overShift) = Int64(clamping: minute).subtractingReportingOverflow(Int64(clamping: utcOffsetMinutes))
        let (shiftMs, overShiftMs) = shift.multipliedReportingOverflow(by: 60_000)
        let (instant, overSum) = dayStart.addingReportingOverflow(shiftMs)
        guard overDays || overShift || overShiftMs || overSum else { return instant }
        return daysSinceEpoch < 0 ? .min : .max
    }

    /// Full years from this (birth) date to `today`.
    public func age(on today: LocalDate) -> Int {
        var years = today.year - year
        if (today.month, today.day) < (month, day) { years -= 1 }
        return max(0, years)
    }
}

/// «09:30» from minutes since midnight.
public func clockText(_ minute: Int) -> String {
    "\(LocalDate.pad(minute / 60, 2)):\(LocalDate.pad(minute % 60, 2))"
}
