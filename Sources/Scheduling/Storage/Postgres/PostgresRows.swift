import CRMDomain
import Foundation
import Logging
import PostgresNIO

/// Rows of the PostgreSQL schema as the records the rules use. Columns are named as in the
/// SQLite schema, so a record reads the same from either engine.
extension PostgresRandomAccessRow {
    func value<T: PostgresDecodable>(_ column: String, as type: T.Type = T.self) throws -> T {
        try self[column].decode(T.self)
    }
}

extension OfficeRecord {
    init(postgres row: PostgresRandomAccessRow) throws {
        self.init(
            id: try row.value("id"), regionCode: try row.value("region_code"), settlementId: try row.value("settlement_id"),
            name: try row.value("name"), address: try row.value("address"), kind: try row.value("kind"),
            hoursText: try row.value("hours_text"), metro: try row.value("metro"), landmarks: try row.value("landmarks"),
            slotMinutes: try row.value("slot_minutes"), slotCapacity: try row.value("slot_capacity")
        )
    }
}

extension BookingRecord {
    init(postgres row: PostgresRandomAccessRow) throws {
        guard let state = BookingStateCode(rawValue: try row.value("state")) else {
            throw PostgresSchedulingStore.UnknownCode(column: "booking.state")
        }
        self.init(
            id: try row.value("id"), officeId: try row.value("office_id"), date: try row.value("date"),
            startMinute: try row.value("start_minute"), cardId: try row.value("card_id"), surname: try row.value("surname"),
            name: try row.value("name"), patronymic: try row.value("patronymic"), state: state,
            bookedByLogin: try row.value("booked_by_login"), bookedByName: try row.value("booked_by_name"),
            createdMs: try row.value("created_ms"), cancelledMs: try row.value("cancelled_ms"),
            cancelReason: try row.value("cancel_reason"), visitSmsId: try row.value("visit_sms_id")
        )
    }
}

extension SmsRecord {
    init(postgres row: PostgresRandomAccessRow) throws {
        guard let category = SmsKind(rawValue: try row.value("category")) else {
            throw PostgresSchedulingStore.UnknownCode(column: "sms.category")
        }
        guard let state = SmsStateCode(rawValue: try row.value("state")) else {
            throw PostgresSchedulingStore.UnknownCode(column: "sms.state")
        }
        self.init(
            id: try row.value("id"), cardId: try row.value("card_id"), contractNumber: try row.value("contract_number"),
            login: try row.value("login"), phone: try row.value("phone"),
            template: SmsTemplateDefinition(id: try row.value("template_id"), name: try row.value("template_name"), text: "", kind: category),
            text: try row.value("text"), utcOffsetMinutes: try row.value("utc_offset_minutes"), acceptedMs: try row.value("accepted_ms"),
            dueMs: try row.value("due_ms"), sentByLogin: try row.value("sent_by_login"), sentByName: try row.value("sent_by_name"),
            bookingId: try row.value("booking_id")
        )
        self.state = state
        self.failureReason = try row.value("failure_reason")
        self.nextAttemptMs = try row.value("next_attempt_ms")
        self.sentMs = try row.value("sent_ms")
        self.deliveredMs = try row.value("delivered_ms")
        self.attempts = try row.value("attempts")
        self.leaseOwner = try row.value("lease_owner")
        self.leaseUntilMs = try row.value("lease_until_ms")
    }
}

extension PostgresSchedulingStore {
    /// A code column held a value no record type knows: a newer schema's row read by an older binary.
    struct UnknownCode: Error, CustomStringConvertible {
        var column: String
        var description: String { "unknown code in \(column)" }
    }

    static let smsColumns = """
        id, card_id, contract_number, login, phone, template_id, template_name, text, category, state, failure_reason,
        utc_offset_minutes, accepted_ms, due_ms, next_attempt_ms, sent_ms, delivered_ms, attempts, lease_owner, lease_until_ms,
        sent_by_login, sent_by_name, booking_id
        """

    /// The same columns as `sms.…`, for statements that join another table.
    static let qualifiedSmsColumns = smsColumns.split(separator: ",")
        .map { "sms." + $0.trimmingCharacters(in: .whitespacesAndNewlines) }.joined(separator: ", ")

    static let bookingColumns = """
        id, office_id, date, start_minute, card_id, surname, name, patronymic, state, booked_by_login, booked_by_name,
        created_ms, cancelled_ms, cancel_reason, visit_sms_id
        """

    static func insert(_ sms: SmsRecord, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query(
            """
            INSERT INTO sms (\(unescaped: smsColumns)) VALUES (
                \(sms.id), \(sms.cardId), \(sms.contractNumber), \(sms.login), \(sms.phone), \(sms.templateId), \(sms.templateName),
                \(sms.text), \(sms.category.rawValue), \(sms.state.rawValue), \(sms.failureReason), \(sms.utcOffsetMinutes),
                \(sms.acceptedMs), \(sms.dueMs), \(sms.nextAttemptMs), \(sms.sentMs), \(sms.deliveredMs), \(sms.attempts),
                \(sms.leaseOwner), \(sms.leaseUntilMs), \(sms.sentByLogin), \(sms.sentByName), \(sms.bookingId))
            """,
            logger: logger
        )
    }

    static func update(_ sms: SmsRecord, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query(
            """
            UPDATE sms SET text = \(sms.text), due_ms = \(sms.dueMs), next_attempt_ms = \(sms.nextAttemptMs),
                           utc_offset_minutes = \(sms.utcOffsetMinutes)
            WHERE id = \(sms.id)
            """,
            logger: logger
        )
    }

    static func insert(_ booking: BookingRecord, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query(
            """
            INSERT INTO booking (\(unescaped: bookingColumns)) VALUES (
                \(booking.id), \(booking.officeId), \(booking.date), \(booking.startMinute), \(booking.cardId), \(booking.surname),
                \(booking.name), \(booking.patronymic), \(booking.state.rawValue), \(booking.bookedByLogin), \(booking.bookedByName),
                \(booking.createdMs), \(booking.cancelledMs), \(booking.cancelReason), \(booking.visitSmsId))
            """,
            logger: logger
        )
    }

    static func update(_ booking: BookingRecord, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query(
            """
            UPDATE booking SET office_id = \(booking.officeId), date = \(booking.date), start_minute = \(booking.startMinute),
                               state = \(booking.state.rawValue), cancelled_ms = \(booking.cancelledMs),
                               cancel_reason = \(booking.cancelReason), visit_sms_id = \(booking.visitSmsId)
            WHERE id = \(booking.id)
            """,
            logger: logger
        )
    }
}
