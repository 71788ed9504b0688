import CRMDomain
import Foundation
public import Wire

/// The checks a call's prompts make where the answer is typed, so a wrong answer is asked
/// again with its reason instead of being refused by a service after the call is composed.
/// Each throws a `GatewayError` whose message is the reason, in the operator's words.
public enum PromptChecks {
    /// The hours a client may be called back, in the client's local time: never at night.
    public static let daytime = 9 * 60 ..< 21 * 60

    /// A date (ДД.ММ.ГГГГ or +N) that is today or later where the client is.
    public static func dateFromToday(_ text: String, utcOffsetMinutes offset: Int32, now: Date = Date(), what: String = "Дата") throws(GatewayError) -> TypesV1.Date {
        let date = try SchedulingDates.parseDate(text, flag: what)
        let today = SchedulingDates.today(offsetMinutes: Int(offset), now: now)
        if let days = SchedulingDates.days(from: today, to: date), days < 0 {
            throw GatewayError("\(what): \(Labels.date(date)) уже прошла (сегодня у клиента \(Labels.date(today)))")
        }
        return date
    }

    /// A time on `date` that is still ahead where the client is; with `daytimeOnly`, inside
    /// the client's local daytime.
    public static func timeAhead(
        _ text: String, on date: TypesV1.Date, utcOffsetMinutes offset: Int32, daytimeOnly: Bool, now: Date = Date(), what: String = "Время"
    ) throws(GatewayError) -> TypesV1.TimeOfDay {
        let time = try SchedulingDates.parseTime(text, flag: what)
        let minute = Int(time.hour) * 60 + Int(time.minute)
        if daytimeOnly && !daytime.contains(minute) {
            throw GatewayError("\(what): \(SchedulingDates.time(time)) — ночь у клиента; звонить можно с \(clockText(daytime.lowerBound)) до \(clockText(daytime.upperBound)) по его местному времени")
        }
        let nowMs = Int64(now.timeIntervalSince1970 * 1000)
        if let day = LocalDate(date), day.unixMs(atMinute: minute, utcOffsetMinutes: Int(offset)) <= nowMs {
            throw GatewayError("\(what): \(Labels.date(date)) \(SchedulingDates.time(time)) уже прошло (у клиента сейчас \(clockText(LocalDate.minuteOfDay(unixMs: nowMs, utcOffsetMinutes: Int(offset)))))")
        }
        return time
    }

    /// The default callback time the prompt shows: the next whole hour of the client's day
    /// when `date` is today and that hour is still daytime, else the start of the daytime
    /// plus an hour (10:00).
    public static func defaultCallbackTime(on date: TypesV1.Date, utcOffsetMinutes offset: Int32, now: Date = Date()) -> TypesV1.TimeOfDay {
        let nowMs = Int64(now.timeIntervalSince1970 * 1000)
        let today = SchedulingDates.today(offsetMinutes: Int(offset), now: now)
        let morning = TypesV1.TimeOfDay(hour: Int32(daytime.lowerBound / 60 + 1), minute: 0)
        guard today == date else { return morning }
        let nextHour = (LocalDate.minuteOfDay(unixMs: nowMs, utcOffsetMinutes: Int(offset)) / 60 + 1) * 60
        guard daytime.contains(nextHour) else { return morning }
        return TypesV1.TimeOfDay(hour: Int32(nextHour / 60), minute: 0)
    }

    /// The client's local «now» as the operator reads it.
    public static func localNow(utcOffsetMinutes offset: Int32, now: Date = Date()) -> String {
        let nowMs = Int64(now.timeIntervalSince1970 * 1000)
        return "\(Labels.date(SchedulingDates.today(offsetMinutes: Int(offset), now: now))) \(clockText(LocalDate.minuteOfDay(unixMs: nowMs, utcOffsetMinutes: Int(offset))))"
    }

    /// A phone number as typed, reduced to its 10 digits.
    public static func phone(_ text: String) throws(GatewayError) -> String {
        guard let digits = NationalPhone(text)?.digits else {
            throw GatewayError("«\(text)»: \(NationalPhone.invalidMessage)")
        }
        return digits
    }

    /// A whole number from `range` (the employees an МПП delivery covers).
    public static func count(_ text: String, in range: ClosedRange<Int32>, what: String) throws(GatewayError) -> Int32 {
        guard let value = Int32(text.trimmingCharacters(in: .whitespaces)), range.contains(value) else {
            throw GatewayError("\(what): целое число от \(range.lowerBound) до \(range.upperBound), а не «\(text)»")
        }
        return value
    }
}
