import CRMDomain
import Foundation
import GRDB

extension SchedulingStore {
    /// Keeps the local-hours rules and the 230-ФЗ caps at the moment of hand-off, not only at
    /// acceptance: a retry after backoff, a backlog or a worker that was down overnight can
    /// make a message due when its window is closed, or push a collection message onto a
    /// day (week, month) whose caps the debtor's other messages already use up. Such a
    /// message is not handed off and not refused: it is moved to the next moment both allow
    /// (not counted as an attempt); the listing shows the new time. A collection message
    /// that goes on another local day than it was due is counted on the day it goes.
    /// Returns the claimed messages that may go now.
    static func holdOutsideWindow(
        _ db: Database, claimed: [(sms: SmsRecord, earlierClaim: Bool)], nowMs: Int64, calendar: ProductionCalendar
    ) throws -> [(sms: SmsRecord, earlierClaim: Bool)] {
        var ready: [(sms: SmsRecord, earlierClaim: Bool)] = []
        for entry in claimed {
            let sms = entry.sms
            let offset = sms.utcOffsetMinutes
            var allowed = SmsWindow.nextAllowed(sms.category, after: nowMs, utcOffsetMinutes: offset, calendar: calendar)
            if sms.category == .collection {
                let others = try collectionDueTimes(db, card: sms.cardId, contract: sms.contractNumber, excluding: sms.id)
                guard let lawful = SmsCaps.nextAllowed(after: nowMs, others: others, utcOffsetMinutes: offset, calendar: calendar) else {
                    try db.execute(
                        sql: "UPDATE sms SET state = 4, failure_reason = ?, lease_owner = NULL, lease_until_ms = 0 WHERE id = ? AND state = 1",
                        arguments: [SmsCaps.noMomentLeft, sms.id]
                    )
                    continue
                }
                allowed = lawful
                if allowed == nowMs && LocalDate.of(unixMs: sms.dueMs, utcOffsetMinutes: offset) != LocalDate.of(unixMs: nowMs, utcOffsetMinutes: offset) {
                    try db.execute(sql: "UPDATE sms SET due_ms = ? WHERE id = ? AND state = 1", arguments: [nowMs, sms.id])
                }
            }
            guard allowed > nowMs else {
                ready.append(entry)
                continue
            }
            // A message whose earlier hand-off may have gone keeps that mark (its lapsed
            // owner) for the next claim; a fresh one is released.
            try db.execute(
                sql: """
                    UPDATE sms SET due_ms = ?, next_attempt_ms = ?, lease_until_ms = 0,
                                   lease_owner = CASE WHEN ? THEN lease_owner ELSE NULL END
                    WHERE id = ? AND state = 1
                    """,
                arguments: [allowed, allowed, entry.earlierClaim, sms.id]
            )
        }
        return ready
    }
}
