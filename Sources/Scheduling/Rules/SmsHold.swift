import CRMDomain

/// Keeps the local-hours rules and the 230-ФЗ caps at the moment of hand-off, not only at
/// acceptance: a retry after backoff, a backlog or a worker that was down overnight can
/// make a message due when its window is closed, or push a collection message onto a
/// day (week, month) whose caps the debtor's other messages already use up. Such a
/// message is not handed off and not refused: it is moved to the next moment both allow
/// (not counted as an attempt); the listing shows the new time. A collection message
/// that goes on another local day than it was due is counted on the day it goes.
public enum SmsHold {
    public enum Decision: Sendable, Hashable {
        /// Goes now.
        case go
        /// Goes now, counted on today: its `due_ms` becomes now.
        case goRedated
        /// Waits until the moment given (its new due time).
        case hold(untilMs: Int64)
        /// No lawful moment within the horizon: fails with `SmsCaps.noMomentLeft`.
        case fail
    }

    /// `others`: the due moments of the debtor's other collection messages (ignored for
    /// any other category).
    public static func decide(_ sms: SmsRecord, others: [Int64], nowMs: Int64, calendar: ProductionCalendar) -> Decision {
        let offset = sms.utcOffsetMinutes
        var allowed = SmsWindow.nextAllowed(sms.category, after: nowMs, utcOffsetMinutes: offset, calendar: calendar)
        var redated = false
        if sms.category == .collection {
            guard let lawful = SmsCaps.nextAllowed(after: nowMs, others: others, utcOffsetMinutes: offset, calendar: calendar) else {
                return .fail
            }
            allowed = lawful
            redated = allowed == nowMs
                && LocalDate.of(unixMs: sms.dueMs, utcOffsetMinutes: offset) != LocalDate.of(unixMs: nowMs, utcOffsetMinutes: offset)
        }
        guard allowed > nowMs else { return redated ? .goRedated : .go }
        return .hold(untilMs: allowed)
    }
}
