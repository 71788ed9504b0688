import CRMDomain
import Foundation
import GRDB
import Wire

/// A row of `portfolio`: one debtor contract as the loan system reports it, with what the
/// incoming calls did to its place in the work list.
struct PortfolioRow: FetchableRecord, Sendable {
    var contractNumber: String
    var cardID: Int64
    var borrower: TypesV1.FullName
    var moscowOffset: Int32
    var collectorLogin: String
    var procedure: ContactsV1.CollectionProcedure
    var priority: Int32
    var plannedStart: LocalDate?
    var debtKopecks: Int64
    var overdueKopecks: Int64
    var overdueDays: Int32
    var lastPayment: LocalDate?
    var contactBan: ContactsV1.ContactBan
    var hiddenUntil: LocalDate?
    var promiseMadeOn: LocalDate?
    var campaignEnded: Bool
    var isNew: Bool
    var processKey: String

    init(row: Row) throws {
        contractNumber = row["contract_number"]
        cardID = row["card_id"]
        borrower = TypesV1.FullName(surname: row["surname"], name: row["name"], patronymic: row["patronymic"])
        moscowOffset = row["moscow_offset"]
        collectorLogin = row["collector_login"]
        procedure = ContactsV1.CollectionProcedure(rawValue: row["procedure"])
        priority = row["priority"]
        plannedStart = (row["planned_start"] as String?).flatMap(LocalDate.init(iso:))
        debtKopecks = row["debt_kopecks"]
        overdueKopecks = row["overdue_kopecks"]
        overdueDays = row["overdue_days"]
        lastPayment = (row["last_payment"] as String?).flatMap(LocalDate.init(iso:))
        contactBan = ContactsV1.ContactBan(rawValue: row["contact_ban"])
        hiddenUntil = (row["hidden_until"] as String?).flatMap(LocalDate.init(iso:))
        promiseMadeOn = (row["promise_made_on"] as String?).flatMap(LocalDate.init(iso:))
        campaignEnded = row["campaign_ended"]
        isNew = row["is_new"]
        processKey = row["process_key"]
    }

    var utcOffset: Int { utcOffsetMinutes(moscowOffsetHours: moscowOffset) }

    func today(nowMs: Int64) -> LocalDate { LocalDate.of(unixMs: nowMs, utcOffsetMinutes: utcOffset) }

    func onWorkList(nowMs: Int64) -> Bool {
        CollectionRules.onWorkList(
            debtKopecks: debtKopecks, ban: contactBan, campaignEnded: campaignEnded, hiddenUntil: hiddenUntil,
            promiseMadeOn: promiseMadeOn, lastPayment: lastPayment, today: today(nowMs: nowMs)
        )
    }

    /// The procedures whose rows are creditor-initiated calls, so 230-ФЗ decides whether they are offered.
    var isOutgoing: Bool { procedure == .portfolio || procedure == .portfolioThirdParties }
}

extension ContactsStore {
    static func portfolio(_ db: Database, contract: String) throws -> PortfolioRow? {
        try PortfolioRow.fetchOne(cached: db, sql: "SELECT * FROM portfolio WHERE contract_number = ?", arguments: [contract])
    }

    /// Upserts contracts by number; what the incoming calls set (hidden until, promise, ended) stays.
    static func upsertPortfolio(_ db: Database, _ contracts: [ContactsV1.PortfolioContract], nowMs: Int64) throws -> ContactsV1.UpsertPortfolioResponse {
        var response = ContactsV1.UpsertPortfolioResponse()
        for c in contracts {
            let exists = try portfolio(db, contract: c.contractNumber) != nil
            let values: [(String, (any DatabaseValueConvertible)?)] = [
                ("card_id", c.cardID), ("surname", c.borrower?.surname ?? ""), ("name", c.borrower?.name ?? ""),
                ("patronymic", c.borrower?.patronymic ?? ""), ("region_code", c.region?.code ?? ""),
                ("moscow_offset", c.region?.moscowOffsetHours ?? 0), ("collector_login", c.collectorLogin),
                ("procedure", c.procedure.rawValue), ("priority", c.priority),
                ("planned_start", LocalDate(c.plannedStart)?.description ?? ""), ("debt_kopecks", c.debtKopecks),
                ("overdue_kopecks", c.overdueKopecks), ("overdue_days", c.overdueDays),
                ("last_payment", LocalDate(c.lastPaymentDate)?.description), ("contact_ban", c.contactBan.rawValue),
            ]
            if exists {
                try db.execute(
                    sql: "UPDATE portfolio SET \(values.map { "\($0.0) = ?" }.joined(separator: ", ")) WHERE contract_number = ?",
                    arguments: StatementArguments(values.map(\.1) + [c.contractNumber])
                )
                // The debtor's time zone may have changed: the call caps count in local days.
                try refreshNextCall(db, contract: c.contractNumber, nowMs: nowMs)
                response.updated += 1
            } else {
                try db.execute(
                    sql: "INSERT INTO portfolio (contract_number, process_key, \(values.map(\.0).joined(separator: ", "))) VALUES (?, ?, \(values.map { _ in "?" }.joined(separator: ", ")))",
                    arguments: StatementArguments([c.contractNumber, "СВВ-" + UUID().uuidString.prefix(8).lowercased()] + values.map(\.1))
                )
                response.inserted += 1
            }
        }
        return response
    }

    /// The 230-ФЗ counters of a contract now, in the debtor's local calendar.
    static func contactCounts(_ db: Database, contract: String, nowMs: Int64, utcOffset: Int) throws -> ContactsV1.ContactCounts {
        let since = nowMs - 32 * dayMs
        let rows = try Row.fetchAll(cached: db, sql: "SELECT channel, at_ms FROM contact_attempt WHERE contract_number = ? AND at_ms >= ?", arguments: [contract, since]
        )
        let calls = rows.filter { $0["channel"] == ContactsV1.ContactChannel.call.rawValue }.map { $0["at_ms"] as Int64 }
        let meetings = rows.filter { $0["channel"] == ContactsV1.ContactChannel.meeting.rawValue }.map { $0["at_ms"] as Int64 }
        return Law230.counts(calls: calls, meetings: meetings, nowMs: nowMs, utcOffsetMinutes: utcOffset)
    }

    static func startRefinancing(_ db: Database, processKey: String, contract: String, collector: String, today: LocalDate, nowMs: Int64) throws {
        try db.executeCached(
            sql: """
                INSERT INTO refinancing_process (process_key, contract_number, collector_login, planned_start, created_ms)
                VALUES (?, ?, ?, ?, ?) ON CONFLICT (process_key) DO NOTHING
                """,
            arguments: [processKey, contract, collector, today.description, nowMs]
        )
    }

}
