import CRMDomain
import Foundation
import GRDB

extension SQLiteSchedulingStore {
    /// Applies `SmsHold` to each claimed message in the claim's transaction; returns those
    /// that may go now.
    static func holdOutsideWindow(
        _ db: Database, claimed: [(sms: SmsRecord, earlierClaim: Bool)], nowMs: Int64, calendar: ProductionCalendar
    ) throws -> [(sms: SmsRecord, earlierClaim: Bool)] {
        var ready: [(sms: SmsRecord, earlierClaim: Bool)] = []
        for entry in claimed {
            let sms = entry.sms
            let others = sms.category == .collection
                ? try collectionDueTimes(db, card: sms.cardId, contract: sms.contractNumber, excluding: sms.id) : []
            switch SmsHold.decide(sms, others: others, nowMs: nowMs, calendar: calendar) {
            case .go:
                ready.append(entry)
            case .goRedated:
                try db.execute(sql: "UPDATE sms SET due_ms = ? WHERE id = ? AND state = 1", arguments: [nowMs, sms.id])
                ready.append(entry)
            case .fail:
                try db.execute(
                    sql: "UPDATE sms SET state = 4, failure_reason = ?, lease_owner = NULL, lease_until_ms = 0 WHERE id = ? AND state = 1",
                    arguments: [SmsCaps.noMomentLeft, sms.id]
                )
            case .hold(let allowed):
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
        }
        return ready
    }
}
