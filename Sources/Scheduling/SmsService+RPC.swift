import Auth
import CRMAPI
import CRMDomain
import Foundation
public import RPCCore
public import Wire

/// `crm.scheduling.v1.Sms`: fixed-text templates, sending now or at a moment through the
/// durable outbox, the visit-SMS rule, message states and login codes.
public struct SmsService: SchedulingV1.Sms.ServiceProtocol {
    public let environment: SchedulingEnvironment
    var store: any SchedulingStore { environment.store }

    public init(environment: SchedulingEnvironment) {
        self.environment = environment
    }

    public func listSmsTemplates(request: SchedulingV1.ListSmsTemplatesRequest, context: ServerContext) async throws -> SchedulingV1.ListSmsTemplatesResponse {
        try context.requireRole(Access.crm2AndCollector, rule: Access.crm2AndCollectorRule)
        try FieldBounds.check(request, context)
        let templates = SmsTemplates.all.filter { request.category == .unspecified || $0.kind.wire == request.category }
        return SchedulingV1.ListSmsTemplatesResponse(templates: templates.map {
            SchedulingV1.SmsTemplate(templateID: $0.id, name: $0.name, text: $0.text, category: $0.kind.wire)
        })
    }

    public func sendSms(request: SchedulingV1.SendSmsRequest, context: ServerContext) async throws -> SchedulingV1.SendSmsResponse {
        try context.requireRole(Access.crm2AndCollector, rule: Access.crm2AndCollectorRule)
        try FieldBounds.check(request, context)
        let accepted = try await accept(
            context: context, request: request, templateID: request.templateID, cardID: request.cardID, phone: request.phone,
            regionCode: request.regionCode, contract: request.contractNumber, sendAt: nil
        ) { sms, moved in SchedulingV1.SendSmsResponse(sms: sms.wire, deferred: moved) }
        return accepted
    }

    public func scheduleSms(request: SchedulingV1.ScheduleSmsRequest, context: ServerContext) async throws -> SchedulingV1.ScheduleSmsResponse {
        // A role that may send no template is refused before any field is looked at.
        try context.requireRole(Access.crm2AndCollector, rule: Access.crm2AndCollectorRule)
        try FieldBounds.check(request, context)
        guard request.sendAtUnixMs > environment.nowMs() else {
            throw RuleError.invalidArgument(field: "send_at_unix_ms", "Время отправки уже прошло")
        }
        return try await accept(
            context: context, request: request, templateID: request.templateID, cardID: request.cardID, phone: request.phone,
            regionCode: request.regionCode, contract: request.contractNumber, sendAt: request.sendAtUnixMs
        ) { sms, moved in SchedulingV1.ScheduleSmsResponse(sms: sms.wire, moved: moved) }
    }

    /// SendSms and ScheduleSms: a MARKETING or COLLECTION template to a number, into the outbox.
    func accept<Request: WireMessage, Response: WireMessage>(
        context: ServerContext, request: Request, templateID: String, cardID: Int64, phone typed: String,
        regionCode: String, contract: String, sendAt: Int64?,
        respond: @escaping @Sendable (SmsRecord, Bool) -> Response
    ) async throws -> Response {
        let claims = try context.requireRole(Access.crm2AndCollector, rule: Access.crm2AndCollectorRule)
        guard let template = SmsTemplates.byID[templateID] else { throw RuleError.notFound(field: "template_id", "Шаблон SMS не найден") }
        switch template.kind {
        case .marketing: try context.requireRole(Access.crm2, rule: Access.marketingRule)
        case .collection: try context.requireRole([.collector], rule: Access.collectionRule)
        case .visit, .loginCode:
            throw RuleError.invalidArgument(field: "template_id", "Этот шаблон отправляется только автоматически")
        }
        let phone = try PhoneNumber.normalize(typed, field: "phone")
        var chosen = Regions.byCode["77"]!
        if template.kind == .collection {
            guard !contract.isEmpty else { throw RuleError.invalidArgument(field: "contract_number", "Для SMS о задолженности укажите договор") }
            guard !regionCode.isEmpty else { throw RuleError.invalidArgument(field: "region_code", "Для SMS о задолженности укажите регион клиента") }
            // 230-ФЗ: a third party learns nothing of a debt.
            try await environment.debtors?.checkCollectionRecipient(contract: contract, cardID: cardID, phone: phone)
        }
        if !regionCode.isEmpty {
            guard let known = Regions.byCode[regionCode] else { throw RuleError.invalidArgument(field: "region_code", "Неизвестный регион «\(regionCode)»") }
            chosen = known
        }
        let region = chosen
        let calendar = environment.calendar
        let response: Response = try await environment.idempotentWrite(
            request, context: context, by: claims, required: true
        ) { (now: Int64) -> SchedulingWrite in
            let wanted = sendAt ?? now
            let due = SmsWindow.nextAllowed(template.kind, after: wanted, utcOffsetMinutes: region.utcOffsetMinutes, calendar: calendar)
            let sms = SmsRecord(
                id: newID("sms"), cardId: cardID, contractNumber: template.kind == .collection ? contract : "", phone: phone,
                template: template, text: template.text, utcOffsetMinutes: region.utcOffsetMinutes, acceptedMs: now, dueMs: due,
                sentByLogin: claims.login, sentByName: claims.fullName
            )
            guard template.kind == .collection else { return .acceptSms(sms, checkCaps: nil) }
            let offset = region.utcOffsetMinutes
            return .acceptSms(sms, checkCaps: { @Sendable (others: [Int64]) throws in
                if let violation = SmsCaps.violation(dueMs: due, others: others, utcOffsetMinutes: offset) {
                    throw RuleError.failedPrecondition(violation.rule, field: "contract_number")
                }
            })
        } respond: { (outcome: WriteOutcome) throws -> Response in
            guard let sms = try outcome.sms() else { throw WriteOutcome.Mismatch() }
            return respond(sms, sms.dueMs != (sendAt ?? sms.acceptedMs))
        }
        environment.wakeOutbox()
        return response
    }

    public func planVisitSms(request: SchedulingV1.PlanVisitSmsRequest, context: ServerContext) async throws -> SchedulingV1.PlanVisitSmsResponse {
        try context.requireRole(Access.crm2, rule: Access.crm2Rule)
        try FieldBounds.check(request, context)
        let office = try await office(request.officeID)
        let visit = try LocalDate(request.visitDate, field: "visit_date")
        let plan = VisitSmsRule.plan(visit: visit, nowMs: environment.nowMs(), utcOffsetMinutes: office.region.utcOffsetMinutes)
        return SchedulingV1.PlanVisitSmsResponse(
            sendByDefault: plan.sendByDefault, sendAtUnixMs: plan.sendAtUnixMs,
            text: VisitSmsRule.text(visit: visit, address: office.record.address)
        )
    }

    public func scheduleVisitSms(request: SchedulingV1.ScheduleVisitSmsRequest, context: ServerContext) async throws -> SchedulingV1.ScheduleVisitSmsResponse {
        let claims = try context.requireRole(Access.crm2, rule: Access.crm2Rule)
        try FieldBounds.check(request, context)
        guard !request.bookingID.isEmpty else { throw RuleError.invalidArgument(field: "booking_id", "Не указана запись") }
        let phone: String? = request.phone.trimmingCharacters(in: .whitespaces).isEmpty ? nil : try PhoneNumber.normalize(request.phone, field: "phone")
        if request.send && phone == nil { throw RuleError.invalidArgument(field: "phone", "Укажите номер телефона для SMS") }
        let calendar = environment.calendar
        let response = try await environment.idempotentWrite(request, context: context, by: claims, required: true) { now in
            .visitSms(bookingID: request.bookingID) { found, office in
                try Self.visitSms(request, booking: found, office: office, phone: phone, claims: claims, nowMs: now, calendar: calendar)
            }
        } respond: { outcome in
            SchedulingV1.ScheduleVisitSmsResponse(sms: try outcome.sms()?.wire)
        }
        environment.wakeOutbox()
        return response
    }

    /// The visit SMS rule applied to a booking read in the write's transaction: the message to
    /// queue, or nil when none is asked for.
    static func visitSms(
        _ request: SchedulingV1.ScheduleVisitSmsRequest, booking found: BookingRecord?, office: OfficeDetails?, phone: String?,
        claims: SessionClaims, nowMs now: Int64, calendar: ProductionCalendar
    ) throws -> SmsRecord? {
        guard let booking = found else {
            throw RuleError.notFound(field: "booking_id", "Запись не найдена")
        }
        guard booking.state == .active else { throw RuleError.failedPrecondition("Запись отменена, SMS о визите не отправляется") }
        guard let office, let visit = LocalDate(iso: booking.date) else {
            throw RuleError.notFound(field: "booking_id", "Офис записи не найден")
        }
        let offset = office.region.utcOffsetMinutes
        let plan = VisitSmsRule.plan(visit: visit, nowMs: now, utcOffsetMinutes: offset)
        if plan.sendByDefault && !request.send && phone != nil {
            throw RuleError.failedPrecondition(VisitSmsRule.untickRule)
        }
        guard request.send, let phone else { return nil }
        let due = SmsWindow.nextAllowed(.visit, after: plan.sendAtUnixMs == 0 ? now : plan.sendAtUnixMs, utcOffsetMinutes: offset, calendar: calendar)
        let sms = SmsRecord(
            id: newID("sms"), cardId: booking.cardId, phone: phone, template: SmsTemplates.visit,
            text: VisitSmsRule.text(visit: visit, address: office.record.address), utcOffsetMinutes: offset, acceptedMs: now,
            dueMs: due, sentByLogin: claims.login, sentByName: claims.fullName, bookingId: booking.id
        )
        return sms
    }

    public func listClientSms(request: SchedulingV1.ListClientSmsRequest, context: ServerContext) async throws -> SchedulingV1.ListClientSmsResponse {
        try context.requireRole(Access.crm2AndCollector, rule: Access.crm2AndCollectorRule)
        try FieldBounds.check(request, context)
        guard request.cardID > 0 else { throw RuleError.invalidArgument(field: "card_id", "Не указана карточка клиента") }
        let size = try Paging.size(request.pageSize)
        let cursor = try Paging.cursor(request.pageToken)
        let card = request.cardID
        let rows = try await store.smsOfCard(card: card, after: cursor, limit: size + 1)
        let page = rows.prefix(size)
        let next = rows.count > size ? page.last.map { Paging.token($0.0.acceptedMs, $0.1) } ?? "" : ""
        return SchedulingV1.ListClientSmsResponse(messages: page.map(\.0.wire), nextPageToken: next)
    }

    public func getOutboxStatus(request: SchedulingV1.GetOutboxStatusRequest, context: ServerContext) async throws -> SchedulingV1.GetOutboxStatusResponse {
        try context.requireRole(Access.any, rule: "")
        try FieldBounds.check(request, context)
        let now = environment.nowMs()
        let counts = try await store.outboxCounts(nowMs: now)
        return SchedulingV1.GetOutboxStatusResponse(
            queued: Int32(counts.queued), scheduled: Int32(counts.scheduled), awaitingReport: Int32(counts.awaitingReport),
            failedLast24h: Int32(counts.failedLast24h), oldestDueAgeMs: counts.oldestDueAgeMs, provider: environment.providerName,
            noReport: Int32(counts.noReport), contactHistoryPending: Int32(counts.contactHistoryPending)
        )
    }

    public func sendLoginCode(request: SchedulingV1.SendLoginCodeRequest, context: ServerContext) async throws -> SchedulingV1.SendLoginCodeResponse {
        let claims = try context.requireRole([.system], rule: Access.systemRule)
        try FieldBounds.check(request, context)
        let phone = try PhoneNumber.normalize(request.phone, field: "phone")
        guard request.code.count == 6, request.code.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw RuleError.invalidArgument(field: "code", "Код должен состоять из 6 цифр")
        }
        guard !request.login.isEmpty else { throw RuleError.invalidArgument(field: "login", "Не указан логин") }
        let response = try await environment.idempotentWrite(request, context: context, by: claims, required: true) { now in
            let sms = SmsRecord(
                id: newID("sms"), cardId: 0, login: request.login, phone: phone, template: SmsTemplates.loginCode,
                text: SmsTemplates.loginCodeText(request.code), utcOffsetMinutes: Regions.moscowUTCOffsetMinutes, acceptedMs: now,
                dueMs: now, sentByLogin: claims.login, sentByName: claims.fullName
            )
            return .acceptSms(sms, checkCaps: nil)
        } respond: { outcome in
            guard let sms = try outcome.sms() else { throw WriteOutcome.Mismatch() }
            return SchedulingV1.SendLoginCodeResponse(smsID: sms.id)
        }
        environment.wakeOutbox()
        return response
    }

    func office(_ id: String) async throws -> OfficeDetails {
        guard !id.isEmpty else { throw RuleError.invalidArgument(field: "office_id", "Не выбран офис") }
        guard let office = try await store.office(id: id) else {
            throw RuleError.notFound(field: "office_id", "Офис не найден")
        }
        return office
    }
}
