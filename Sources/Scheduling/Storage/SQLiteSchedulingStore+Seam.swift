import CRMDomain
import Foundation
import GRDB
import ServiceKit

/// `SchedulingStore` on SQLite: every named write is one GRDB write transaction, which the
/// single writer serializes — so the slot count and the insert that follows it cannot race.
extension SQLiteSchedulingStore: SchedulingStore {
    public func regions() async throws -> [Region] {
        try await read { db in try Self.regions(db) }
    }

    public func settlements(region: String) async throws -> [SettlementRow]? {
        try await read { db in
            guard try Self.region(db, code: region) != nil else { return nil }
            return try Self.settlements(db, region: region)
        }
    }

    public func searchOffices(_ query: OfficeQuery) async throws -> [OfficeDetails] {
        try await read { db in
            try Self.searchOffices(
                db, region: query.region, settlement: query.settlement, match: SearchText.fts5(query.words), kind: query.kind,
                offset: query.offset, limit: query.limit
            )
        }
    }

    public func office(id: String) async throws -> OfficeDetails? {
        try await read { db in try Self.office(db, id: id) }
    }

    public func activeBookings(office: String, date: LocalDate) async throws -> [BookingRecord] {
        try await read { db in try Self.activeBookings(db, office: office, date: date) }
    }

    public func booking(id: String) async throws -> BookingRecord? {
        try await read { db in try Self.booking(db, id: id) }
    }

    public func sms(id: String) async throws -> SmsRecord? {
        try await read { db in try Self.sms(db, id: id) }
    }

    public func smsOfCard(card: Int64, after cursor: (Int64, Int64)?, limit: Int) async throws -> [(SmsRecord, Int64)] {
        try await read { db in try Self.smsOfCard(db, card: card, after: cursor, limit: limit) }
    }

    public func collectionDueTimes(card: Int64, contract: String) async throws -> [Int64] {
        try await read { db in try Self.collectionDueTimes(db, card: card, contract: contract) }
    }

    public func outboxCounts(nowMs: Int64) async throws -> OutboxCounts {
        try await read { db in try Self.outboxCounts(db, nowMs: nowMs) }
    }

    public func perform(
        _ write: SchedulingWrite, idempotency: IdempotencyScope?, nowMs: Int64,
        respond: @escaping @Sendable (WriteOutcome) throws -> [UInt8]
    ) async throws -> [UInt8] {
        try await self.write { db in
            if let idempotency, let stored = try IdempotencyStore.answer(db, for: idempotency) { return stored }
            let response = try respond(try Self.apply(db, write))
            if let idempotency { try IdempotencyStore.remember(db, response, for: idempotency, nowMs: nowMs) }
            return response
        }
    }

    static func apply(_ db: Database, _ write: SchedulingWrite) throws -> WriteOutcome {
        switch write {
        case .book(let booking, let capacity):
            return .booking(try book(db, booking, capacity: capacity), office: nil)
        case .cancel(let id, let reason, let nowMs):
            let booking = try cancel(db, id: id, reason: reason, nowMs: nowMs)
            return .booking(booking, office: try office(db, id: booking.officeId))
        case .move(let id, let office, let date, let start, let follow):
            let moved = try move(db, id: id, to: office, date: date, start: start)
            if let smsID = moved.visitSmsId, let sms = try sms(db, id: smsID), sms.state == .queued {
                try follow(sms).update(db)
            }
            return .booking(moved, office: nil)
        case .acceptSms(let sms, let checkCaps):
            if let checkCaps { try checkCaps(try collectionDueTimes(db, card: sms.cardId, contract: sms.contractNumber)) }
            try insertSms(db, sms)
            return .sms(sms)
        case .visitSms(let bookingID, let decide):
            let found = try booking(db, id: bookingID)
            let office = try found.flatMap { try Self.office(db, id: $0.officeId) }
            guard let sms = try decide(found, office), var booking = found else { return .sms(nil) }
            if let previous = booking.visitSmsId {
                try cancelQueuedSms(db, id: previous, reason: SmsTemplates.replacedVisitSmsReason)
            }
            try insertSms(db, sms)
            booking.visitSmsId = sms.id
            try booking.update(db)
            return .sms(sms)
        }
    }

    public func claimBatch(
        owner: String, nowMs: Int64, leaseMs: Int64, limit: Int, sweepSentBefore: Int64?, calendar: ProductionCalendar
    ) async throws -> (claimed: [(sms: SmsRecord, earlierClaim: Bool)], overdue: Int) {
        try await write { db in
            let overdue = try sweepSentBefore.map { try Self.markReportsOverdue(db, sentBeforeMs: $0) } ?? 0
            let claimed = try Self.claimDue(db, owner: owner, nowMs: nowMs, leaseMs: leaseMs, limit: limit)
            return (try Self.holdOutsideWindow(db, claimed: claimed, nowMs: nowMs, calendar: calendar), overdue)
        }
    }

    public func release(_ rows: [(id: String, earlierClaim: Bool)], claim owner: String) async throws {
        try await write { db in
            for row in rows {
                try db.execute(
                    sql: """
                        UPDATE sms SET lease_until_ms = 0, lease_owner = CASE WHEN ? THEN lease_owner ELSE NULL END
                        WHERE id = ? AND state = 1 AND lease_owner = ?
                        """,
                    arguments: [row.earlierClaim, row.id, owner]
                )
            }
        }
    }

    public func recordHandOff(id: String, claim owner: String, _ outcome: HandOffOutcome, nowMs: Int64) async throws {
        try await write { db in
            switch outcome {
            case .interrupted:
                try db.execute(sql: "UPDATE sms SET lease_until_ms = 0 WHERE id = ? AND state = 1 AND lease_owner = ?", arguments: [id, owner])
            case .handedOff(let delivered):
                try Self.markHandedOff(db, id: id, owner: owner, delivered: delivered, nowMs: nowMs)
            case .failed(let reason, let next):
                try Self.markAttemptFailed(db, id: id, owner: owner, reason: reason, nextAttemptMs: next)
            }
        }
    }

    public func applyReport(id: String, event: DeliveryEvent, nowMs: Int64) async throws -> Bool {
        try await write { db in try Self.applyReport(db, id: id, event: event, nowMs: nowMs) }
    }

    public func markReportsOverdue(sentBeforeMs: Int64) async throws -> Int {
        try await write { db in try Self.markReportsOverdue(db, sentBeforeMs: sentBeforeMs) }
    }

    public func dueReports(nowMs: Int64, limit: Int) async throws -> [(SmsRecord, Int64, Int)] {
        try await read { db in try Self.dueReports(db, nowMs: nowMs, limit: limit) }
    }

    public func clearReport(smsID: String, version: Int64) async throws {
        try await write { db in try Self.clearReport(db, smsID: smsID, version: version) }
    }

    public func postponeReport(smsID: String, version: Int64, nextAttemptMs: Int64, error: String) async throws {
        try await write { db in try Self.postponeReport(db, smsID: smsID, version: version, nextAttemptMs: nextAttemptMs, error: error) }
    }

    public func deleteIdempotency(createdBefore cutoffMs: Int64, limit: Int) async throws -> Int {
        try await write { db in
            try db.execute(
                sql: "DELETE FROM idempotency WHERE rowid IN (SELECT rowid FROM idempotency WHERE created_ms < ? LIMIT ?)",
                arguments: [cutoffMs, limit]
            )
            return db.changesCount
        }
    }
}
