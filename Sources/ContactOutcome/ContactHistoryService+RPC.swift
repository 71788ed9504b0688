import Auth
import CRMAPI
import CRMDomain
import Foundation
public import RPCCore
public import Wire

/// `crm.contacts.v1.ContactHistory`: one history of calls, SMS, e-mail, applications and
/// bureau decisions, newest first; application and bureau entries carry the §6 guidance.
public struct ContactHistoryService: ContactsV1.ContactHistory.ServiceProtocol {
    public let environment: ContactsEnvironment
    var store: ContactsStore { environment.store }

    public init(environment: ContactsEnvironment) {
        self.environment = environment
    }

    public func listContactHistory(
        request: ContactsV1.ListContactHistoryRequest, context: ServerContext
    ) async throws -> ContactsV1.ListContactHistoryResponse {
        // A role that may read no history is refused before any field is looked at.
        try context.requireRole(Role.crm2.union([.collector]), rule: Access.crm2AndCollectorRule)
        try FieldBounds.check(request, context)
        let byCard = request.cardID != 0
        let byContract = !request.contractNumber.isEmpty
        guard byCard != byContract else {
            throw RuleError.invalidArgument(field: byCard ? "contract_number" : "card_id", "Укажите либо карточку (card_id), либо договор (contract_number)")
        }
        if byCard {
            try context.requireRole(Role.crm2, rule: Access.crm2Rule)
        } else {
            try context.requireRole([.collector], rule: Access.collectorRule)
        }
        let size = try Paging.size(request.pageSize)
        let cursor = try Paging.cursor(request.pageToken).map { ($0.primary, $0.secondary) }
        let now = environment.nowMs()
        let rows = try await store.read { db in
            try ContactsStore.history(
                db, cardID: byCard ? request.cardID : nil, contractNumber: byContract ? request.contractNumber : nil,
                actions: request.actions, after: cursor, limit: size + 1
            )
        }
        let page = rows.prefix(size)
        return ContactsV1.ListContactHistoryResponse(
            entries: page.map { Self.withGuidance($0.entry, nowMs: now) },
            nextPageToken: rows.count > size ? page.last.map { Paging.Cursor($0.occurred, $0.seq).token } ?? "" : ""
        )
    }

    /// The §6 guidance, computed at read time (a bureau decision counts only while valid).
    static func withGuidance(_ stored: ContactsV1.HistoryEntry, nowMs: Int64) -> ContactsV1.HistoryEntry {
        var entry = stored
        switch entry.details {
        case .application(let application):
            entry.guidance = Guidance.of(application)
        case .bureauDecision(var bureau):
            let validUntil = bureau.validUntilUnixMs != 0
                ? bureau.validUntilUnixMs : entry.occurredUnixMs.addingReportingOverflow(Guidance.bureauValidityMs).partialValue
            bureau.stillValid = nowMs < validUntil
            entry.details = .bureauDecision(bureau)
            entry.guidance = Guidance.of(bureau)
        default:
            break
        }
        return entry
    }

    static func smsRank(_ state: TypesV1.SmsState) -> Int {
        switch state {
        case .queued: 1
        case .sent: 2
        // Below the final states: a report that arrives late still moves it on.
        case .noReport: 3
        case .delivered, .failed, .cancelled: 4
        default: 0
        }
    }

    static func smsLabel(_ state: TypesV1.SmsState) -> String {
        switch state {
        case .queued: "В очереди"
        case .sent: "Отправлено"
        case .delivered: "Доставлено"
        case .failed: "Не доставлено"
        case .cancelled: "Отменено"
        case .noReport: "Нет отчёта о доставке"
        default: ""
        }
    }

    public func recordSms(request: ContactsV1.RecordSmsRequest, context: ServerContext) async throws -> ContactsV1.RecordSmsResponse {
        try context.requireRole([.system], rule: Access.systemRule)
        try FieldBounds.check(request, context)
        guard !request.smsID.isEmpty else { throw RuleError.invalidArgument(field: "sms_id", "Не указан идентификатор SMS") }
        guard !request.phone.isEmpty else { throw RuleError.invalidArgument(field: "phone", "Не указан номер телефона") }
        let phone = try NationalPhone(request.phone, field: "phone").digits
        guard Self.smsRank(request.state) > 0 else { throw RuleError.invalidArgument(field: "state", "Неизвестное состояние SMS") }
        let key = "sms:" + request.smsID
        let now = environment.nowMs()
        return try await store.write { db in
            let existing = try ContactsStore.entry(db, sourceKey: key)
            let entryID = existing?.entry.entryID ?? RecordID.make(unixMs: now)
            if let existing, let stored = existing.smsState, Self.smsRank(TypesV1.SmsState(rawValue: stored)) >= Self.smsRank(request.state) {
                return ContactsV1.RecordSmsResponse(entryID: entryID)  // never backwards
            }
            let entry = ContactsV1.HistoryEntry(
                entryID: entryID, occurredUnixMs: request.acceptedUnixMs != 0 ? request.acceptedUnixMs : now, action: .sms,
                actionLabel: "SMS", resultLabel: Self.smsLabel(request.state), cardID: request.cardID,
                contractNumber: request.contractNumber, operator: request.operator,
                details: .sms(ContactsV1.SmsDetails(
                    smsID: request.smsID, text: request.text, phone: phone, state: request.state,
                    failureReason: request.failureReason, templateID: request.templateID
                ))
            )
            if existing == nil {
                try ContactsStore.insertEntry(db, entry, sourceKey: key, smsState: request.state)
            } else {
                try ContactsStore.replaceEntry(db, sourceKey: key, entry, smsState: request.state)
            }
            return ContactsV1.RecordSmsResponse(entryID: entryID)
        }
    }

    public func recordExternalEvent(
        request: ContactsV1.RecordExternalEventRequest, context: ServerContext
    ) async throws -> ContactsV1.RecordExternalEventResponse {
        // Other systems only: a bureau decision comes from the registry's RequestBureauDecision,
        // never as an operator's word (an operator once wrote «Одобрено» the bureau had refused).
        try context.requireRole([.system], rule: Access.systemRule)
        try FieldBounds.check(request, context)
        guard let event = request.event else { throw RuleError.invalidArgument(field: "event", "Не указано событие") }
        guard !request.eventID.isEmpty else { throw RuleError.invalidArgument(field: "event_id", "Не указан идентификатор события") }
        guard request.cardID != 0 || !request.contractNumber.isEmpty else {
            throw RuleError.invalidArgument(field: "card_id", "Укажите карточку или договор")
        }
        let now = environment.nowMs()
        let occurred = request.occurredUnixMs != 0 ? request.occurredUnixMs : now
        var entry = ContactsV1.HistoryEntry(
            entryID: RecordID.make(unixMs: now), occurredUnixMs: occurred, cardID: request.cardID,
            contractNumber: request.contractNumber, comment: request.comment, operator: request.operator
        )
        switch event {
        case .email(let email):
            entry.action = .email
            entry.actionLabel = "Email"
            entry.resultLabel = "Отправлено"
            entry.details = .email(email)
        case .application(let application):
            entry.action = .application
            entry.actionLabel = Self.applicationLabel(application.event)
            entry.resultLabel = Self.applicationResultLabel(application.result)
            entry.details = .application(application)
        case .bureauDecision(var bureau):
            if bureau.validUntilUnixMs == 0 {
                let (until, overflow) = occurred.addingReportingOverflow(Guidance.bureauValidityMs)
                guard !overflow else { throw RuleError.invalidArgument(field: "occurred_unix_ms", "Время события вне допустимого диапазона") }
                bureau.validUntilUnixMs = until
            }
            entry.action = .bureauDecision
            entry.actionLabel = "Решение БКИ"
            entry.resultLabel = "Подана заявка"
            entry.details = .bureauDecision(bureau)
        }
        let key = "event:" + request.eventID
        let fresh = entry
        let stored = try await store.write { db -> ContactsV1.HistoryEntry in
            if let existing = try ContactsStore.entry(db, sourceKey: key) { return existing.entry }
            try ContactsStore.insertEntry(db, fresh, sourceKey: key)
            return fresh
        }
        let shown = Self.withGuidance(stored, nowMs: now)
        return ContactsV1.RecordExternalEventResponse(entryID: shown.entryID, guidance: shown.guidance)
    }

    static func applicationLabel(_ event: ContactsV1.ApplicationEvent) -> String {
        switch event {
        case .contractSigned: "Договор подписан"
        case .documentsReady: "Печатные документы готовы"
        case .contractNotSigned: "Договор не подписан"
        case .approved: "Одобрено"
        case .inProgress: "В обработке"
        case .temporaryRefusal: "Временный отказ"
        case .declined: "Отклонена"
        case .svCreditSubmitted: "Подача заявки СВ-Кредит"
        case .fisSubmitted: "Подача FIS заявки"
        case .dessSubmitted: "Подача DESS заявки"
        case .internetSubmitted: "Подача INTERNET заявки"
        default: "Заявка"
        }
    }

    static func applicationResultLabel(_ result: ContactsV1.ApplicationResult) -> String {
        switch result {
        case .declined: "Отклонена"
        case .refused: "Отказ"
        case .submitted: "Подана заявка"
        default: ""
        }
    }
}
