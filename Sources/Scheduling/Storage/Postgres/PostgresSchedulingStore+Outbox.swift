import CRMDomain
import Foundation
import Logging
import PostgresNIO

extension PostgresSchedulingStore {
    public func claimBatch(
        owner: String, nowMs: Int64, leaseMs: Int64, limit: Int, sweepSentBefore: Int64?, calendar: ProductionCalendar
    ) async throws -> (claimed: [(sms: SmsRecord, earlierClaim: Bool)], overdue: Int) {
        let claimed = try await transaction { connection in
            // Rows another worker's claim holds locked are skipped, not waited for: it is
            // leasing them now, and after its commit their lease keeps everyone else off.
            let rows = try await self.rows(
                """
                WITH due AS (
                    SELECT id, lease_owner IS NOT NULL AS earlier_claim FROM sms
                    WHERE state = 1 AND next_attempt_ms <= \(nowMs) AND lease_until_ms <= \(nowMs)
                    ORDER BY next_attempt_ms LIMIT \(limit)
                    FOR UPDATE SKIP LOCKED
                )
                UPDATE sms SET lease_owner = \(owner), lease_until_ms = \(nowMs + leaseMs)
                FROM due WHERE sms.id = due.id
                RETURNING \(unescaped: Self.qualifiedSmsColumns),
                          due.earlier_claim
                """,
                on: connection
            )
            let claimed = try rows.map { (sms: try SmsRecord(postgres: $0), earlierClaim: try $0.value("earlier_claim", as: Bool.self)) }
                .sorted { $0.sms.nextAttemptMs < $1.sms.nextAttemptMs }
            return try await self.holdOutsideWindow(claimed, nowMs: nowMs, calendar: calendar, on: connection)
        }
        // The sweep is its own statement outside the claim: it touches sent rows only, and a
        // claim must not wait on a long sweep.
        var overdue = 0
        if let sweepSentBefore { overdue = try await markReportsOverdue(sentBeforeMs: sweepSentBefore) }
        return (claimed, overdue)
    }

    /// Applies `SmsHold` to each claimed message in the claim's transaction; returns those that may go now.
    func holdOutsideWindow(
        _ claimed: [(sms: SmsRecord, earlierClaim: Bool)], nowMs: Int64, calendar: ProductionCalendar, on connection: PostgresConnection
    ) async throws -> [(sms: SmsRecord, earlierClaim: Bool)] {
        var ready: [(sms: SmsRecord, earlierClaim: Bool)] = []
        for entry in claimed {
            let sms = entry.sms
            let others = sms.category == .collection
                ? try await collectionDueTimes(card: sms.cardId, contract: sms.contractNumber, excluding: sms.id, on: connection) : []
            switch SmsHold.decide(sms, others: others, nowMs: nowMs, calendar: calendar) {
            case .go:
                ready.append(entry)
            case .goRedated:
                try await connection.query("UPDATE sms SET due_ms = \(nowMs) WHERE id = \(sms.id) AND state = 1", logger: logger)
                ready.append(entry)
            case .fail:
                try await connection.query(
                    """
                    UPDATE sms SET state = 4, failure_reason = \(SmsCaps.noMomentLeft), lease_owner = NULL, lease_until_ms = 0
                    WHERE id = \(sms.id) AND state = 1
                    """,
                    logger: logger
                )
            case .hold(let allowed):
                // A message whose earlier hand-off may have gone keeps that mark (its lapsed
                // owner) for the next claim; a fresh one is released.
                try await connection.query(
                    """
                    UPDATE sms SET due_ms = \(allowed), next_attempt_ms = \(allowed), lease_until_ms = 0,
                                   lease_owner = CASE WHEN \(entry.earlierClaim) THEN lease_owner ELSE NULL END
                    WHERE id = \(sms.id) AND state = 1
                    """,
                    logger: logger
                )
            }
        }
        return ready
    }

    public func release(_ rows: [(id: String, earlierClaim: Bool)], claim owner: String) async throws {
        try await transaction { connection in
            for row in rows {
                try await connection.query(
                    """
                    UPDATE sms SET lease_until_ms = 0, lease_owner = CASE WHEN \(row.earlierClaim) THEN lease_owner ELSE NULL END
                    WHERE id = \(row.id) AND state = 1 AND lease_owner = \(owner)
                    """,
                    logger: self.logger
                )
            }
        }
    }

    public func recordHandOff(id: String, claim owner: String, _ outcome: HandOffOutcome, nowMs: Int64) async throws {
        let query: PostgresQuery = switch outcome {
        case .interrupted:
            "UPDATE sms SET lease_until_ms = 0 WHERE id = \(id) AND state = 1 AND lease_owner = \(owner)"
        case .handedOff(let delivered):
            """
            UPDATE sms SET state = \(delivered ? SmsStateCode.delivered.rawValue : SmsStateCode.sent.rawValue), sent_ms = \(nowMs),
                           delivered_ms = \(delivered ? nowMs : 0), attempts = attempts + 1, lease_owner = NULL, lease_until_ms = 0
            WHERE id = \(id) AND state = 1 AND lease_owner = \(owner)
            """
        case .failed(let reason, let next?):
            """
            UPDATE sms SET attempts = attempts + 1, next_attempt_ms = \(next), failure_reason = \(reason), lease_owner = NULL, lease_until_ms = 0
            WHERE id = \(id) AND state = 1 AND lease_owner = \(owner)
            """
        case .failed(let reason, nil):
            """
            UPDATE sms SET state = 4, attempts = attempts + 1, failure_reason = \(reason), lease_owner = NULL, lease_until_ms = 0
            WHERE id = \(id) AND state = 1 AND lease_owner = \(owner)
            """
        }
        try await client.query(query, logger: logger)
    }

    public func applyReport(id: String, event: DeliveryEvent, nowMs: Int64) async throws -> Bool {
        // States only move forward, as on SQLite (see SQLiteSchedulingStore.applyReport).
        let query: PostgresQuery = switch event {
        case .sent:
            """
            UPDATE sms SET state = 2, sent_ms = \(nowMs), attempts = attempts + 1, lease_owner = NULL, lease_until_ms = 0
            WHERE id = \(id) AND state = 1
            """
        case .delivered:
            """
            UPDATE sms SET state = 3, delivered_ms = \(nowMs), sent_ms = CASE WHEN sent_ms = 0 THEN \(nowMs) ELSE sent_ms END,
                           attempts = attempts + CASE WHEN state = 1 THEN 1 ELSE 0 END, lease_owner = NULL, lease_until_ms = 0
            WHERE id = \(id) AND state IN (1, 2, 6)
            """
        case .failed(let reason):
            """
            UPDATE sms SET state = 4, failure_reason = \(reason), attempts = attempts + CASE WHEN state = 1 THEN 1 ELSE 0 END,
                           lease_owner = NULL, lease_until_ms = 0
            WHERE id = \(id) AND state IN (1, 2, 6)
            """
        }
        return try await transaction { connection in
            try await connection.query(query, logger: self.logger)
            return try await !self.rows("SELECT 1 FROM sms WHERE id = \(id)", on: connection).isEmpty
        }
    }

    public func markReportsOverdue(sentBeforeMs: Int64) async throws -> Int {
        try await rows(
            "WITH moved AS (UPDATE sms SET state = 6 WHERE state = 2 AND sent_ms <= \(sentBeforeMs) RETURNING 1) SELECT COUNT(*) AS n FROM moved"
        ).first?.value("n") ?? 0
    }

    // MARK: - The contact-history reports

    public func dueReports(nowMs: Int64, limit: Int) async throws -> [(SmsRecord, Int64, Int)] {
        try await rows(
            """
            SELECT \(unescaped: Self.qualifiedSmsColumns),
                   sms_report.version AS report_version, sms_report.attempts AS report_attempts
            FROM sms_report JOIN sms ON sms.id = sms_report.sms_id
            WHERE sms_report.next_attempt_ms <= \(nowMs) ORDER BY sms_report.next_attempt_ms LIMIT \(limit)
            """
        ).map { (try SmsRecord(postgres: $0), try $0.value("report_version"), try $0.value("report_attempts")) }
    }

    public func clearReport(smsID: String, version: Int64) async throws {
        try await client.query("DELETE FROM sms_report WHERE sms_id = \(smsID) AND version = \(version)", logger: logger)
    }

    public func postponeReport(smsID: String, version: Int64, nextAttemptMs: Int64, error: String) async throws {
        try await client.query(
            """
            UPDATE sms_report SET attempts = attempts + 1, next_attempt_ms = \(nextAttemptMs), last_error = \(error)
            WHERE sms_id = \(smsID) AND version = \(version)
            """,
            logger: logger
        )
    }

    public func pendingContactReports() async throws -> Int {
        try await rows("SELECT COUNT(*) AS n FROM sms_report").first?.value("n") ?? 0
    }
}
