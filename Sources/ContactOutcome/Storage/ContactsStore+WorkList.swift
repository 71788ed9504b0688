import CRMDomain
import Foundation
import GRDB
import Wire

/// A work-list row as the query returns it.
struct WorkListItem: FetchableRecord, Sendable {
    var processKey: String
    var contractNumber: String
    var borrower: TypesV1.FullName
    var procedure: ContactsV1.CollectionProcedure
    var priority: Int32
    var plannedStart: LocalDate?
    var isNew: Bool

    init(row: Row) throws {
        processKey = row["process_key"]
        contractNumber = row["contract_number"]
        borrower = TypesV1.FullName(surname: row["surname"], name: row["name"], patronymic: row["patronymic"])
        procedure = ContactsV1.CollectionProcedure(rawValue: row["procedure"])
        priority = row["priority"]
        plannedStart = (row["planned_start"] as String?).flatMap(LocalDate.init(iso:))
        isNew = row["is_new"]
    }
}

extension ContactsStore {
    /// Moscow offsets (whole hours) a debtor may be at; the work list asks which are inside
    /// the 230-ФЗ local hours now.
    static let moscowOffsets: ClosedRange<Int32> = -15...15

    /// The rows of a collector's work list that may be offered now, in SQL: in debt, no ban,
    /// campaign not ended, not hidden on the debtor's local today, no kept promise, and for the
    /// creditor-initiated procedures (portfolio, third parties) inside the local hours with the
    /// call caps allowing a call (`next_call_ms`, kept in the transaction that records a call).
    /// The «Рефинансирование по телефону» sub-processes are rows of their own.
    static func workList(
        _ db: Database, collector: String, procedure: ContactsV1.CollectionProcedure, newOnly: Bool, contract: String,
        nowMs: Int64, calendar: ProductionCalendar, offset: Int, limit: Int
    ) throws -> (rows: [WorkListItem], active: Int, new: Int) {
        let callable = moscowOffsets.filter {
            Law230.withinHours(nowMs: nowMs, utcOffsetMinutes: utcOffsetMinutes(moscowOffsetHours: $0), calendar)
        }
        let outgoing = "\(ContactsV1.CollectionProcedure.portfolio.rawValue), \(ContactsV1.CollectionProcedure.portfolioThirdParties.rawValue)"
        let refinancing = ContactsV1.CollectionProcedure.refinancingByPhone.rawValue
        // The debtor's local date today, as ISO text (dates are stored so).
        let localToday = "date(:nowSec + 3600 * (3 + p.moscow_offset), 'unixepoch')"
        var arguments: StatementArguments = ["collector": collector, "now": nowMs, "nowSec": nowMs / 1000]
        var parts: [String] = []
        if procedure != .refinancingByPhone {
            var sql = """
                SELECT p.process_key, p.contract_number, p.surname, p.name, p.patronymic, p.procedure, p.priority,
                       p.planned_start, p.is_new
                FROM portfolio p
                WHERE p.collector_login = :collector AND p.debt_kopecks > 0 AND p.contact_ban = 0 AND p.campaign_ended = 0
                  AND (p.hidden_until IS NULL OR p.hidden_until <= \(localToday))
                  AND NOT (p.promise_made_on IS NOT NULL AND p.last_payment IS NOT NULL AND p.last_payment >= p.promise_made_on)
                  AND (p.procedure NOT IN (\(outgoing))
                       OR (p.next_call_ms <= :now AND p.moscow_offset IN (\(callable.isEmpty ? "NULL" : callable.map(String.init).joined(separator: ", ")))))
                """
            if procedure != .unspecified { sql += " AND p.procedure = :procedure" }
            if newOnly { sql += " AND p.is_new = 1" }
            if !contract.isEmpty { sql += " AND p.contract_number = :contract" }
            parts.append(sql)
        }
        if procedure == .unspecified || procedure == .refinancingByPhone {
            var sql = """
                SELECT r.process_key, p.contract_number, p.surname, p.name, p.patronymic, \(refinancing) AS procedure, p.priority,
                       r.planned_start, r.is_new
                FROM refinancing_process r JOIN portfolio p ON p.contract_number = r.contract_number
                WHERE r.collector_login = :collector AND p.debt_kopecks > 0 AND p.contact_ban = 0 AND p.campaign_ended = 0
                  AND NOT EXISTS (SELECT 1 FROM incoming_call i WHERE i.process_key = r.process_key AND i.status <> 'open')
                """
            if newOnly { sql += " AND r.is_new = 1" }
            if !contract.isEmpty { sql += " AND p.contract_number = :contract" }
            parts.append(sql)
        }
        arguments += ["procedure": procedure.rawValue, "contract": contract, "limit": limit, "offset": offset]
        let union = parts.joined(separator: "\nUNION ALL\n")
        let totals = try Row.fetchOne(db, sql: "SELECT COUNT(*) AS active, TOTAL(is_new) AS new FROM (\(union))", arguments: arguments)
        let rows = try WorkListItem.fetchAll(db, sql: """
            SELECT * FROM (\(union))
            ORDER BY priority DESC, planned_start, contract_number, process_key
            LIMIT :limit OFFSET :offset
            """, arguments: arguments)
        return (rows, totals?["active"] ?? 0, Int(totals?["new"] as Double? ?? 0))
    }

    /// Recomputes when the call caps next allow a call to the contract (after a call, or when
    /// the debtor's time zone changed).
    static func refreshNextCall(_ db: Database, contract: String, nowMs: Int64) throws {
        guard let offset = try Int32.fetchOne(cached: db, sql: "SELECT moscow_offset FROM portfolio WHERE contract_number = ?", arguments: [contract]) else {
            return
        }
        let calls = try Int64.fetchAll(
            cached: db, sql: "SELECT at_ms FROM contact_attempt WHERE contract_number = ? AND channel = ? AND at_ms >= ?",
            arguments: [contract, ContactsV1.ContactChannel.call.rawValue, nowMs - 32 * dayMs]
        )
        let next = Law230.nextCallAllowedMs(calls: calls, utcOffsetMinutes: utcOffsetMinutes(moscowOffsetHours: offset))
        try db.executeCached(sql: "UPDATE portfolio SET next_call_ms = ? WHERE contract_number = ?", arguments: [next, contract])
    }
}

extension ContactsStore {
    /// The most held-back rows computed for one answer: their opening times are computed
    /// row by row, so a huge portfolio is bounded here, not in the SQL.
    static let heldBackScan = 1_000

    /// The portfolio tasks the work list leaves out at this moment because 230-ФЗ holds
    /// them back (the debtor's local hours, or the call caps): how many, and with `list`
    /// up to `limit` of them, soonest opening first, each with the moment it opens.
    static func heldBack(
        _ db: Database, collector: String, procedure: ContactsV1.CollectionProcedure, newOnly: Bool, contract: String,
        nowMs: Int64, calendar: ProductionCalendar, list: Bool, limit: Int
    ) throws -> (count: Int, rows: [ContactsV1.HeldBackRow]) {
        guard procedure != .refinancingByPhone else { return (0, []) }
        let callable = moscowOffsets.filter {
            Law230.withinHours(nowMs: nowMs, utcOffsetMinutes: utcOffsetMinutes(moscowOffsetHours: $0), calendar)
        }
        let outgoing = "\(ContactsV1.CollectionProcedure.portfolio.rawValue), \(ContactsV1.CollectionProcedure.portfolioThirdParties.rawValue)"
        let localToday = "date(:nowSec + 3600 * (3 + p.moscow_offset), 'unixepoch')"
        var sql = """
            FROM portfolio p
            WHERE p.collector_login = :collector AND p.debt_kopecks > 0 AND p.contact_ban = 0 AND p.campaign_ended = 0
              AND (p.hidden_until IS NULL OR p.hidden_until <= \(localToday))
              AND NOT (p.promise_made_on IS NOT NULL AND p.last_payment IS NOT NULL AND p.last_payment >= p.promise_made_on)
              AND p.procedure IN (\(outgoing))
              AND NOT (p.next_call_ms <= :now AND p.moscow_offset IN (\(callable.isEmpty ? "NULL" : callable.map(String.init).joined(separator: ", "))))
            """
        if procedure != .unspecified { sql += " AND p.procedure = :procedure" }
        if newOnly { sql += " AND p.is_new = 1" }
        if !contract.isEmpty { sql += " AND p.contract_number = :contract" }
        let arguments: StatementArguments = [
            "collector": collector, "now": nowMs, "nowSec": nowMs / 1000, "procedure": procedure.rawValue, "contract": contract,
            "scan": heldBackScan,
        ]
        let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) " + sql, arguments: arguments) ?? 0
        guard list, count > 0 else { return (count, []) }
        let found = try Row.fetchAll(db, sql: """
            SELECT p.process_key, p.contract_number, p.surname, p.name, p.patronymic, p.priority, p.moscow_offset, p.next_call_ms
            \(sql)
            ORDER BY p.next_call_ms, p.priority DESC, p.contract_number
            LIMIT :scan
            """, arguments: arguments)
        let rows = try found.map { row -> ContactsV1.HeldBackRow in
            let offset = utcOffsetMinutes(moscowOffsetHours: row["moscow_offset"])
            let callsFrom: Int64 = row["next_call_ms"]
            let contractNumber: String = row["contract_number"]
            let within = Law230.withinHours(nowMs: nowMs, utcOffsetMinutes: offset, calendar)
            var heldBy = ContactsV1.ContactLimit.localHours
            if within {
                let counts = try contactCounts(db, contract: contractNumber, nowMs: nowMs, utcOffset: offset)
                heldBy = Law230.refusal(channel: .call, ban: .unspecified, counts: counts, nowMs: nowMs, utcOffsetMinutes: offset, calendar) ?? .callsPerDay
            }
            let opens = Law230.nextAllowed(after: heldBy, nowMs: nowMs, callsAllowedFromMs: callsFrom, utcOffsetMinutes: offset, calendar) ?? 0
            return ContactsV1.HeldBackRow(
                processKey: row["process_key"], contractNumber: contractNumber,
                borrower: TypesV1.FullName(surname: row["surname"], name: row["name"], patronymic: row["patronymic"]),
                priority: row["priority"], utcOffsetMinutes: Int32(offset), opensAtUnixMs: opens, heldBy: heldBy
            )
        }
        let sorted = rows.sorted { ($0.opensAtUnixMs, -$0.priority, $0.contractNumber) < ($1.opensAtUnixMs, -$1.priority, $1.contractNumber) }
        return (count, Array(sorted.prefix(limit)))
    }
}
