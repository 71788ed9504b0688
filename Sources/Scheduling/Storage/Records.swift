import Foundation
import GRDB

/// One row of `office`.
public struct OfficeRecord: Codable, Sendable, Hashable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "office"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    public var id: String
    public var regionCode: String
    public var settlementId: String
    public var name: String
    public var address: String
    /// 1 office, 2 МПП.
    public var kind: Int
    public var hoursText: String
    /// Newline-separated.
    public var metro: String
    public var landmarks: String
    public var slotMinutes: Int
    public var slotCapacity: Int

    public var metroStations: [String] { metro.split(separator: "\n").map(String.init) }
    public var landmarkList: [String] { landmarks.split(separator: "\n").map(String.init) }
}

public enum BookingStateCode: Int, Codable, Sendable {
    case active = 1
    case cancelled = 2
}

/// One row of `booking`: a place in a slot.
public struct BookingRecord: Codable, Sendable, Hashable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "booking"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    public var id: String
    public var officeId: String
    /// YYYY-MM-DD, office-local.
    public var date: String
    public var startMinute: Int
    public var cardId: Int64
    public var surname: String
    public var name: String
    public var patronymic: String
    public var state: BookingStateCode
    public var bookedByLogin: String
    public var bookedByName: String
    public var createdMs: Int64
    public var cancelledMs: Int64?
    public var cancelReason: String?
    public var visitSmsId: String?
}

public enum SmsStateCode: Int, Codable, Sendable {
    case queued = 1
    case sent = 2
    case delivered = 3
    case failed = 4
    case cancelled = 5
    /// Sent, but no delivery report within the report timeout: the report was lost.
    case noReport = 6
}

/// One row of `sms`: a message of the durable outbox.
public struct SmsRecord: Codable, Sendable, Hashable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "sms"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    public var id: String
    public var cardId: Int64
    public var contractNumber: String
    public var login: String
    public var phone: String
    public var templateId: String
    public var templateName: String
    public var text: String
    public var category: SmsKind
    public var state: SmsStateCode
    public var failureReason: String
    public var utcOffsetMinutes: Int
    public var acceptedMs: Int64
    public var dueMs: Int64
    public var nextAttemptMs: Int64
    public var sentMs: Int64
    public var deliveredMs: Int64
    public var attempts: Int
    public var leaseOwner: String?
    public var leaseUntilMs: Int64
    public var sentByLogin: String
    public var sentByName: String
    public var bookingId: String

    public init(
        id: String, cardId: Int64, contractNumber: String = "", login: String = "", phone: String,
        template: SmsTemplateDefinition, text: String, utcOffsetMinutes: Int, acceptedMs: Int64, dueMs: Int64,
        sentByLogin: String, sentByName: String, bookingId: String = ""
    ) {
        self.id = id
        self.cardId = cardId
        self.contractNumber = contractNumber
        self.login = login
        self.phone = phone
        self.templateId = template.id
        self.templateName = template.name
        self.text = text
        self.category = template.kind
        self.state = .queued
        self.failureReason = ""
        self.utcOffsetMinutes = utcOffsetMinutes
        self.acceptedMs = acceptedMs
        self.dueMs = dueMs
        self.nextAttemptMs = dueMs
        self.sentMs = 0
        self.deliveredMs = 0
        self.attempts = 0
        self.leaseOwner = nil
        self.leaseUntilMs = 0
        self.sentByLogin = sentByLogin
        self.sentByName = sentByName
        self.bookingId = bookingId
    }
}

/// A short random id with a prefix: «b-…» for bookings, «sms-…» for messages.
public func newID(_ prefix: String) -> String {
    prefix + "-" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(20)
}
