import Auth
import CRMAPI
import CRMDomain
import Foundation
public import RPCCore
public import Wire

/// `crm.scheduling.v1.Offices`: regions, settlements, office search, calendars and bookings.
public struct OfficesService: SchedulingV1.Offices.ServiceProtocol {
    public let environment: SchedulingEnvironment
    var store: any SchedulingStore { environment.store }

    public init(environment: SchedulingEnvironment) {
        self.environment = environment
    }

    public func listRegions(request: SchedulingV1.ListRegionsRequest, context: ServerContext) async throws -> SchedulingV1.ListRegionsResponse {
        try context.requireRole(Access.crm2, rule: Access.crm2Rule)
        try FieldBounds.check(request, context)
        let regions = try await store.regions()
        return SchedulingV1.ListRegionsResponse(regions: regions.map(\.wire))
    }

    public func listSettlements(request: SchedulingV1.ListSettlementsRequest, context: ServerContext) async throws -> SchedulingV1.ListSettlementsResponse {
        try context.requireRole(Access.crm2, rule: Access.crm2Rule)
        try FieldBounds.check(request, context)
        let code = request.regionCode
        let settlements = try await store.settlements(region: code)
        guard let settlements else { throw RuleError.notFound(field: "region_code", "Регион «\(code)» не найден") }
        return SchedulingV1.ListSettlementsResponse(settlements: settlements.map {
            SchedulingV1.Settlement(settlementID: $0.id, regionCode: $0.regionCode, name: $0.name, hasMppOffice: $0.hasMppOffice)
        })
    }

    public func searchOffices(request: SchedulingV1.SearchOfficesRequest, context: ServerContext) async throws -> SchedulingV1.SearchOfficesResponse {
        try context.requireRole(Access.crm2, rule: Access.crm2Rule)
        try FieldBounds.check(request, context)
        guard !request.regionCode.isEmpty else { throw RuleError.invalidArgument(field: "region_code", "Выберите регион") }
        let size = try Paging.size(request.pageSize)
        let offset = Int(try Paging.cursor(request.pageToken)?.0 ?? 0)
        let kind: Int? = switch request.kind {
        case .office: 1
        case .mpp: 2
        default: nil
        }
        let region = request.regionCode
        let settlement = request.settlementID.isEmpty ? nil : request.settlementID
        let offices = try await store.searchOffices(OfficeQuery(
            region: region, settlement: settlement, words: SearchText.words(request.query), kind: kind, offset: offset, limit: size + 1
        ))
        return SchedulingV1.SearchOfficesResponse(
            offices: offices.prefix(size).map(\.wire),
            nextPageToken: offices.count > size ? Paging.token(Int64(offset + size), 0) : ""
        )
    }

    public func getOffice(request: SchedulingV1.GetOfficeRequest, context: ServerContext) async throws -> SchedulingV1.GetOfficeResponse {
        try context.requireRole(Access.crm2, rule: Access.crm2Rule)
        try FieldBounds.check(request, context)
        return SchedulingV1.GetOfficeResponse(office: try await office(request.officeID, field: "office_id").wire)
    }

    public func getOfficeCalendar(request: SchedulingV1.GetOfficeCalendarRequest, context: ServerContext) async throws -> SchedulingV1.GetOfficeCalendarResponse {
        try context.requireRole(Access.crm2, rule: Access.crm2Rule)
        try FieldBounds.check(request, context)
        let office = try await office(request.officeID, field: "office_id")
        let date = try LocalDate(request.date, field: "date")
        let now = environment.nowMs()
        let bookings = try await store.activeBookings(office: office.record.id, date: date)
        let offset = office.region.utcOffsetMinutes
        let slots = SlotRules.slotStarts(hours: office.hours, on: date, slotMinutes: office.record.slotMinutes).map { start in
            let booked = bookings.filter { $0.startMinute == start }
            return SchedulingV1.CalendarSlot(
                start: timeOfDay(start), durationMinutes: Int32(office.record.slotMinutes), capacity: Int32(office.record.slotCapacity),
                freePlaces: Int32(SlotRules.freePlaces(booked: booked.count, capacity: office.record.slotCapacity)),
                bookings: booked.map { $0.wire(utcOffsetMinutes: offset) },
                past: SlotRules.isPast(date: date, start: start, utcOffsetMinutes: offset, nowMs: now)
            )
        }
        return SchedulingV1.GetOfficeCalendarResponse(office: office.wire, date: date.wire, slots: slots)
    }

    public func bookVisit(request: SchedulingV1.BookVisitRequest, context: ServerContext) async throws -> SchedulingV1.BookVisitResponse {
        let claims = try context.requireRole(Access.crm2, rule: Access.crm2Rule)
        try FieldBounds.check(request, context)
        let office = try await office(request.officeID, field: "office_id")
        guard request.cardID > 0 else { throw RuleError.invalidArgument(field: "card_id", "Не указана карточка клиента") }
        let (date, start) = try slot(of: office, date: request.date, start: request.start, nowMs: environment.nowMs())
        let name = request.clientName ?? TypesV1.FullName()
        return try await environment.idempotentWrite(request, context: context, by: claims, required: true) { now in
            let booking = BookingRecord(
                id: newID("b"), officeId: office.record.id, date: date.description, startMinute: start, cardId: request.cardID,
                surname: name.surname, name: name.name, patronymic: name.patronymic, state: .active,
                bookedByLogin: claims.login, bookedByName: claims.fullName, createdMs: now
            )
            return .book(booking, capacity: office.record.slotCapacity)
        } respond: { outcome in
            SchedulingV1.BookVisitResponse(booking: try outcome.booking().wire(utcOffsetMinutes: office.region.utcOffsetMinutes))
        }
    }

    public func cancelBooking(request: SchedulingV1.CancelBookingRequest, context: ServerContext) async throws -> SchedulingV1.CancelBookingResponse {
        let claims = try context.requireRole(Access.crm2, rule: Access.crm2Rule)
        try FieldBounds.check(request, context)
        guard !request.bookingID.isEmpty else { throw RuleError.invalidArgument(field: "booking_id", "Не указана запись") }
        return try await environment.idempotentWrite(request, context: context, by: claims, required: false) { now in
            .cancel(id: request.bookingID, reason: request.reason, nowMs: now)
        } respond: { outcome in
            let offset = outcome.office?.region.utcOffsetMinutes ?? Regions.moscowUTCOffsetMinutes
            return SchedulingV1.CancelBookingResponse(booking: try outcome.booking().wire(utcOffsetMinutes: offset))
        }
    }

    public func moveBooking(request: SchedulingV1.MoveBookingRequest, context: ServerContext) async throws -> SchedulingV1.MoveBookingResponse {
        let claims = try context.requireRole(Access.crm2, rule: Access.crm2Rule)
        try FieldBounds.check(request, context)
        guard !request.bookingID.isEmpty else { throw RuleError.invalidArgument(field: "booking_id", "Не указана запись") }
        let id = request.bookingID
        guard let current = try await store.booking(id: id) else {
            throw RuleError.notFound(field: "booking_id", "Запись не найдена")
        }
        guard current.state == .active else { throw RuleError.failedPrecondition("Запись отменена, перенести её нельзя") }
        let office = try await office(request.officeID.isEmpty ? current.officeId : request.officeID, field: "office_id")
        let (date, start) = try slot(of: office, date: request.date, start: request.start, nowMs: environment.nowMs())
        let calendar = environment.calendar
        let response: SchedulingV1.MoveBookingResponse = try await environment.idempotentWrite(
            request, context: context, by: claims, required: false
        ) { now in
            .move(id: id, office: office.record, date: date, start: start) { visitSms in
                // The pending visit SMS follows the booking: new text, new moment per the visit rule.
                var sms = visitSms
                let plan = VisitSmsRule.plan(visit: date, nowMs: now, utcOffsetMinutes: office.region.utcOffsetMinutes)
                let due = SmsWindow.nextAllowed(.visit, after: plan.sendAtUnixMs == 0 ? now : plan.sendAtUnixMs,
                                                utcOffsetMinutes: office.region.utcOffsetMinutes, calendar: calendar)
                sms.text = VisitSmsRule.text(visit: date, address: office.record.address)
                sms.dueMs = due
                sms.nextAttemptMs = due
                sms.utcOffsetMinutes = office.region.utcOffsetMinutes
                return sms
            }
        } respond: { outcome in
            SchedulingV1.MoveBookingResponse(booking: try outcome.booking().wire(utcOffsetMinutes: office.region.utcOffsetMinutes))
        }
        environment.wakeOutbox()
        return response
    }

    // MARK: helpers

    func office(_ id: String, field: String) async throws -> OfficeDetails {
        guard !id.isEmpty else { throw RuleError.invalidArgument(field: field, "Не выбран офис") }
        guard let office = try await store.office(id: id) else {
            throw RuleError.notFound(field: field, "Офис не найден")
        }
        return office
    }

    /// A bookable slot: a real date the office is open, the start of one of its slots, not past.
    func slot(of office: OfficeDetails, date: TypesV1.Date?, start: TypesV1.TimeOfDay?, nowMs: Int64) throws(RuleError) -> (LocalDate, Int) {
        let date = try LocalDate(date, field: "date")
        let starts = SlotRules.slotStarts(hours: office.hours, on: date, slotMinutes: office.record.slotMinutes)
        guard !starts.isEmpty else { throw .invalidArgument(field: "date", "Офис в этот день не работает") }
        guard let start, (0..<24).contains(start.hour), (0..<60).contains(start.minute),
              starts.contains(Int(start.hour) * 60 + Int(start.minute)) else {
            throw .invalidArgument(field: "start", "Выберите время из календаря офиса")
        }
        let minute = Int(start.hour) * 60 + Int(start.minute)
        guard !SlotRules.isPast(date: date, start: minute, utcOffsetMinutes: office.region.utcOffsetMinutes, nowMs: nowMs) else {
            throw .failedPrecondition("Это время уже прошло, выберите другое")
        }
        return (date, minute)
    }
}
