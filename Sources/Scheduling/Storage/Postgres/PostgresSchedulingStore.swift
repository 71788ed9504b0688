import CRMDomain
import Foundation
public import Logging
public import PostgresNIO
import ServiceKit

/// `SchedulingStore` on PostgreSQL, for several replicas over one database. Every named
/// write is one transaction on one pooled connection (READ COMMITTED); where the SQLite
/// store relies on its single writer, this one locks rows: the slot's `slot_lock` row before
/// counting its places, the idempotency key (an advisory lock) before looking it up, and the
/// outbox rows it claims (`FOR UPDATE SKIP LOCKED`, so two workers never take one message).
public final class PostgresSchedulingStore: SchedulingStore {
    public let client: PostgresClient
    let logger: Logger
    private let runner: Task<Void, Never>

    /// Connects (the pool opens connections as calls need them) and migrates; returns once
    /// the schema is current — after another replica's migration when one runs.
    public init(client: PostgresClient, logger: Logger, migrateUpTo: Int? = nil) async throws {
        self.client = client
        self.logger = logger
        runner = Task { await client.run() }
        do {
            try await PostgresSchedulingMigrations.migrate(client, logger: logger, upTo: migrateUpTo)
        } catch {
            runner.cancel()
            throw error
        }
    }

    /// A store over a database at `host:port` with a pool of up to `connections` connections.
    public static func connect(
        host: String, port: Int, user: String, password: String?, database: String, connections: Int = 20, logger: Logger,
        migrateUpTo: Int? = nil
    ) async throws -> PostgresSchedulingStore {
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: user, password: password, database: database, tls: .disable
        )
        configuration.options.maximumConnections = connections
        return try await PostgresSchedulingStore(
            client: PostgresClient(configuration: configuration, backgroundLogger: logger), logger: logger, migrateUpTo: migrateUpTo
        )
    }

    /// Closes the pool's connections.
    public func close() {
        runner.cancel()
    }

    deinit { runner.cancel() }

    /// One transaction; a throw rolls it back. A deadlock or serialization failure (another
    /// replica's transaction crossed this one) runs it again: every body is a pure function
    /// of what it reads, so a second run is the same write.
    func transaction<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        var attempt = 0
        while true {
            do {
                do {
                    return try await client.withTransaction(logger: logger) { connection in try await body(connection) }
                } catch let error as PostgresTransactionError {
                    // The rule's refusal (a RuleError) or the statement's failure, not its wrapper.
                    throw error.closureError ?? error.commitError ?? error.beginError ?? error
                }
            } catch let error as PSQLError where attempt < 5 && Self.isRetryable(error) {
                attempt += 1
                logger.debug("transaction retried", metadata: ["sqlstate": "\(error.serverInfo?[.sqlState] ?? "")"])
            }
        }
    }

    static func isRetryable(_ error: PSQLError) -> Bool {
        // 40001 serialization_failure, 40P01 deadlock_detected.
        ["40001", "40P01"].contains(error.serverInfo?[.sqlState] ?? "")
    }

    func rows(_ query: PostgresQuery, on connection: PostgresConnection) async throws -> [PostgresRandomAccessRow] {
        try await connection.query(query, logger: logger).collect().map { $0.makeRandomAccess() }
    }

    func rows(_ query: PostgresQuery) async throws -> [PostgresRandomAccessRow] {
        try await client.query(query, logger: logger).collect().map { $0.makeRandomAccess() }
    }

    // MARK: - Offices

    public func regions() async throws -> [Region] {
        try await rows("SELECT code, name, moscow_offset_hours FROM region ORDER BY name").map {
            Region(code: try $0.value("code"), name: try $0.value("name"), moscowOffsetHours: try $0.value("moscow_offset_hours"))
        }
    }

    public func settlements(region: String) async throws -> [SettlementRow]? {
        guard try await !rows("SELECT 1 FROM region WHERE code = \(region)").isEmpty else { return nil }
        return try await rows(
            """
            SELECT s.id, s.region_code, s.name,
                   EXISTS (SELECT 1 FROM office o WHERE o.settlement_id = s.id AND o.kind = 2) AS has_mpp
            FROM settlement s WHERE s.region_code = \(region) ORDER BY s.name
            """
        ).map {
            SettlementRow(id: try $0.value("id"), regionCode: try $0.value("region_code"), name: try $0.value("name"), hasMppOffice: try $0.value("has_mpp"))
        }
    }

    static let officeColumns = "id, region_code, settlement_id, name, address, kind, hours_text, metro, landmarks, slot_minutes, slot_capacity"

    public func searchOffices(_ query: OfficeQuery) async throws -> [OfficeDetails] {
        var sql = "SELECT \(Self.officeColumns) FROM office WHERE region_code = $1"
        var binds = PostgresBindings()
        binds.append(query.region)
        if let settlement = query.settlement {
            binds.append(settlement)
            sql += " AND settlement_id = $\(binds.count)"
        }
        if let kind = query.kind {
            binds.append(kind)
            sql += " AND kind = $\(binds.count)"
        }
        if let words = SearchText.tsquery(query.words) {
            binds.append(words)
            sql += " AND to_tsvector('simple', search_body) @@ to_tsquery('simple', $\(binds.count))"
        }
        binds.append(query.limit)
        sql += " ORDER BY name, id LIMIT $\(binds.count)"
        binds.append(query.offset)
        sql += " OFFSET $\(binds.count)"
        let records = try await rows(PostgresQuery(unsafeSQL: sql, binds: binds)).map { try OfficeRecord(postgres: $0) }
        return try await details(records)
    }

    public func office(id: String) async throws -> OfficeDetails? {
        try await client.withConnection { connection in try await self.office(id: id, on: connection) }
    }

    func office(id: String, on connection: PostgresConnection) async throws -> OfficeDetails? {
        guard let row = try await rows("SELECT \(unescaped: Self.officeColumns) FROM office WHERE id = \(id)", on: connection).first else {
            return nil
        }
        return try await details([OfficeRecord(postgres: row)], on: connection).first
    }

    func details(_ records: [OfficeRecord]) async throws -> [OfficeDetails] {
        guard !records.isEmpty else { return [] }
        return try await client.withConnection { connection in try await self.details(records, on: connection) }
    }

    func details(_ records: [OfficeRecord], on connection: PostgresConnection) async throws -> [OfficeDetails] {
        var result: [OfficeDetails] = []
        for record in records {
            let region = try await rows("SELECT code, name, moscow_offset_hours FROM region WHERE code = \(record.regionCode)", on: connection)
                .first.map { Region(code: try $0.value("code"), name: try $0.value("name"), moscowOffsetHours: try $0.value("moscow_offset_hours")) }
                ?? Region(code: record.regionCode, name: "", moscowOffsetHours: 0)
            let settlement = try await rows("SELECT name FROM settlement WHERE id = \(record.settlementId)", on: connection)
                .first.map { try $0.value("name", as: String.self) } ?? ""
            let hours = try await rows(
                "SELECT weekday, opens_minute, closes_minute FROM office_hours WHERE office_id = \(record.id) ORDER BY weekday", on: connection
            ).map { DayHours(weekday: try $0.value("weekday"), opens: try $0.value("opens_minute"), closes: try $0.value("closes_minute")) }
            result.append(OfficeDetails(record: record, region: region, settlementName: settlement, hours: hours))
        }
        return result
    }

    // MARK: - Bookings and messages

    public func activeBookings(office: String, date: LocalDate) async throws -> [BookingRecord] {
        try await rows(
            """
            SELECT \(unescaped: Self.bookingColumns) FROM booking
            WHERE office_id = \(office) AND date = \(date.description) AND state = 1 ORDER BY start_minute, created_ms, id
            """
        ).map { try BookingRecord(postgres: $0) }
    }

    public func booking(id: String) async throws -> BookingRecord? {
        try await rows("SELECT \(unescaped: Self.bookingColumns) FROM booking WHERE id = \(id)").first.map { try BookingRecord(postgres: $0) }
    }

    func booking(id: String, on connection: PostgresConnection, forUpdate: Bool = false) async throws -> BookingRecord? {
        try await rows(
            "SELECT \(unescaped: Self.bookingColumns) FROM booking WHERE id = \(id) \(unescaped: forUpdate ? "FOR UPDATE" : "")", on: connection
        ).first.map { try BookingRecord(postgres: $0) }
    }

    public func sms(id: String) async throws -> SmsRecord? {
        try await rows("SELECT \(unescaped: Self.smsColumns) FROM sms WHERE id = \(id)").first.map { try SmsRecord(postgres: $0) }
    }

    public func smsOfCard(card: Int64, after cursor: (Int64, Int64)?, limit: Int) async throws -> [(SmsRecord, Int64)] {
        let query: PostgresQuery = if let cursor {
            """
            SELECT \(unescaped: Self.smsColumns), seq FROM sms
            WHERE card_id = \(card) AND (accepted_ms < \(cursor.0) OR (accepted_ms = \(cursor.0) AND seq < \(cursor.1)))
            ORDER BY accepted_ms DESC, seq DESC LIMIT \(limit)
            """
        } else {
            "SELECT \(unescaped: Self.smsColumns), seq FROM sms WHERE card_id = \(card) ORDER BY accepted_ms DESC, seq DESC LIMIT \(limit)"
        }
        return try await rows(query).map { (try SmsRecord(postgres: $0), try $0.value("seq")) }
    }

    public func collectionDueTimes(card: Int64, contract: String) async throws -> [Int64] {
        try await client.withConnection { connection in
            try await self.collectionDueTimes(card: card, contract: contract, excluding: "", on: connection)
        }
    }

    func collectionDueTimes(card: Int64, contract: String, excluding id: String, on connection: PostgresConnection) async throws -> [Int64] {
        try await rows(
            """
            SELECT due_ms FROM sms
            WHERE category = 2 AND state IN (1, 2, 3, 6) AND id <> \(id)
              AND (contract_number = \(contract) OR (\(card) <> 0 AND card_id = \(card)))
            """,
            on: connection
        ).map { try $0.value("due_ms") }
    }

    public func outboxCounts(nowMs: Int64) async throws -> OutboxCounts {
        guard let row = try await rows(
            """
            SELECT
              (SELECT COUNT(*) FROM sms WHERE state = 1 AND next_attempt_ms <= \(nowMs)) AS queued,
              (SELECT COUNT(*) FROM sms WHERE state = 1 AND next_attempt_ms > \(nowMs)) AS scheduled,
              (SELECT COUNT(*) FROM sms WHERE state = 2) AS awaiting,
              (SELECT COUNT(*) FROM sms WHERE state = 6) AS no_report,
              (SELECT COUNT(*) FROM sms WHERE state = 4 AND accepted_ms > \(nowMs - 86_400_000)) AS failed,
              (SELECT MIN(due_ms) FROM sms WHERE state = 1 AND next_attempt_ms <= \(nowMs)) AS oldest,
              (SELECT COUNT(*) FROM sms_report) AS history_pending
            """
        ).first else { return OutboxCounts(queued: 0, scheduled: 0, awaitingReport: 0, noReport: 0, failedLast24h: 0, oldestDueAgeMs: 0, contactHistoryPending: 0) }
        let oldest: Int64? = try row.value("oldest")
        return OutboxCounts(
            queued: try row.value("queued"), scheduled: try row.value("scheduled"), awaitingReport: try row.value("awaiting"),
            noReport: try row.value("no_report"), failedLast24h: try row.value("failed"),
            oldestDueAgeMs: oldest.map { max(0, nowMs - $0) } ?? 0, contactHistoryPending: try row.value("history_pending")
        )
    }

    // MARK: - Named writes

    public func perform(
        _ write: SchedulingWrite, idempotency: IdempotencyScope?, nowMs: Int64,
        respond: @escaping @Sendable (WriteOutcome) throws -> [UInt8]
    ) async throws -> [UInt8] {
        try await transaction { connection in
            if let idempotency {
                // ServiceKit.IdempotencyStore's rules and table, on PostgreSQL. Two replicas given
                // the same key at once: the second waits here, then finds the first's answer.
                try await connection.query(
                    """
                    SELECT pg_advisory_xact_lock(hashtextextended(\(idempotency.operatorLogin) || chr(31) || \(idempotency.method)
                                                                  || chr(31) || \(idempotency.key), 0))
                    """,
                    logger: self.logger
                )
                if let stored = try await self.storedResponse(for: idempotency, on: connection) { return stored }
            }
            let response = try respond(try await self.apply(write, on: connection))
            if let idempotency {
                try await connection.query(
                    """
                    INSERT INTO idempotency (operator_login, method, key, request, response, created_ms)
                    VALUES (\(idempotency.operatorLogin), \(idempotency.method), \(idempotency.key),
                            \(ByteBuffer(bytes: idempotency.request)), \(ByteBuffer(bytes: response)), \(nowMs))
                    """,
                    logger: self.logger
                )
            }
            return response
        }
    }

    func storedResponse(for scope: IdempotencyScope, on connection: PostgresConnection) async throws -> [UInt8]? {
        guard let row = try await rows(
            """
            SELECT request, response FROM idempotency
            WHERE operator_login = \(scope.operatorLogin) AND method = \(scope.method) AND key = \(scope.key)
            """,
            on: connection
        ).first else { return nil }
        guard Array(buffer: try row.value("request", as: ByteBuffer.self)) == scope.request else {
            throw IdempotencyError.reusedKey
        }
        return Array(buffer: try row.value("response", as: ByteBuffer.self))
    }

    func apply(_ write: SchedulingWrite, on connection: PostgresConnection) async throws -> WriteOutcome {
        switch write {
        case .book(let booking, let capacity):
            try await takePlace(office: booking.officeId, date: booking.date, start: booking.startMinute, capacity: capacity, excluding: nil, on: connection)
            try await Self.insert(booking, on: connection, logger: logger)
            return .booking(booking, office: nil)
        case .cancel(let id, let reason, let nowMs):
            guard var booking = try await booking(id: id, on: connection, forUpdate: true) else {
                throw RuleError.notFound(field: "booking_id", "Запись не найдена")
            }
            if booking.state == .active {
                booking.state = .cancelled
                booking.cancelledMs = nowMs
                booking.cancelReason = reason
                try await Self.update(booking, on: connection, logger: logger)
                if let sms = booking.visitSmsId {
                    try await cancelQueuedSms(id: sms, reason: SmsTemplates.bookingCancelledReason, on: connection)
                }
            }
            return .booking(booking, office: try await office(id: booking.officeId, on: connection))
        case .move(let id, let office, let date, let start, let follow):
            guard var booking = try await booking(id: id, on: connection, forUpdate: true) else {
                throw RuleError.notFound(field: "booking_id", "Запись не найдена")
            }
            guard booking.state == .active else { throw RuleError.failedPrecondition("Запись отменена, перенести её нельзя") }
            try await takePlace(
                office: office.id, date: date.description, start: start, capacity: office.slotCapacity, excluding: booking.id, on: connection
            )
            booking.officeId = office.id
            booking.date = date.description
            booking.startMinute = start
            try await Self.update(booking, on: connection, logger: logger)
            if let smsID = booking.visitSmsId,
               let row = try await rows("SELECT \(unescaped: Self.smsColumns) FROM sms WHERE id = \(smsID) FOR UPDATE", on: connection).first {
                let sms = try SmsRecord(postgres: row)
                if sms.state == .queued { try await Self.update(follow(sms), on: connection, logger: logger) }
            }
            return .booking(booking, office: nil)
        case .acceptSms(let sms, let checkCaps):
            if let checkCaps {
                try await lockDebtor(card: sms.cardId, contract: sms.contractNumber, on: connection)
                try checkCaps(try await collectionDueTimes(card: sms.cardId, contract: sms.contractNumber, excluding: "", on: connection))
            }
            try await Self.insert(sms, on: connection, logger: logger)
            return .sms(sms)
        case .visitSms(let bookingID, let decide):
            let found = try await booking(id: bookingID, on: connection, forUpdate: true)
            var office: OfficeDetails?
            if let found { office = try await self.office(id: found.officeId, on: connection) }
            guard let sms = try decide(found, office), var booking = found else { return .sms(nil) }
            if let previous = booking.visitSmsId {
                try await cancelQueuedSms(id: previous, reason: SmsTemplates.replacedVisitSmsReason, on: connection)
            }
            try await Self.insert(sms, on: connection, logger: logger)
            booking.visitSmsId = sms.id
            try await Self.update(booking, on: connection, logger: logger)
            return .sms(sms)
        }
    }

    /// Takes a place in a slot or refuses with RESOURCE_EXHAUSTED. The slot's `slot_lock`
    /// row is locked first, so of two replicas booking the slot's last place one counts
    /// after the other's booking is committed — never both before it.
    func takePlace(office: String, date: String, start: Int, capacity: Int, excluding: String?, on connection: PostgresConnection) async throws {
        try await connection.query(
            """
            INSERT INTO slot_lock (office_id, date, start_minute) VALUES (\(office), \(date), \(start))
            ON CONFLICT DO NOTHING
            """,
            logger: logger
        )
        try await connection.query(
            "SELECT 1 FROM slot_lock WHERE office_id = \(office) AND date = \(date) AND start_minute = \(start) FOR UPDATE", logger: logger
        )
        let taken: Int = try await rows(
            """
            SELECT COUNT(*) AS taken FROM booking
            WHERE office_id = \(office) AND date = \(date) AND start_minute = \(start) AND state = 1 AND id <> \(excluding ?? "")
            """,
            on: connection
        ).first?.value("taken") ?? 0
        guard SlotRules.hasRoom(booked: taken, capacity: capacity) else { throw RuleError.resourceExhausted(SlotRules.fullSlotMessage) }
    }

    /// The caps count a debtor's messages: two collection messages to one debtor accepted at
    /// once by two replicas take turns here, so neither misses the other.
    func lockDebtor(card: Int64, contract: String, on connection: PostgresConnection) async throws {
        try await connection.query("SELECT pg_advisory_xact_lock(hashtextextended(\("debtor:" + contract), 0))", logger: logger)
        if card != 0 {
            try await connection.query("SELECT pg_advisory_xact_lock(hashtextextended(\("card:\(card)"), 0))", logger: logger)
        }
    }

    func cancelQueuedSms(id: String, reason: String, on connection: PostgresConnection) async throws {
        try await connection.query(
            "UPDATE sms SET state = 5, failure_reason = \(reason), lease_owner = NULL WHERE id = \(id) AND state = 1", logger: logger
        )
    }

    public func deleteIdempotency(createdBefore cutoffMs: Int64, limit: Int) async throws -> Int {
        try await rows(
            """
            WITH gone AS (
                DELETE FROM idempotency WHERE ctid IN (SELECT ctid FROM idempotency WHERE created_ms < \(cutoffMs) LIMIT \(limit))
                RETURNING 1
            ) SELECT COUNT(*) AS deleted FROM gone
            """
        ).first?.value("deleted") ?? 0
    }
}
