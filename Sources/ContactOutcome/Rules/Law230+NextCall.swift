import CRMDomain
import Foundation
import Wire

extension Law230 {
    /// The first instant after the calls made so far at which the call caps (1 a day, 2 a
    /// week, 8 a month, in the debtor's local calendar) allow one more call; the local hours
    /// are not part of it (they depend only on the clock). Stored per contract when a call is
    /// recorded, so the work list filters in SQL: since every past call is before this instant,
    /// the counters at any later instant are no higher than here, so `next <= now` means the caps allow a call now.
    public static func nextCallAllowedMs(calls: [Int64], utcOffsetMinutes offset: Int) -> Int64 {
        guard let latest = calls.max() else { return 0 }
        let latestDay = LocalDate.of(unixMs: latest, utcOffsetMinutes: offset)
        var t = latestDay.adding(days: 1).unixMs(atMinute: 0, utcOffsetMinutes: offset)
        // Each step moves to the start of a later window; three windows, so a few steps settle it.
        for _ in 0..<8 {
            let c = counts(calls: calls, meetings: [], nowMs: t, utcOffsetMinutes: offset)
            let w = windows(nowMs: t, utcOffsetMinutes: offset)
            let day = LocalDate.of(unixMs: t, utcOffsetMinutes: offset)
            if c.callsThisMonth >= callsPerMonth {
                let first = LocalDate(year: day.year, month: day.month, day: 1)!
                let nextMonth = first.adding(days: 31)
                t = LocalDate(year: nextMonth.year, month: nextMonth.month, day: 1)!.unixMs(atMinute: 0, utcOffsetMinutes: offset)
            } else if c.callsThisWeek >= callsPerWeek {
                t = LocalDate.of(unixMs: w.weekStartMs, utcOffsetMinutes: offset).adding(days: 7).unixMs(atMinute: 0, utcOffsetMinutes: offset)
            } else if c.callsToday >= callsPerDay {
                t = day.adding(days: 1).unixMs(atMinute: 0, utcOffsetMinutes: offset)
            } else {
                return t
            }
        }
        return t
    }
}
