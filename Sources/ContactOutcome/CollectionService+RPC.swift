import Auth
import CRMAPI
import CRMDomain
import Foundation
import GRDB
public import RPCCore
public import Wire

/// `crm.contacts.v1.Collection`: the collector's work list, the debtor portfolio, and the
/// 230-ФЗ check of creditor-initiated contacts.
public struct CollectionService: ContactsV1.Collection.ServiceProtocol {
    public let environment: ContactsEnvironment
    var store: ContactsStore { environment.store }
    public static let maxUpsert = 1_000

    public init(environment: ContactsEnvironment) {
        self.environment = environment
    }

    public func getWorkList(request: ContactsV1.GetWorkListRequest, context: ServerContext) async throws -> ContactsV1.GetWorkListResponse {
        let claims = try context.requireRole([.collector], rule: Access.collectorRule)
        try FieldBounds.check(request, context)
        let size = try Paging.size(request.pageSize)
        let offset = Int(try Paging.cursor(request.pageToken)?.primary ?? 0)
        let now = environment.nowMs()
        let calendar = environment.calendar
        let (list, held) = try await store.read { db in
            let list = try ContactsStore.workList(
                db, collector: claims.login, procedure: request.procedure, newOnly: request.newOnly, contract: request.contractNumber,
                nowMs: now, calendar: calendar, offset: offset, limit: size
            )
            let held = try ContactsStore.heldBack(
                db, collector: claims.login, procedure: request.procedure, newOnly: request.newOnly, contract: request.contractNumber,
                nowMs: now, calendar: calendar, list: request.includeHeldBack, limit: size
            )
            return (list, held)
        }
        return ContactsV1.GetWorkListResponse(
            activeCount: Int32(list.active), newCount: Int32(list.new),
            rows: list.rows.map {
                ContactsV1.WorkListRow(
                    processKey: $0.processKey, contractNumber: $0.contractNumber, borrower: $0.borrower, procedure: $0.procedure,
                    priority: $0.priority, plannedStart: $0.plannedStart?.wire, isNew: $0.isNew
                )
            },
            // Compared without a sum: the offset comes from the caller's token, up to Int64.max.
            nextPageToken: list.active - offset > size ? Paging.Cursor(Int64(offset + size), 0).token : "",
            heldBackCount: Int32(held.count), heldBack: held.rows
        )
    }

    public func upsertPortfolio(request: ContactsV1.UpsertPortfolioRequest, context: ServerContext) async throws -> ContactsV1.UpsertPortfolioResponse {
        try context.requireRole([.system], rule: Access.systemRule)
        try FieldBounds.check(request, context)
        guard request.contracts.count <= Self.maxUpsert else {
            throw RuleError.invalidArgument(field: "contracts", "Не более \(Self.maxUpsert) договоров за раз")
        }
        if let index = request.contracts.firstIndex(where: { $0.contractNumber.isEmpty }) {
            throw RuleError.invalidArgument(field: "contracts[\(index)].contract_number", "Не указан номер договора")
        }
        if let index = request.contracts.firstIndex(where: { $0.debtKopecks < 0 }) {
            throw RuleError.invalidArgument(field: "contracts[\(index)].debt_kopecks", "Задолженность не может быть отрицательной")
        }
        let now = environment.nowMs()
        return try await store.write { db in try ContactsStore.upsertPortfolio(db, request.contracts, nowMs: now) }
    }

    public func recordContactAttempt(
        request: ContactsV1.RecordContactAttemptRequest, context: ServerContext
    ) async throws -> ContactsV1.RecordContactAttemptResponse {
        let claims = try context.requireRole([.collector], rule: Access.collectorRule)
        try FieldBounds.check(request, context)
        guard request.channel == .call || request.channel == .meeting else {
            throw RuleError.invalidArgument(field: "channel", "Укажите способ взаимодействия: звонок или встреча")
        }
        let phone = request.channel == .call && !request.phone.isEmpty ? try NationalPhone(request.phone, field: "phone").digits : ""
        let now = environment.nowMs()
        let calendar = environment.calendar
        return try await store.write { db in
            guard let row = try ContactsStore.portfolio(db, contract: request.contractNumber) else {
                throw RuleError.notFound(field: "contract_number", "Договор \(request.contractNumber) не найден")
            }
            var counts = try ContactsStore.contactCounts(db, contract: row.contractNumber, nowMs: now, utcOffset: row.utcOffset)
            if let limit = Law230.refusal(
                channel: request.channel, ban: row.contactBan, counts: counts, nowMs: now, utcOffsetMinutes: row.utcOffset, calendar
            ) {
                if request.dryRun {
                    let callsFrom = try Int64.fetchOne(
                        db, sql: "SELECT next_call_ms FROM portfolio WHERE contract_number = ?", arguments: [row.contractNumber]
                    ) ?? 0
                    let next = Law230.nextAllowed(
                        after: limit, nowMs: now, callsAllowedFromMs: callsFrom, utcOffsetMinutes: row.utcOffset, calendar
                    )
                    return ContactsV1.RecordContactAttemptResponse(
                        allowed: false, refusedBy: limit, counts: counts, debtorUtcOffsetMinutes: Int32(row.utcOffset), nextAllowedUnixMs: next ?? 0
                    )
                }
                throw RuleError.failedPrecondition(Law230.message(limit), field: Law230.field(limit))
            }
            if request.dryRun {
                return ContactsV1.RecordContactAttemptResponse(allowed: true, counts: counts, debtorUtcOffsetMinutes: Int32(row.utcOffset))
            }
            try db.executeCached(
                sql: "INSERT INTO contact_attempt (contract_number, channel, at_ms) VALUES (?, ?, ?)",
                arguments: [row.contractNumber, request.channel.rawValue, now]
            )
            try db.executeCached(sql: "UPDATE portfolio SET is_new = 0 WHERE contract_number = ?", arguments: [row.contractNumber])
            if request.channel == .call { try ContactsStore.refreshNextCall(db, contract: row.contractNumber, nowMs: now) }
            let entryID = RecordID.make(unixMs: now)
            try ContactsStore.insertEntry(db, ContactsV1.HistoryEntry(
                entryID: entryID, occurredUnixMs: now, action: request.channel == .call ? .outgoingCall : .unspecified,
                actionLabel: request.channel == .call ? "Исходящий звонок" : "Личная встреча", resultLabel: "Контакт учтен",
                cardID: row.cardID, contractNumber: row.contractNumber, operator: claims.operatorRef,
                details: .collection(ContactsV1.CollectionContactDetails(channel: request.channel, phone: phone))
            ))
            if request.channel == .call {
                counts.callsToday += 1
                counts.callsThisWeek += 1
                counts.callsThisMonth += 1
            } else {
                counts.meetingsThisWeek += 1
            }
            return ContactsV1.RecordContactAttemptResponse(
                allowed: true, counts: counts, entryID: entryID, debtorUtcOffsetMinutes: Int32(row.utcOffset)
            )
        }
    }
}
