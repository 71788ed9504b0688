public import Auth
import CRMAPI
import CRMDomain
import Foundation
import RPCCore
import ServiceKit
import Wire

/// What the scheduling services share: the store, the clock, the production calendar, and
/// a way to wake the outbox worker when a message is accepted.
public struct SchedulingEnvironment: Sendable {
    public let store: any SchedulingStore
    /// Wall-clock milliseconds (UTC); tests fix it.
    public let nowMs: @Sendable () -> Int64
    public let calendar: ProductionCalendar
    /// "file" or "kannel".
    public let providerName: String
    let wakeOutbox: @Sendable () -> Void
    /// Who may receive a collection SMS (the registry's debtors); nil only in tests of other
    /// rules — the service executable always has one (`--registry`).
    public let debtors: (any DebtorDirectory)?

    public init(
        store: any SchedulingStore, nowMs: @escaping @Sendable () -> Int64 = { SystemClockMs.now() },
        calendar: ProductionCalendar = .shipped, providerName: String = "file", wakeOutbox: @escaping @Sendable () -> Void = {},
        debtors: (any DebtorDirectory)? = nil
    ) {
        self.debtors = debtors
        self.store = store
        self.nowMs = nowMs
        self.calendar = calendar
        self.providerName = providerName
        self.wakeOutbox = wakeOutbox
    }

    /// Runs the named write `write(now)` in one transaction. With an idempotency key, a
    /// repeat of the same request (same operator and method) returns the first answer and a
    /// different request is refused; `required` makes the key mandatory.
    func idempotentWrite<Request: WireMessage, Response: WireMessage>(
        _ request: Request, context: ServerContext, by claims: SessionClaims, required: Bool,
        _ write: (Int64) throws -> SchedulingWrite,
        respond: @escaping @Sendable (WriteOutcome) throws -> Response
    ) async throws -> Response {
        let scope = try IdempotencyScope(context, login: claims.login, required: required, request: request)
        let now = nowMs()
        let bytes = try await store.perform(try write(now), idempotency: scope, nowMs: now) { outcome in
            try respond(outcome).serializedBytes()
        }
        return try Response(serializedBytes: bytes)
    }
}

/// Who may call what (docs/API.md, crm.scheduling.v1).
enum Access {
    static let crm2 = Role.crm2
    static let crm2AndCollector = Role.crm2.union([.collector])
    static let any = Set(Role.allCases)

    static let crm2Rule = "Доступно только сотрудникам контакт-центра (CRM2)"
    static let crm2AndCollectorRule = "Доступно сотрудникам контакт-центра (CRM2) и взыскания"
    static let marketingRule = "Информационные SMS отправляют сотрудники контакт-центра (CRM2)"
    static let collectionRule = "SMS о задолженности отправляют только специалисты взыскания"
    static let systemRule = "Коды входа отправляет только система"
}

// MARK: - Wire mapping

extension LocalDate {
    init(_ date: TypesV1.Date?, field: String) throws(RuleError) {
        guard let value = LocalDate(date) else { throw .invalidArgument(field: field, "Неверная дата") }
        self = value
    }
}

func timeOfDay(_ minute: Int) -> TypesV1.TimeOfDay { TypesV1.TimeOfDay(hour: Int32(minute / 60), minute: Int32(minute % 60)) }

extension OfficeDetails {
    var wire: SchedulingV1.Office {
        SchedulingV1.Office(
            officeID: record.id, region: region.wire, settlementID: record.settlementId, settlementName: settlementName,
            name: record.name, address: record.address, kind: record.kind == 2 ? .mpp : .office, hoursText: record.hoursText,
            openingHours: hours.map { SchedulingV1.OpeningHours(weekday: Int32($0.weekday), opens: timeOfDay($0.opens), closes: timeOfDay($0.closes)) },
            metroStations: record.metroStations, landmarks: record.landmarkList,
            slotMinutes: Int32(record.slotMinutes), slotCapacity: Int32(record.slotCapacity)
        )
    }
}

extension BookingRecord {
    func wire(utcOffsetMinutes: Int) -> SchedulingV1.Booking {
        SchedulingV1.Booking(
            bookingID: id, officeID: officeId,
            at: TypesV1.LocalDateTime(date: LocalDate(iso: date)?.wire, time: timeOfDay(startMinute), utcOffsetMinutes: Int32(utcOffsetMinutes)),
            cardID: cardId, clientName: TypesV1.FullName(surname: surname, name: name, patronymic: patronymic),
            state: state == .active ? .active : .cancelled,
            bookedBy: TypesV1.OperatorRef(login: bookedByLogin, fullName: bookedByName),
            createdUnixMs: createdMs, visitSmsID: visitSmsId ?? ""
        )
    }
}

extension SmsKind {
    var wire: SchedulingV1.SmsCategory {
        switch self {
        case .marketing: .marketing
        case .collection: .collection
        case .visit: .visit
        case .loginCode: .loginCode
        }
    }
}

extension SmsStateCode {
    var wire: TypesV1.SmsState {
        switch self {
        case .queued: .queued
        case .sent: .sent
        case .delivered: .delivered
        case .failed: .failed
        case .cancelled: .cancelled
        case .noReport: .noReport
        }
    }
}

extension SmsRecord {
    var wire: SchedulingV1.SmsMessage {
        SchedulingV1.SmsMessage(
            smsID: id, cardID: cardId, contractNumber: contractNumber, phone: phone, templateID: templateId,
            templateName: templateName, text: text, category: category.wire, state: state.wire,
            failureReason: state == .failed || state == .cancelled ? failureReason : "", acceptedUnixMs: acceptedMs,
            scheduledForUnixMs: dueMs, sentUnixMs: sentMs, deliveredUnixMs: deliveredMs, attempts: Int32(attempts),
            sentBy: TypesV1.OperatorRef(login: sentByLogin, fullName: sentByName), bookingID: bookingId
        )
    }
}

extension WriteOutcome {
    /// A write answered with another kind of row than its handler expects: a store's bug,
    /// answered as INTERNAL (the transaction is rolled back) rather than crashing the process.
    struct Mismatch: Error {}

    /// The booking of a booking write (book, cancel, move).
    func booking() throws -> BookingRecord {
        guard case .booking(let booking, _) = self else { throw Mismatch() }
        return booking
    }

    var office: OfficeDetails? {
        if case .booking(_, let office) = self { office } else { nil }
    }

    /// The message of a message write (nil when the write queued none).
    func sms() throws -> SmsRecord? {
        guard case .sms(let sms) = self else { throw Mismatch() }
        return sms
    }
}
