import Foundation
import GRDB
import Wire

extension ContactsStore {
    /// Appends a history entry (its `entry_id` set by the caller). `sourceKey` makes reports
    /// from other systems idempotent (`sms:<id>`, `event:<id>`).
    static func insertEntry(
        _ db: Database, _ entry: ContactsV1.HistoryEntry, resultKind: ContactsV1.CallResultKind = .unspecified,
        sourceKey: String? = nil, smsState: TypesV1.SmsState? = nil
    ) throws {
        try db.executeCached(
            sql: """
                INSERT INTO history_entry (entry_id, card_id, contract_number, occurred_ms, action, result_kind, source_key, sms_state, entry)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                entry.entryID, entry.cardID, entry.contractNumber, entry.occurredUnixMs, entry.action.rawValue,
                resultKind.rawValue, sourceKey, smsState?.rawValue, Data(try entry.serializedBytes()),
            ]
        )
    }

    /// The entry recorded under a source key, if any.
    static func entry(_ db: Database, sourceKey: String) throws -> (entry: ContactsV1.HistoryEntry, smsState: Int32?)? {
        guard let row = try Row.fetchOne(cached: db, sql: "SELECT entry, sms_state FROM history_entry WHERE source_key = ?", arguments: [sourceKey]) else {
            return nil
        }
        let bytes: Data = row["entry"]
        return (try ContactsV1.HistoryEntry(serializedBytes: [UInt8](bytes)), row["sms_state"])
    }

    static func replaceEntry(_ db: Database, sourceKey: String, _ entry: ContactsV1.HistoryEntry, smsState: TypesV1.SmsState?) throws {
        // A newer release may have written fields this one does not know: they stay.
        let previous = try Data.fetchOne(cached: db, sql: "SELECT entry FROM history_entry WHERE source_key = ?", arguments: [sourceKey]) ?? Data()
        try db.executeCached(
            sql: "UPDATE history_entry SET entry = ?, sms_state = ?, occurred_ms = ? WHERE source_key = ?",
            arguments: [Data(try entry.serializedBytes(keepingUnknownFieldsOf: previous)), smsState?.rawValue, entry.occurredUnixMs, sourceKey]
        )
    }

    /// Whether the card's history holds «Согласился» at or after `sinceMs`.
    static func agreed(_ db: Database, cardID: Int64, sinceMs: Int64) throws -> Bool {
        try Bool.fetchOne(cached: db, sql: "SELECT EXISTS (SELECT 1 FROM history_entry WHERE card_id = ? AND result_kind = ? AND occurred_ms >= ?)",
            arguments: [cardID, ContactsV1.CallResultKind.agreed.rawValue, sinceMs]
        ) ?? false
    }

    /// A page of a card's or a contract's history, newest first, after a keyset position.
    static func history(
        _ db: Database, cardID: Int64?, contractNumber: String?, actions: [ContactsV1.HistoryAction],
        after cursor: (Int64, Int64)?, limit: Int
    ) throws -> [(occurred: Int64, seq: Int64, entry: ContactsV1.HistoryEntry)] {
        var sql = "SELECT seq, occurred_ms, entry FROM history_entry WHERE "
        var arguments: StatementArguments = []
        if let cardID {
            sql += "card_id = ?"
            arguments += [cardID]
        } else {
            sql += "contract_number = ?"
            arguments += [contractNumber ?? ""]
        }
        if !actions.isEmpty {
            sql += " AND action IN (\(actions.map { _ in "?" }.joined(separator: ",")))"
            arguments += StatementArguments(actions.map(\.rawValue))
        }
        if let (occurred, seq) = cursor {
            sql += " AND (occurred_ms < ? OR (occurred_ms = ? AND seq < ?))"
            arguments += [occurred, occurred, seq]
        }
        sql += " ORDER BY occurred_ms DESC, seq DESC LIMIT ?"
        arguments += [limit]
        return try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
            let bytes: Data = row["entry"]
            return (row["occurred_ms"], row["seq"], try ContactsV1.HistoryEntry(serializedBytes: [UInt8](bytes)))
        }
    }
}
