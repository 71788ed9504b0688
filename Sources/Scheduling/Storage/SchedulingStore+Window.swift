import Foundation
import GRDB

extension SchedulingStore {
    /// Keeps the local-hours rules at the moment of hand-off, not only at acceptance: a retry
    /// after backoff, a backlog or a worker that was down overnight can make a message due
    /// when its window is closed. Such a message is not handed off but moved to the next
    /// allowed moment (not counted as an attempt); a collection message moved onto a day
    /// whose 230-ФЗ caps are already used up fails with the cap named instead.
    /// Returns the claimed messages that may go now.
    static func holdOutsideWindow(
        _ db: Database, claimed: [(sms: SmsRecord, earlierClaim: Bool)], nowMs: Int64, calendar: ProductionCalendar
    ) throws -> [(sms: SmsRecord, earlierClaim: Bool)] {
        var ready: [(sms: SmsRecord, earlierClaim: Bool)] = []
        for entry in claimed {
            let sms = entry.sms
            let allowed = SmsWindow.nextAllowed(sms.category, after: nowMs, utcOffsetMinutes: sms.utcOffsetMinutes, calendar: calendar)
            guard allowed > nowMs else {
                ready.append(entry)
                continue
            }
            if sms.category == .collection {
                let others = try collectionDueTimes(db, card: sms.cardId, contract: sms.contractNumber, excluding: sms.id)
                if let violation = SmsCaps.violation(dueMs: allowed, others: others, utcOffsetMinutes: sms.utcOffsetMinutes) {
                    try db.execute(
                        sql: "UPDATE sms SET state = 4, failure_reason = ?, lease_owner = NULL, lease_until_ms = 0 WHERE id = ? AND state = 1",
                        arguments: ["Не отправлено вне разрешенного времени: " + violation.rule, sms.id]
                    )
                    continue
                }
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
