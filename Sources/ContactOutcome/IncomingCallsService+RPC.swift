import Auth
import CRMAPI
import CRMDomain
import Foundation
import GRDB
public import RPCCore
import ServiceKit
public import Wire

/// `crm.contacts.v1.IncomingCalls`: the process «СВВ: входящий звонок», its state in the
/// database. A third-party branch never shows the contract, the borrower or the debt
/// (230-ФЗ): its views have no such fields, and the client view is built only in the client branch.
public struct IncomingCallsService: ContactsV1.IncomingCalls.ServiceProtocol {
    public let environment: ContactsEnvironment
    var store: ContactsStore { environment.store }

    public init(environment: ContactsEnvironment) {
        self.environment = environment
    }

    public func startIncomingCall(request: ContactsV1.StartIncomingCallRequest, context: ServerContext) async throws -> ContactsV1.StartIncomingCallResponse {
        let claims = try context.requireRole([.collector], rule: Access.collectorRule)
        try FieldBounds.check(request, context)
        let state = IncomingCallState(processKey: ProcessKey.new("ВЗ-"))
        let now = environment.nowMs()
        try await store.write { db in try Self.save(db, state, login: claims.login, nowMs: now, insert: true) }
        return ContactsV1.StartIncomingCallResponse(step: Self.step(state, row: nil, nowMs: now))
    }

    public func submitIncomingCallFrame(
        request: ContactsV1.SubmitIncomingCallFrameRequest, context: ServerContext
    ) async throws -> ContactsV1.SubmitIncomingCallFrameResponse {
        let claims = try context.requireRole([.collector], rule: Access.collectorRule)
        try FieldBounds.check(request, context)
        let finishing = request.frame == .finish
        // Only the finishing frame writes the outcome; the others may be repeated freely.
        let scope = finishing ? try IdempotencyScope(context, login: claims.login, required: true, request: request) : nil
        let now = environment.nowMs()
        return try await IdempotencyStore.write(scope: scope, nowMs: now, in: store.write) { db in
            let state = try Self.load(db, request.processKey, claims)
            let row = try state.contractNumber.flatMap { try ContactsStore.portfolio(db, contract: $0) }
            let today = row?.today(nowMs: now) ?? LocalDate.of(unixMs: now, utcOffsetMinutes: 180)
            var hasDebt: [String: Bool] = [:]
            if request.frame == .identification, case .identification(let input)? = request.input?.input {
                hasDebt[input.contractNumber] = (try ContactsStore.portfolio(db, contract: input.contractNumber)?.debtKopecks ?? 0) > 0
            }
            let next = try IncomingCallMachine.submit(
                state, frame: request.frame, input: request.input?.input, today: today,
                newProcessKey: { ProcessKey.new("РТ-") }, contractHasDebt: { hasDebt[$0] ?? false }
            )
            if next.status == .finished { try Self.finish(db, next, row, claims, now) }
            if state.refinancingOf != nil {
                try db.executeCached(sql: "UPDATE refinancing_process SET is_new = 0 WHERE process_key = ?", arguments: [state.processKey])
            }
            try Self.save(db, next, login: claims.login, nowMs: now, insert: false)
            let shownRow = try next.contractNumber.flatMap { try ContactsStore.portfolio(db, contract: $0) }
            let response = ContactsV1.SubmitIncomingCallFrameResponse(step: Self.step(next, row: shownRow, nowMs: now))
            return response
        }
    }

    public func goBackIncomingCall(request: ContactsV1.GoBackIncomingCallRequest, context: ServerContext) async throws -> ContactsV1.GoBackIncomingCallResponse {
        let claims = try context.requireRole([.collector], rule: Access.collectorRule)
        try FieldBounds.check(request, context)
        let now = environment.nowMs()
        return try await store.write { db in
            let next = try IncomingCallMachine.back(try Self.load(db, request.processKey, claims))
            try Self.save(db, next, login: claims.login, nowMs: now, insert: false)
            let row = try next.contractNumber.flatMap { try ContactsStore.portfolio(db, contract: $0) }
            return ContactsV1.GoBackIncomingCallResponse(step: Self.step(next, row: row, nowMs: now))
        }
    }

    public func cancelIncomingCall(request: ContactsV1.CancelIncomingCallRequest, context: ServerContext) async throws -> ContactsV1.CancelIncomingCallResponse {
        let claims = try context.requireRole([.collector], rule: Access.collectorRule)
        try FieldBounds.check(request, context)
        let now = environment.nowMs()
        try await store.write { db in
            let next = try IncomingCallMachine.cancel(try Self.load(db, request.processKey, claims))
            try Self.save(db, next, login: claims.login, nowMs: now, insert: false)

        }
        return ContactsV1.CancelIncomingCallResponse()
    }

    public func getIncomingCall(request: ContactsV1.GetIncomingCallRequest, context: ServerContext) async throws -> ContactsV1.GetIncomingCallResponse {
        let claims = try context.requireRole([.collector], rule: Access.collectorRule)
        try FieldBounds.check(request, context)
        let now = environment.nowMs()
        return try await store.read { db in
            let key = request.processKey.isEmpty ? try Self.openProcessKey(db, request, claims) : request.processKey
            let state = try Self.load(db, key, claims)
            let row = try state.contractNumber.flatMap { try ContactsStore.portfolio(db, contract: $0) }
            return ContactsV1.GetIncomingCallResponse(step: Self.step(state, row: row, nowMs: now))
        }
    }

    // MARK: - Helpers

    /// The collector's open process on the request's contract (or card), the latest touched:
    /// how an interrupted call is resumed by what the collector knows.
    static func openProcessKey(_ db: Database, _ request: ContactsV1.GetIncomingCallRequest, _ claims: SessionClaims) throws -> String {
        guard !request.contractNumber.isEmpty || request.cardID != 0 else {
            throw RuleError.invalidArgument(field: "process_key", "Укажите ключ процесса, номер договора или ID карточки")
        }
        let open = try Row.fetchAll(
            db, sql: "SELECT process_key, state FROM incoming_call WHERE collector_login = ? AND status = 'open' ORDER BY updated_ms DESC",
            arguments: [claims.login]
        )
        for row in open {
            let json: String = row["state"]
            guard let state = try? JSONDecoder().decode(IncomingCallState.self, from: Data(json.utf8)) else { continue }
            if (!request.contractNumber.isEmpty && state.contractNumber == request.contractNumber)
                || (request.cardID != 0 && state.cardID == request.cardID) {
                return row["process_key"]
            }
        }
        let field = request.contractNumber.isEmpty ? "card_id" : "contract_number"
        throw RuleError.notFound(field: field, "Открытого звонка по \(request.contractNumber.isEmpty ? "карточке \(request.cardID)" : "договору \(request.contractNumber)") нет")
    }

    static func load(_ db: Database, _ key: String, _ claims: SessionClaims) throws -> IncomingCallState {
        guard let row = try Row.fetchOne(cached: db, sql: "SELECT collector_login, state FROM incoming_call WHERE process_key = ?", arguments: [key]) else {
            throw RuleError.notFound(field: "process_key", "Процесс «\(key)» не найден")
        }
        guard row["collector_login"] == claims.login else { throw RuleError.permissionDenied("Звонок ведет другой специалист") }
        let json: String = row["state"]
        return try JSONDecoder().decode(IncomingCallState.self, from: Data(json.utf8))
    }

    static func save(_ db: Database, _ state: IncomingCallState, login: String, nowMs: Int64, insert: Bool) throws {
        let json = String(decoding: try JSONEncoder().encode(state), as: UTF8.self)
        if insert {
            try db.executeCached(
                sql: "INSERT INTO incoming_call (process_key, collector_login, state, status, updated_ms) VALUES (?, ?, ?, ?, ?)",
                arguments: [state.processKey, login, json, state.status.rawValue, nowMs]
            )
        } else {
            try db.executeCached(
                sql: "UPDATE incoming_call SET state = ?, status = ?, updated_ms = ? WHERE process_key = ?",
                arguments: [json, state.status.rawValue, nowMs, state.processKey]
            )
        }
    }

    /// «Завершить»: the contract's history entry and the work-list effect of a client's result.
    static func finish(_ db: Database, _ state: IncomingCallState, _ row: PortfolioRow?, _ claims: SessionClaims, _ now: Int64) throws {
        guard let contract = state.contractNumber else { return }
        let client = ContactsV1.Caller(rawValue: state.caller) == .client
        if client {
            try db.executeCached(
                sql: """
                    UPDATE portfolio SET is_new = 0,
                        hidden_until = COALESCE(?, hidden_until), promise_made_on = COALESCE(?, promise_made_on),
                        campaign_ended = MAX(campaign_ended, ?)
                    WHERE contract_number = ?
                    """,
                arguments: [state.hiddenUntil, state.promiseMadeOn, state.campaignEnded, contract]
            )
        }
        let subprocess = state.refinancingOf != nil
        // A sub-process leaves the work list once its own process ends (finished or cancelled).
        if !subprocess, client, ContactsV1.ClientCallResult(rawValue: state.clientResult) == .refinancing, let key = state.refinancingProcessKey {
            // «Рефинансирование по телефону» becomes its own process, waiting at its phone entry
            // (GetIncomingCall with its key), and a task on the collector's work list until it ends.
            let today = row?.today(nowMs: now) ?? LocalDate.of(unixMs: now, utcOffsetMinutes: 180)
            try ContactsStore.startRefinancing(db, processKey: key, contract: contract, collector: claims.login, today: today, nowMs: now)
            try save(db, IncomingCallState(processKey: key, refinancingOf: contract), login: claims.login, nowMs: now, insert: true)
        }
        func time(_ minute: Int?) -> TypesV1.TimeOfDay? { minute.map { TypesV1.TimeOfDay(hour: Int32($0 / 60), minute: Int32($0 % 60)) } }
        try ContactsStore.insertEntry(db, ContactsV1.HistoryEntry(
            entryID: RecordID.make(unixMs: now), occurredUnixMs: now, action: .incomingCall,
            actionLabel: subprocess ? "Рефинансирование по телефону" : "Входящий звонок",
            resultLabel: subprocess ? "Рефинансирование оформлено" : client ? "Идентифицирован клиент" : "Идентифицировано 3-е лицо", cardID: row?.cardID ?? state.cardID,
            contractNumber: contract, comment: state.comment, operator: claims.operatorRef,
            details: .collection(ContactsV1.CollectionContactDetails(
                processKey: state.processKey, channel: .call, phone: state.phone ?? "", caller: ContactsV1.Caller(rawValue: state.caller),
                clientResult: ContactsV1.ClientCallResult(rawValue: state.clientResult),
                promisedDate: state.promisedDate.flatMap(LocalDate.init(iso:))?.wire, promisedTime: time(state.promisedMinute),
                callbackDate: state.callbackDate.flatMap(LocalDate.init(iso:))?.wire, callbackTime: time(state.callbackMinute),
                refusalReason: ContactsV1.PaymentRefusalReason(rawValue: state.refusalReason),
                thirdPartyResult: ContactsV1.ThirdPartyResult(rawValue: state.thirdPartyResult)
            ))
        ))
    }

    /// The view of the current frame. Third-party frames carry nothing about the debtor.
    static func step(_ state: IncomingCallState, row: PortfolioRow?, nowMs: Int64) -> ContactsV1.IncomingCallStep {
        let thirdParty = ContactsV1.Caller(rawValue: state.caller) == .thirdParty
        let contract = state.contractNumber ?? ""
        let today = row?.today(nowMs: nowMs) ?? LocalDate.of(unixMs: nowMs, utcOffsetMinutes: 180)
        let view: ContactsV1.IncomingCallStep.View? = switch state.currentFrame {
        case .phoneEntry: .phoneEntry(.init())
        case .identification: .identification(.init(phone: state.phone ?? ""))
        case .whoCalled:
            .whoCalled(.init(contractNumber: contract, borrower: row?.borrower, phoneOwnership: TypesV1.PhoneOwnership(rawValue: state.phoneOwnership)))
        case .client where !thirdParty:
            .client(.init(
                contractNumber: contract, borrower: row?.borrower, debtKopecks: row?.debtKopecks ?? 0,
                overdueKopecks: row?.overdueKopecks ?? 0, overdueDays: row?.overdueDays ?? 0
            ))
        case .readyToPay where !thirdParty: .readyToPay(.init(contractNumber: contract, today: today.wire))
        case .callBack where !thirdParty:
            .callBack(.init(contractNumber: contract, today: today.wire, latestHiddenUntil: CollectionRules.latestCallBack(today: today).wire))
        case .refusal where !thirdParty: .refusal(.init(contractNumber: contract))
        case .refinancing where !thirdParty: .refinancing(.init(contractNumber: contract, refinancingProcessKey: state.refinancingProcessKey ?? ""))
        case .thirdParty: .thirdParty(.init())
        case .finish where thirdParty: .thirdPartyFinish(.init(result: ContactsV1.ThirdPartyResult(rawValue: state.thirdPartyResult)))
        case .finish:
            .clientFinish(.init(
                contractNumber: contract, result: ContactsV1.ClientCallResult(rawValue: state.clientResult),
                hiddenUntil: state.hiddenUntil.flatMap(LocalDate.init(iso:))?.wire, campaignEnded: state.campaignEnded
            ))
        default: nil
        }
        return ContactsV1.IncomingCallStep(
            processKey: state.processKey, frame: state.currentFrame, canGoBack: state.status == .open && !state.previous.isEmpty,
            finished: state.status != .open, view: view
        )
    }
}
