import CRMDomain
public import GRDB
import Foundation

/// The scheduling database: one writer (a WAL `DatabasePool` in production, an in-memory
/// `DatabaseQueue` in tests), migrated and seeded with the offices on open. Each named
/// write is one transaction that keeps the invariants (≤ 5 a slot, one outbox row per
/// accepted SMS): a refused write leaves nothing behind.
public struct SQLiteSchedulingStore: Sendable {
    public let writer: any DatabaseWriter

    public init(_ writer: any DatabaseWriter) throws {
        self.writer = writer
        try SchedulingMigrations.migrator.migrate(writer)
    }

    /// The production store: a file in WAL mode, waiting up to 5 s for a busy writer.
    public static func open(path: String) throws -> SQLiteSchedulingStore {
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        return try SQLiteSchedulingStore(DatabasePool(path: path, configuration: configuration))
    }

    /// A fresh store in memory, for tests.
    public static func inMemory() throws -> SQLiteSchedulingStore {
        try SQLiteSchedulingStore(DatabaseQueue())
    }

    public func read<T: Sendable>(_ body: @Sendable (Database) throws -> T) async throws -> T {
        try await writer.read(body)
    }

    /// One transaction; a throw rolls everything back.
    public func write<T: Sendable>(_ body: @Sendable (Database) throws -> T) async throws -> T {
        try await writer.write(body)
    }
}

// MARK: - Offices

/// An office with what the screens show of it.
public struct OfficeDetails: Sendable, Hashable {
    public var record: OfficeRecord
    public var region: Region
    public var settlementName: String
    public var hours: [DayHours]
}

public struct SettlementRow: Sendable, Hashable {
    public var id: String
    public var regionCode: String
    public var name: String
    public var hasMppOffice: Bool
}

extension SQLiteSchedulingStore {
    static func insertOffice(_ db: Database, _ office: OfficeRecord, hours: [DayHours]) throws {
        try office.insert(db)
        for day in hours {
            try db.execute(
                sql: "INSERT INTO office_hours (office_id, weekday, opens_minute, closes_minute) VALUES (?, ?, ?, ?)",
                arguments: [office.id, day.weekday, day.opens, day.closes]
            )
        }
        let body = OfficeSeed.searchBody(office)
        try db.execute(
            sql: "INSERT INTO office_fts (rowid, body) SELECT rowid, ? FROM office WHERE id = ?",
            arguments: [body, office.id]
        )
    }

    static func regions(_ db: Database) throws -> [Region] {
        try Row.fetchAll(db, sql: "SELECT code, name, moscow_offset_hours FROM region ORDER BY name").map {
            Region(code: $0["code"], name: $0["name"], moscowOffsetHours: $0["moscow_offset_hours"])
        }
    }

    static func region(_ db: Database, code: String) throws -> Region? {
        try Row.fetchOne(db, sql: "SELECT code, name, moscow_offset_hours FROM region WHERE code = ?", arguments: [code]).map {
            Region(code: $0["code"], name: $0["name"], moscowOffsetHours: $0["moscow_offset_hours"])
        }
    }

    static func settlements(_ db: Database, region: String) throws -> [SettlementRow] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT s.id, s.region_code, s.name,
                       EXISTS (SELECT 1 FROM office o WHERE o.settlement_id = s.id AND o.kind = 2) AS has_mpp
                FROM settlement s WHERE s.region_code = ? ORDER BY s.name
                """,
            arguments: [region]
        ).map { SettlementRow(id: $0["id"], regionCode: $0["region_code"], name: $0["name"], hasMppOffice: $0["has_mpp"]) }
    }

    static func details(_ db: Database, _ records: [OfficeRecord]) throws -> [OfficeDetails] {
        try records.map { record in
            let region = try self.region(db, code: record.regionCode) ?? Region(code: record.regionCode, name: "", moscowOffsetHours: 0)
            let settlementName = try String.fetchOne(db, sql: "SELECT name FROM settlement WHERE id = ?", arguments: [record.settlementId]) ?? ""
            let hours = try Row.fetchAll(
                db, sql: "SELECT weekday, opens_minute, closes_minute FROM office_hours WHERE office_id = ? ORDER BY weekday",
                arguments: [record.id]
            ).map { DayHours(weekday: $0["weekday"], opens: $0["opens_minute"], closes: $0["closes_minute"]) }
            return OfficeDetails(record: record, region: region, settlementName: settlementName, hours: hours)
        }
    }

    static func office(_ db: Database, id: String) throws -> OfficeDetails? {
        guard let record = try OfficeRecord.fetchOne(db, key: id) else { return nil }
        return try details(db, [record]).first
    }

    /// Offices of a region (and settlement, kind), narrowed by an FTS5 match over the folded
    /// name, address, metro and landmarks; ordered by name; `offset`/`limit` page.
    static func searchOffices(
        _ db: Database, region: String, settlement: String?, match: String?, kind: Int?, offset: Int, limit: Int
    ) throws -> [OfficeDetails] {
        var sql = "SELECT office.* FROM office"
        var arguments: StatementArguments = []
        if let match {
            sql += " JOIN office_fts ON office_fts.rowid = office.rowid AND office_fts MATCH ?"
            arguments += [match]
        }
        sql += " WHERE office.region_code = ?"
        arguments += [region]
        if let settlement {
            sql += " AND office.settlement_id = ?"
            arguments += [settlement]
        }
        if let kind {
            sql += " AND office.kind = ?"
            arguments += [kind]
        }
        sql += " ORDER BY office.name, office.id LIMIT ? OFFSET ?"
        arguments += [limit, offset]
        return try details(db, OfficeRecord.fetchAll(db, sql: sql, arguments: arguments))
    }
}

// MARK: - Bookings

extension SQLiteSchedulingStore {
    static func activeBookings(_ db: Database, office: String, date: LocalDate) throws -> [BookingRecord] {
        try BookingRecord.fetchAll(
            db,
            sql: "SELECT * FROM booking WHERE office_id = ? AND date = ? AND state = 1 ORDER BY start_minute, created_ms, id",
            arguments: [office, date.description]
        )
    }

    static func takenPlaces(_ db: Database, office: String, date: LocalDate, start: Int, excluding: String? = nil) throws -> Int {
        try Int.fetchOne(
            db,
            sql: "SELECT COUNT(*) FROM booking WHERE office_id = ? AND date = ? AND start_minute = ? AND state = 1 AND id <> ?",
            arguments: [office, date.description, start, excluding ?? ""]
        ) ?? 0
    }

    /// Takes a place; RESOURCE_EXHAUSTED when the slot already holds its capacity. The count
    /// and the insert run in the caller's write transaction, so racing callers serialize.
    static func book(_ db: Database, _ booking: BookingRecord, capacity: Int) throws -> BookingRecord {
        let taken = try takenPlaces(db, office: booking.officeId, date: LocalDate(iso: booking.date)!, start: booking.startMinute)
        guard SlotRules.hasRoom(booked: taken, capacity: capacity) else { throw RuleError.resourceExhausted(SlotRules.fullSlotMessage) }
        try booking.insert(db)
        return booking
    }

    static func booking(_ db: Database, id: String) throws -> BookingRecord? {
        try BookingRecord.fetchOne(db, key: id)
    }

    /// Cancels a booking and its pending visit SMS; cancelling a cancelled booking returns it.
    static func cancel(_ db: Database, id: String, reason: String, nowMs: Int64) throws -> BookingRecord {
        guard var booking = try booking(db, id: id) else { throw RuleError.notFound(field: "booking_id", "Запись не найдена") }
        guard booking.state == .active else { return booking }
        booking.state = .cancelled
        booking.cancelledMs = nowMs
        booking.cancelReason = reason
        try booking.update(db)
        if let sms = booking.visitSmsId {
            try cancelQueuedSms(db, id: sms, reason: SmsTemplates.bookingCancelledReason)
        }
        return booking
    }

    /// Moves a booking; the old place is freed only if the new one is taken (one transaction).
    static func move(_ db: Database, id: String, to office: OfficeRecord, date: LocalDate, start: Int) throws -> BookingRecord {
        guard var booking = try booking(db, id: id) else { throw RuleError.notFound(field: "booking_id", "Запись не найдена") }
        guard booking.state == .active else { throw RuleError.failedPrecondition("Запись отменена, перенести её нельзя") }
        let taken = try takenPlaces(db, office: office.id, date: date, start: start, excluding: booking.id)
        guard SlotRules.hasRoom(booked: taken, capacity: office.slotCapacity) else { throw RuleError.resourceExhausted(SlotRules.fullSlotMessage) }
        booking.officeId = office.id
        booking.date = date.description
        booking.startMinute = start
        try booking.update(db)
        return booking
    }
}
