import CRMDomain
import Foundation
public import GRDB

extension Database {
    public func products(of cardID: Int64, closed: Bool) throws -> [ProductRecord] {
        try ProductRecord.fetchAll(
            self, sql: "SELECT * FROM product WHERE card_id = ? AND closed = ? ORDER BY open_date DESC, id",
            arguments: [cardID, closed]
        )
    }

    /// Newest first; `cursor` = (occurred_ms, id) of the last row of the previous page.
    public func halvaTransactions(
        of cardID: Int64, productID: String?, before cursor: Paging.Cursor?, limit: Int
    ) throws -> [HalvaTransactionRecord] {
        var sql = "SELECT * FROM halva_transaction WHERE "
        var arguments: StatementArguments
        if let productID {
            sql += "product_id = ?"
            arguments = [productID]
        } else {
            sql += "card_id = ?"
            arguments = [cardID]
        }
        if let cursor {
            sql += " AND (occurred_ms, id) < (?, ?)"
            arguments += [cursor.primary, cursor.secondary]
        }
        sql += " ORDER BY occurred_ms DESC, id DESC LIMIT ?"
        arguments += [limit]
        return try HalvaTransactionRecord.fetchAll(self, sql: sql, arguments: arguments)
    }

    /// The latest bureau decision of the card at or after `sinceMs`.
    public func latestBureauDecision(cardID: Int64, sinceMs: Int64) throws -> BureauDecisionRecord? {
        try BureauDecisionRecord.fetchOne(
            self,
            sql: "SELECT * FROM bureau_decision WHERE card_id = ? AND decided_ms >= ? ORDER BY decided_ms DESC LIMIT 1",
            arguments: [cardID, sinceMs]
        )
    }

    public func hasRejection(cardID: Int64, sinceMs: Int64) throws -> Bool {
        try Bool.fetchOne(
            self,
            sql: "SELECT EXISTS(SELECT 1 FROM bureau_decision WHERE card_id = ? AND decided_ms >= ? AND decision = 2)",
            arguments: [cardID, sinceMs]
        ) ?? false
    }

    public func hasOverdueLoan(cardID: Int64) throws -> Bool {
        try Bool.fetchOne(
            self, sql: "SELECT EXISTS(SELECT 1 FROM loan WHERE card_id = ? AND overdue > 0)", arguments: [cardID]
        ) ?? false
    }

    /// Cards for a call list, in id order after `cursor`, with whether a live phone remains.
    public func callListCandidates(
        types: [CardKind], regionCodes: [String], cardIDs: [Int64], after cursor: Int64?, limit: Int
    ) throws -> [(card: CardRecord, hasLivePhone: Bool)] {
        var conditions: [String] = []
        var arguments: StatementArguments = []
        if !types.isEmpty {
            conditions.append("type IN (\(databaseQuestionMarks(count: types.count)))")
            arguments += StatementArguments(types.map(\.rawValue))
        }
        if !regionCodes.isEmpty {
            conditions.append("region_code IN (\(databaseQuestionMarks(count: regionCodes.count)))")
            arguments += StatementArguments(regionCodes)
        }
        if !cardIDs.isEmpty {
            conditions.append("id IN (\(databaseQuestionMarks(count: cardIDs.count)))")
            arguments += StatementArguments(cardIDs)
        }
        if let cursor {
            conditions.append("id > ?")
            arguments += [cursor]
        }
        let sql = """
            SELECT card.*, EXISTS(SELECT 1 FROM contact WHERE contact.card_id = card.id
                AND contact.phone IS NOT NULL AND contact.struck_out = 0) AS has_live_phone
            FROM card WHERE \(conditions.joined(separator: " AND ")) ORDER BY id LIMIT ?
            """
        arguments += [limit]
        return try Row.fetchAll(self, sql: sql, arguments: arguments).map { row in
            (try CardRecord(row: row), row["has_live_phone"])
        }
    }

    public func existingCardIDs(_ ids: [Int64]) throws -> Set<Int64> {
        guard !ids.isEmpty else { return [] }
        return Set(try Int64.fetchAll(
            self, sql: "SELECT id FROM card WHERE id IN (\(databaseQuestionMarks(count: ids.count)))",
            arguments: StatementArguments(ids)
        ))
    }
}
