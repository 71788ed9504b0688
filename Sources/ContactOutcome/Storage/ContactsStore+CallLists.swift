import CRMDomain
import Foundation
import GRDB
import Wire

extension ContactsStore {
    static func isDoNotDisturb(_ db: Database, cardID: Int64) throws -> Bool {
        try Bool.fetchOne(cached: db, sql: "SELECT EXISTS (SELECT 1 FROM do_not_disturb WHERE card_id = ?)", arguments: [cardID]) ?? false
    }

    /// Adds cards to a campaign's list: new ones are due now; listed ones are counted;
    /// «Не беспокоить» cards are skipped.
    static func loadCallList(
        _ db: Database, campaignID: String, entries: [ContactsV1.CallListEntry], nowMs: Int64
    ) throws -> ContactsV1.LoadCallListResponse {
        var response = ContactsV1.LoadCallListResponse()
        for entry in entries {
            if try isDoNotDisturb(db, cardID: entry.cardID) {
                response.skippedDoNotDisturb += 1
                continue
            }
            try db.executeCached(
                sql: """
                    INSERT INTO call_list (campaign_id, card_id, region_code, moscow_offset, due_ms, due_reason, added_ms)
                    VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (campaign_id, card_id) DO NOTHING
                    """,
                arguments: [campaignID, entry.cardID, entry.region?.code ?? "", entry.region?.moscowOffsetHours ?? 0,
                            nowMs, ContactsV1.DueReason.new.rawValue, nowMs]
            )
            if db.changesCount > 0 { response.added += 1 } else { response.alreadyListed += 1 }
        }
        return response
    }

    /// Leases the next due client to `login` in this transaction: this operator's callbacks
    /// first, then callbacks an hour overdue, then retries and «Подумаю», then new clients.
    /// Write transactions are serialized, so two operators never get the same client.
    static func nextClient(
        _ db: Database, campaignID: String, login: String, nowMs: Int64, leaseMs: Int64
    ) throws -> ContactsV1.NextClientResponse {
        let callback = ContactsV1.DueReason.callback.rawValue
        let thinking = ContactsV1.DueReason.thinking.rawValue
        let retry = ContactsV1.DueReason.retry.rawValue
        let free = """
            campaign_id = :campaign AND status = 'active'
            AND (lease_id IS NULL OR lease_expires_ms <= :now)
            AND (hold_login IS NULL OR hold_login = :me OR due_ms + :hold <= :now)
            AND card_id NOT IN (SELECT card_id FROM do_not_disturb)
            """
        let arguments: StatementArguments = ["campaign": campaignID, "now": nowMs, "me": login, "hold": CallListRules.callbackHoldMs]
        let row = try CallListRow.fetchOne(cached: db, sql: """
            SELECT * FROM call_list WHERE \(free) AND due_ms <= :now
            ORDER BY CASE WHEN hold_login = :me AND due_reason IN (\(callback), \(thinking)) THEN 0
                          WHEN due_reason = \(callback) THEN 1
                          WHEN due_reason IN (\(thinking), \(retry)) THEN 2
                          ELSE 3 END,
                     due_ms, card_id
            LIMIT 1
            """, arguments: arguments)
        guard let row else {
            // Nobody due now: when the next one will be (a held callback counts from when anyone may take it).
            let next = try Int64.fetchOne(cached: db, sql: """
                SELECT MIN(CASE WHEN hold_login IS NOT NULL AND hold_login <> :me THEN MAX(due_ms + :hold, due_ms) ELSE due_ms END)
                FROM call_list WHERE campaign_id = :campaign AND status = 'active'
                AND card_id NOT IN (SELECT card_id FROM do_not_disturb)
                """, arguments: arguments)
            return ContactsV1.NextClientResponse(lease: nil, nextDueUnixMs: next.map { max($0, nowMs) } ?? 0)
        }
        let leaseID = RecordID.make(unixMs: nowMs)
        let expires = nowMs + leaseMs
        try db.executeCached(
            sql: """
                UPDATE call_list SET lease_id = ?, lease_login = ?, lease_expires_ms = ?, lease_in_session = 0
                WHERE campaign_id = ? AND card_id = ?
                """,
            arguments: [leaseID, login, expires, campaignID, row.cardID]
        )
        return ContactsV1.NextClientResponse(lease: ContactsV1.CallLease(
            leaseID: leaseID, campaignID: campaignID, cardID: row.cardID, expiresUnixMs: expires,
            dueReason: ContactsV1.DueReason(rawValue: row.dueReason), dueUnixMs: row.dueMs, attempt: Int32(row.attempts + 1)
        ))
    }

    static func lease(_ db: Database, leaseID: String) throws -> CallListRow? {
        try CallListRow.fetchOne(cached: db, sql: "SELECT * FROM call_list WHERE lease_id = ?", arguments: [leaseID])
    }

    /// Gives a leased client back untouched.
    static func releaseLease(_ db: Database, leaseID: String) throws {
        try db.executeCached(
            sql: "UPDATE call_list SET lease_id = NULL, lease_login = NULL, lease_expires_ms = NULL, lease_in_session = 0 WHERE lease_id = ?",
            arguments: [leaseID]
        )
    }

    /// Holds a lease for an opening session; FAILED_PRECONDITION when it is not usable.
    static func attachLease(
        _ db: Database, leaseID: String, login: String, cardID: Int64, campaignID: String, nowMs: Int64, sessionMs: Int64
    ) throws {
        guard let row = try lease(db, leaseID: leaseID), row.leaseLogin == login else {
            throw RuleError.failedPrecondition("Клиент из списка выдан другому оператору или возвращен в список", field: "lease_id")
        }
        guard !row.leaseInSession, let expires = row.leaseExpiresMs, expires > nowMs else {
            throw RuleError.failedPrecondition("Время на звонок клиенту из списка истекло, запросите следующего клиента", field: "lease_id")
        }
        guard row.cardID == cardID, row.campaignID == campaignID else {
            throw RuleError.failedPrecondition("Клиент из списка не совпадает с карточкой или кампанией звонка", field: "lease_id")
        }
        try db.executeCached(
            sql: "UPDATE call_list SET lease_in_session = 1, lease_expires_ms = ? WHERE lease_id = ?",
            arguments: [nowMs + sessionMs, leaseID]
        )
    }

    /// Applies a saved result to the campaign's list; returns the effect that applied.
    static func applyOutcome(
        _ db: Database, result: ContactsV1.CallResult, campaign: ContactsV1.Campaign, cardID: Int64,
        login: String, entryID: String, sessionLeaseID: String?, nowMs: Int64
    ) throws -> CallListRules.Outcome {
        let row = try CallListRow.fetchOne(cached: db, sql: "SELECT * FROM call_list WHERE campaign_id = ? AND card_id = ?", arguments: [campaign.campaignID, cardID]
        )
        let outcome = CallListRules.outcome(of: result, campaign: campaign, attemptsBefore: row?.attempts ?? 0, nowMs: nowMs)
        if outcome.effect == .offAllCampaigns {
            try db.executeCached(
                sql: "INSERT INTO do_not_disturb (card_id, since_ms, entry_id) VALUES (?, ?, ?) ON CONFLICT (card_id) DO NOTHING",
                arguments: [cardID, nowMs, entryID]
            )
            try db.executeCached(
                sql: "UPDATE call_list SET status = 'done', lease_id = NULL, lease_login = NULL, lease_expires_ms = NULL, lease_in_session = 0 WHERE card_id = ?",
                arguments: [cardID]
            )
            return outcome
        }
        guard row != nil else { return CallListRules.Outcome(effect: .none, attempts: outcome.attempts) }
        // The session's lease may have lapsed (an abandoned call) and the client been leased to
        // someone else since: their lease stays.
        let foreignLease = row?.leaseID != nil && row?.leaseID != sessionLeaseID && (row?.leaseExpiresMs ?? 0) > nowMs
        let clearLease = foreignLease ? "lease_in_session = lease_in_session" : "lease_id = NULL, lease_login = NULL, lease_expires_ms = NULL, lease_in_session = 0"
        switch outcome.effect {
        case .returnsAt:
            try db.executeCached(
                sql: "UPDATE call_list SET \(clearLease), due_ms = ?, due_reason = ?, hold_login = ?, attempts = ? WHERE campaign_id = ? AND card_id = ?",
                arguments: [outcome.returnAtMs, outcome.dueReason.rawValue, login, outcome.attempts, campaign.campaignID, cardID]
            )
        case .retryAt:
            try db.executeCached(
                sql: "UPDATE call_list SET \(clearLease), due_ms = ?, due_reason = ?, hold_login = NULL, attempts = ? WHERE campaign_id = ? AND card_id = ?",
                arguments: [outcome.returnAtMs, outcome.dueReason.rawValue, outcome.attempts, campaign.campaignID, cardID]
            )
        case .attemptsExhausted, .offCampaign:
            try db.executeCached(
                sql: "UPDATE call_list SET \(clearLease), status = 'done', attempts = ? WHERE campaign_id = ? AND card_id = ?",
                arguments: [outcome.attempts, campaign.campaignID, cardID]
            )
        default:
            // Нецелевой, Отказался, Халва, Консультация...: no return is scheduled (effect NONE),
            // and the client is not offered again on this campaign — nobody should call twice.
            try db.executeCached(
                sql: "UPDATE call_list SET \(clearLease), status = 'done', attempts = ? WHERE campaign_id = ? AND card_id = ?",
                arguments: [outcome.attempts, campaign.campaignID, cardID]
            )
        }
        return outcome
    }
}
