import Foundation
import GRDB

/// The outbox as counted by `GetOutboxStatus`.
public struct OutboxCounts: Sendable, Hashable {
    public var queued: Int
    public var scheduled: Int
    public var awaitingReport: Int
    /// Sent, and no report came within the report timeout.
    public var noReport: Int
    public var failedLast24h: Int
    public var oldestDueAgeMs: Int64
    /// Changes of state waiting for `ContactsReporter` to write them to the contact history.
    public var contactHistoryPending: Int
}

extension SQLiteSchedulingStore {
    static func insertSms(_ db: Database, _ sms: SmsRecord) throws {
        try sms.insert(db)
    }

    static func sms(_ db: Database, id: String) throws -> SmsRecord? {
        try SmsRecord.fetchOne(db, key: id)
    }

    /// The due moments of a debtor's collection messages that count against the caps.
    static func collectionDueTimes(_ db: Database, card: Int64, contract: String, excluding id: String = "") throws -> [Int64] {
        try Int64.fetchAll(
            db,
            sql: """
                SELECT due_ms FROM sms
                WHERE category = 2 AND state IN (1, 2, 3, 6) AND id <> ? AND (contract_number = ? OR (? <> 0 AND card_id = ?))
                """,
            arguments: [id, contract, card, card]
        )
    }

    /// A card's messages, newest first; the cursor is (accepted_ms, rowid) of the last row.
    static func smsOfCard(_ db: Database, card: Int64, after cursor: (Int64, Int64)?, limit: Int) throws -> [(SmsRecord, Int64)] {
        var sql = "SELECT *, rowid AS row_id FROM sms WHERE card_id = ?"
        var arguments: StatementArguments = [card]
        if let cursor {
            sql += " AND (accepted_ms < ? OR (accepted_ms = ? AND rowid < ?))"
            arguments += [cursor.0, cursor.0, cursor.1]
        }
        sql += " ORDER BY accepted_ms DESC, rowid DESC LIMIT ?"
        arguments += [limit]
        return try Row.fetchAll(db, sql: sql, arguments: arguments).map { (try SmsRecord(row: $0), $0["row_id"]) }
    }

    static func cancelQueuedSms(_ db: Database, id: String, reason: String) throws {
        try db.execute(
            sql: "UPDATE sms SET state = 5, failure_reason = ?, lease_owner = NULL WHERE id = ? AND state = 1",
            arguments: [reason, id]
        )
    }

    /// Leases up to `limit` due messages to `owner` until `now + leaseMs`, in one write:
    /// another worker (or replica) sees them leased and skips them until the lease runs out.
    /// Leases up to `limit` due messages to `owner`. `earlierClaim` marks a row still
    /// carrying a lapsed claim: the worker that held it died between the provider and the
    /// record of the outcome, so the message may already have gone.
    static func claimDue(_ db: Database, owner: String, nowMs: Int64, leaseMs: Int64, limit: Int) throws -> [(sms: SmsRecord, earlierClaim: Bool)] {
        let lapsed = Set(try String.fetchAll(
            db, sql: "SELECT id FROM sms WHERE state = 1 AND next_attempt_ms <= ? AND lease_until_ms <= ? AND lease_owner IS NOT NULL",
            arguments: [nowMs, nowMs]
        ))
        try db.execute(
            sql: """
                UPDATE sms SET lease_owner = ?, lease_until_ms = ?
                WHERE id IN (SELECT id FROM sms WHERE state = 1 AND next_attempt_ms <= ? AND lease_until_ms <= ?
                             ORDER BY next_attempt_ms LIMIT ?)
                """,
            arguments: [owner, nowMs + leaseMs, nowMs, nowMs, limit]
        )
        return try SmsRecord.fetchAll(
            db, sql: "SELECT * FROM sms WHERE state = 1 AND lease_owner = ? AND lease_until_ms = ? ORDER BY next_attempt_ms",
            arguments: [owner, nowMs + leaseMs]
        ).map { ($0, lapsed.contains($0.id)) }
    }

    /// The provider took the message: sent (or delivered, for a provider that knows at once).
    static func markHandedOff(_ db: Database, id: String, owner: String, delivered: Bool, nowMs: Int64) throws {
        try db.execute(
            sql: """
                UPDATE sms SET state = ?, sent_ms = ?, delivered_ms = ?, attempts = attempts + 1,
                               lease_owner = NULL, lease_until_ms = 0
                WHERE id = ? AND state = 1 AND lease_owner = ?
                """,
            arguments: [delivered ? SmsStateCode.delivered.rawValue : SmsStateCode.sent.rawValue, nowMs, delivered ? nowMs : 0, id, owner]
        )
    }

    /// A failed hand-off: try again at `nextAttemptMs`, or fail for good with `reason`.
    static func markAttemptFailed(_ db: Database, id: String, owner: String, reason: String, nextAttemptMs: Int64?) throws {
        if let nextAttemptMs {
            try db.execute(
                sql: """
                    UPDATE sms SET attempts = attempts + 1, next_attempt_ms = ?, failure_reason = ?, lease_owner = NULL, lease_until_ms = 0
                    WHERE id = ? AND state = 1 AND lease_owner = ?
                    """,
                arguments: [nextAttemptMs, reason, id, owner]
            )
        } else {
            try db.execute(
                sql: """
                    UPDATE sms SET state = 4, attempts = attempts + 1, failure_reason = ?, lease_owner = NULL, lease_until_ms = 0
                    WHERE id = ? AND state = 1 AND lease_owner = ?
                    """,
                arguments: [reason, id, owner]
            )
        }
    }

    /// Sent messages with no delivery report since `sentBeforeMs` become `noReport`: their
    /// report was lost (Kannel gave up fetching our dlr-url, or its memory went with a
    /// restart). Returns how many changed; each change is reported to contacts (trigger).
    static func markReportsOverdue(_ db: Database, sentBeforeMs: Int64) throws -> Int {
        try db.execute(sql: "UPDATE sms SET state = 6 WHERE state = 2 AND sent_ms <= ?", arguments: [sentBeforeMs])
        return db.changesCount
    }

    /// A delivery report. States only move forward (queued → sent → [no report →] delivered | failed), so a
    /// repeated or late report (accepted after delivered) changes nothing. A report may beat
    /// the worker's own record of the hand-off; the worker's update then finds the row moved
    /// on and leaves it. Returns whether the message exists.
    @discardableResult
    static func applyReport(_ db: Database, id: String, event: DeliveryEvent, nowMs: Int64) throws -> Bool {
        switch event {
        // A report of a still-queued message beat the worker's record of its hand-off (the
        // worker's update then finds the row moved on): the report counts that hand-off.
        case .sent:
            try db.execute(
                sql: "UPDATE sms SET state = 2, sent_ms = ?, attempts = attempts + 1, lease_owner = NULL, lease_until_ms = 0 WHERE id = ? AND state = 1",
                arguments: [nowMs, id]
            )
        case .delivered:
            try db.execute(
                sql: """
                    UPDATE sms SET state = 3, delivered_ms = ?, sent_ms = CASE WHEN sent_ms = 0 THEN ? ELSE sent_ms END,
                                   attempts = attempts + (state = 1), lease_owner = NULL, lease_until_ms = 0
                    WHERE id = ? AND state IN (1, 2, 6)
                    """,
                arguments: [nowMs, nowMs, id]
            )
        case .failed(let reason):
            try db.execute(
                sql: "UPDATE sms SET state = 4, failure_reason = ?, attempts = attempts + (state = 1), lease_owner = NULL, lease_until_ms = 0 WHERE id = ? AND state IN (1, 2, 6)",
                arguments: [reason, id]
            )
        }
        return try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM sms WHERE id = ?)", arguments: [id]) ?? false
    }

    static func outboxCounts(_ db: Database, nowMs: Int64) throws -> OutboxCounts {
        let row = try Row.fetchOne(
            db,
            sql: """
                SELECT
                  (SELECT COUNT(*) FROM sms WHERE state = 1 AND next_attempt_ms <= ?) AS queued,
                  (SELECT COUNT(*) FROM sms WHERE state = 1 AND next_attempt_ms > ?) AS scheduled,
                  (SELECT COUNT(*) FROM sms WHERE state = 2) AS awaiting,
                  (SELECT COUNT(*) FROM sms WHERE state = 6) AS no_report,
                  (SELECT COUNT(*) FROM sms WHERE state = 4 AND accepted_ms > ?) AS failed,
                  (SELECT MIN(due_ms) FROM sms WHERE state = 1 AND next_attempt_ms <= ?) AS oldest,
                  (SELECT COUNT(*) FROM sms_report) AS history_pending
                """,
            arguments: [nowMs, nowMs, nowMs - 86_400_000, nowMs]
        )!
        let oldest: Int64? = row["oldest"]
        return OutboxCounts(
            queued: row["queued"], scheduled: row["scheduled"], awaitingReport: row["awaiting"], noReport: row["no_report"],
            failedLast24h: row["failed"],
            oldestDueAgeMs: oldest.map { max(0, nowMs - $0) } ?? 0,
            contactHistoryPending: row["history_pending"]
        )
    }
}

// MARK: - The contact-history reports

extension SQLiteSchedulingStore {
    static func dueReports(_ db: Database, nowMs: Int64, limit: Int) throws -> [(SmsRecord, Int64, Int)] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT sms.*, sms_report.version AS report_version, sms_report.attempts AS report_attempts
                FROM sms_report JOIN sms ON sms.id = sms_report.sms_id
                WHERE sms_report.next_attempt_ms <= ? ORDER BY sms_report.next_attempt_ms LIMIT ?
                """,
            arguments: [nowMs, limit]
        ).map { (try SmsRecord(row: $0), $0["report_version"], $0["report_attempts"]) }
    }

    /// Delivered: cleared unless a newer change came meanwhile (that one is still to report).
    static func clearReport(_ db: Database, smsID: String, version: Int64) throws {
        try db.execute(sql: "DELETE FROM sms_report WHERE sms_id = ? AND version = ?", arguments: [smsID, version])
    }

    static func postponeReport(_ db: Database, smsID: String, version: Int64, nextAttemptMs: Int64, error: String) throws {
        try db.execute(
            sql: "UPDATE sms_report SET attempts = attempts + 1, next_attempt_ms = ?, last_error = ? WHERE sms_id = ? AND version = ?",
            arguments: [nextAttemptMs, error, smsID, version]
        )
    }

    /// How many SMS states wait to be reported to contacts.
    public func pendingContactReports() async throws -> Int {
        try await read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sms_report") ?? 0 }
    }
}
