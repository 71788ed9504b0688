import Auth
import CRMAPI
import CRMDomain
import Foundation
import GRDB
public import RPCCore
import ServiceKit
public import Wire

/// `crm.contacts.v1.Calls`: a CRM2 call session from opening to «Сохранить результат звонка»
/// or «Выйти без сохранения результата». Sessions and drafts live in the database.
public struct CallsService: ContactsV1.Calls.ServiceProtocol {
    public let environment: ContactsEnvironment
    var store: ContactsStore { environment.store }

    public init(environment: ContactsEnvironment) {
        self.environment = environment
    }

    static let agreedWindowMs = Int64(ResultRules.twoWeeksDays) * dayMs

    public func openCallSession(request: ContactsV1.OpenCallSessionRequest, context: ServerContext) async throws -> ContactsV1.OpenCallSessionResponse {
        let claims = try context.requireRole(Role.crm2, rule: Access.crm2Rule)
        try FieldBounds.check(request, context)
        guard request.cardID > 0 else { throw RuleError.invalidArgument(field: "card_id", "Выберите карточку клиента") }
        guard let campaign = CampaignCatalog.campaign(request.campaignID), let script = CampaignCatalog.script(request.campaignID) else {
            throw RuleError.notFound(field: "campaign_id", "Кампания «\(request.campaignID)» не найдена")
        }
        guard campaign.active else { throw RuleError.failedPrecondition("Кампания «\(campaign.name)» неактивна") }
        guard request.direction == .incoming || request.direction == .outgoing else {
            throw RuleError.invalidArgument(field: "direction", "Укажите направление звонка")
        }
        try await environment.cards?.requireCard(request.cardID)
        let now = environment.nowMs()
        let record = SessionRecord(
            sessionID: RecordID.make(unixMs: now), cardID: request.cardID, campaignID: campaign.campaignID,
            direction: request.direction.rawValue, cardType: request.cardType.rawValue,
            clientUtcOffset: utcOffsetMinutes(moscowOffsetHours: request.clientRegion?.moscowOffsetHours ?? 0),
            operatorLogin: claims.login, operatorName: claims.fullName, operatorRole: claims.role.rawValue,
            leaseID: request.leaseID.isEmpty ? nil : request.leaseID, currentBlockID: script.firstBlockID,
            scriptPath: script.firstBlockID, objectionAttempts: 0, draft: nil, draftKind: nil, openedMs: now, state: .open, entryID: nil
        )
        let sessionMs = environment.sessionLeaseMs
        let consultationAllowed = try await store.write { db in
            if let leaseID = record.leaseID {
                try ContactsStore.attachLease(
                    db, leaseID: leaseID, login: claims.login, cardID: record.cardID, campaignID: record.campaignID,
                    nowMs: now, sessionMs: sessionMs
                )
            }
            try record.insert(db)
            return try ContactsStore.agreed(db, cardID: record.cardID, sinceMs: now - Self.agreedWindowMs)
        }
        return ContactsV1.OpenCallSessionResponse(session: ContactsV1.CallSession(
            sessionID: record.sessionID, cardID: record.cardID, campaign: campaign, direction: request.direction,
            currentBlock: script.blocks.first { $0.blockID == script.firstBlockID }, consultationAllowed: consultationAllowed,
            objectionAttempts: 0, draft: nil, openedUnixMs: now
        ))
    }

    public func nextScriptBlock(request: ContactsV1.NextScriptBlockRequest, context: ServerContext) async throws -> ContactsV1.NextScriptBlockResponse {
        let claims = try context.requireRole(Role.crm2, rule: Access.crm2Rule)
        try FieldBounds.check(request, context)
        return try await store.write { db in
            var session = try Self.openSession(db, request.sessionID, claims)
            guard let script = CampaignCatalog.script(session.campaignID) else {
                throw RuleError.notFound(field: "campaign_id", "Кампания не найдена")
            }
            guard let current = session.currentBlockID, current == request.blockID,
                  let block = script.blocks.first(where: { $0.blockID == current }) else {
                throw RuleError.failedPrecondition("Блок скрипта «\(request.blockID)» уже не текущий", field: "block_id")
            }
            guard let answer = block.answers.first(where: { $0.answerID == request.answerID }) else {
                throw RuleError.invalidArgument(field: "answer_id", "Ответ «\(request.answerID)» не из этого блока скрипта")
            }
            let next = answer.nextBlockID.isEmpty ? nil : script.blocks.first { $0.blockID == answer.nextBlockID }
            session.currentBlockID = next?.blockID
            if let next { session.scriptPath += "\n" + next.blockID }
            try session.update(db)
            return ContactsV1.NextScriptBlockResponse(block: next)
        }
    }

    public func recordObjectionHandling(
        request: ContactsV1.RecordObjectionHandlingRequest, context: ServerContext
    ) async throws -> ContactsV1.RecordObjectionHandlingResponse {
        let claims = try context.requireRole(Role.crm2, rule: Access.crm2Rule)
        try FieldBounds.check(request, context)
        return try await store.write { db in
            var session = try Self.openSession(db, request.sessionID, claims)
            guard CampaignCatalog.script(session.campaignID)?.objections.contains(where: { $0.objectionID == request.objectionID }) == true else {
                throw RuleError.invalidArgument(field: "objection_id", "Возражение «\(request.objectionID)» не из копилки возражений")
            }
            session.objectionAttempts += 1
            try session.update(db)
            return ContactsV1.RecordObjectionHandlingResponse(objectionAttempts: Int32(session.objectionAttempts))
        }
    }

    public func setDraftResult(request: ContactsV1.SetDraftResultRequest, context: ServerContext) async throws -> ContactsV1.SetDraftResultResponse {
        let claims = try context.requireRole(Role.crm2, rule: Access.crm2Rule)
        try FieldBounds.check(request, context)
        guard let result = request.result else { throw RuleError.invalidArgument(field: "result", "Выберите результат звонка") }
        let now = environment.nowMs()
        return try await store.write { db in
            var session = try Self.openSession(db, request.sessionID, claims)
            let draft = try Self.validate(db, result, session, claims, now)
            let kind = ResultRules.kind(draft)
            try ResultRules.checkChange(previous: session.draftKind.map(ContactsV1.CallResultKind.init(rawValue:)), new: kind, confirmed: request.confirmChange)
            session.draft = Data(try draft.serializedBytes())
            session.draftKind = kind.rawValue
            try session.update(db)
            return ContactsV1.SetDraftResultResponse(draft: draft, kind: kind)
        }
    }

    public func saveCallResult(request: ContactsV1.SaveCallResultRequest, context: ServerContext) async throws -> ContactsV1.SaveCallResultResponse {
        let claims = try context.requireRole(Role.crm2, rule: Access.crm2Rule)
        try FieldBounds.check(request, context)
        let scope = try IdempotencyScope(context, login: claims.login, required: true, request: request)
        let now = environment.nowMs()
        return try await IdempotencyStore.write(scope: scope, nowMs: now, in: store.write) { db in
            var session = try Self.session(db, request.sessionID, claims)
            guard session.state == .open else {
                throw RuleError.failedPrecondition(session.state == .saved ? "Результат звонка уже сохранен" : "Звонок завершен без сохранения результата")
            }
            let chosen: ContactsV1.CallResult
            if let given = request.result {
                chosen = given
            } else if let draft = session.draftResult {
                chosen = draft
            } else {
                throw RuleError.failedPrecondition("Выберите результат звонка")
            }
            let result = try Self.validate(db, chosen, session, claims, now)
            let kind = ResultRules.kind(result)
            if request.result != nil {
                try ResultRules.checkChange(
                    previous: session.draftKind.map(ContactsV1.CallResultKind.init(rawValue:)), new: kind, confirmed: request.confirmChange
                )
                session.draft = Data(try result.serializedBytes())
                session.draftKind = kind.rawValue
            }
            guard let campaign = CampaignCatalog.campaign(session.campaignID) else {
                throw RuleError.notFound(field: "campaign_id", "Кампания не найдена")
            }
            let entryID = RecordID.make(unixMs: now)
            try ContactsStore.insertEntry(db, Self.historyEntry(entryID, session, campaign, result, kind, claims, now), resultKind: kind)
            let outcome = try ContactsStore.applyOutcome(
                db, result: result, campaign: campaign, cardID: session.cardID, login: claims.login, entryID: entryID,
                sessionLeaseID: session.leaseID, nowMs: now
            )
            if let leaseID = session.leaseID { try ContactsStore.releaseLease(db, leaseID: leaseID) }
            session.state = .saved
            session.entryID = entryID
            try session.update(db)
            let response = ContactsV1.SaveCallResultResponse(
                entryID: entryID, kind: kind, callListEffect: outcome.effect, returnAtUnixMs: outcome.returnAtMs
            )
            return response
        }
    }

    public func exitWithoutSaving(request: ContactsV1.ExitWithoutSavingRequest, context: ServerContext) async throws -> ContactsV1.ExitWithoutSavingResponse {
        let claims = try context.requireRole(Role.crm2, rule: Access.crm2Rule)
        try FieldBounds.check(request, context)
        try await store.write { db in
            var session = try Self.session(db, request.sessionID, claims)
            switch session.state {
            case .saved: throw RuleError.failedPrecondition("Результат звонка уже сохранен")
            case .exited: return
            case .open:
                if let leaseID = session.leaseID { try ContactsStore.releaseLease(db, leaseID: leaseID) }
                session.state = .exited
                try session.update(db)
            }
        }
        return ContactsV1.ExitWithoutSavingResponse()
    }

    // MARK: - Helpers

    static func session(_ db: Database, _ id: String, _ claims: SessionClaims) throws -> SessionRecord {
        guard !id.isEmpty, let session = try SessionRecord.fetch(db, id: id) else {
            throw RuleError.notFound(field: "session_id", "Звонок «\(id)» не найден")
        }
        guard session.operatorLogin == claims.login else {
            throw RuleError.permissionDenied("Звонок ведет другой оператор")
        }
        return session
    }

    static func openSession(_ db: Database, _ id: String, _ claims: SessionClaims) throws -> SessionRecord {
        let session = try session(db, id, claims)
        guard session.state == .open else { throw RuleError.callEnded("Звонок уже завершен") }
        return session
    }

    static func validate(
        _ db: Database, _ result: ContactsV1.CallResult, _ session: SessionRecord, _ claims: SessionClaims, _ now: Int64
    ) throws -> ContactsV1.CallResult {
        guard let campaign = CampaignCatalog.campaign(session.campaignID) else {
            throw RuleError.notFound(field: "campaign_id", "Кампания не найдена")
        }
        let context = ResultContext(
            role: claims.role.wire, cardType: TypesV1.CardType(rawValue: session.cardType), campaign: campaign, nowMs: now,
            clientUtcOffsetMinutes: session.clientUtcOffset,
            agreedWithinLast14Days: try ContactsStore.agreed(db, cardID: session.cardID, sinceMs: now - agreedWindowMs),
            objectionAttempts: session.objectionAttempts
        )
        return try ResultRules.validate(result, context)
    }

    static func historyEntry(
        _ entryID: String, _ session: SessionRecord, _ campaign: ContactsV1.Campaign, _ result: ContactsV1.CallResult,
        _ kind: ContactsV1.CallResultKind, _ claims: SessionClaims, _ now: Int64
    ) -> ContactsV1.HistoryEntry {
        let incoming = session.direction == ContactsV1.CallDirection.incoming.rawValue
        var nextAction: ContactsV1.NextAction?
        if case .reached(let reached) = result.firstLevel {
            switch reached.result {
            case .callback(let callback): nextAction = ContactsV1.NextAction(at: callback.at)
            case .thinking(let thinking): nextAction = ContactsV1.NextAction(at: thinking.nextActionAt)
            case .agreed(let agreed):
                nextAction = agreed.visit.map {
                    ContactsV1.NextAction(at: $0.at, regionName: $0.region?.name ?? "", settlement: $0.settlement, officeName: $0.officeName)
                }
            default: break
            }
        } else if case .clientVisit(let visit) = result.firstLevel {
            nextAction = ContactsV1.NextAction(at: visit.at)
        }
        let contact: Bool = switch result.firstLevel {
        case .notReached, .callDropped, nil: false
        default: true
        }
        return ContactsV1.HistoryEntry(
            entryID: entryID, occurredUnixMs: now, action: incoming ? .incomingCall : .outgoingCall,
            actionLabel: incoming ? "Входящий звонок" : "Исходящий звонок",
            resultLabel: contact ? "Контакт состоялся" : ResultRules.label(kind), cardID: session.cardID, contractNumber: "",
            nextAction: nextAction, comment: result.comment, operator: claims.operatorRef, guidance: nil,
            details: .call(ContactsV1.CallDetails(
                sessionID: session.sessionID, campaignID: campaign.campaignID, campaignName: campaign.name, result: result,
                kind: kind, scriptPath: session.path, objectionAttempts: Int32(session.objectionAttempts)
            ))
        )
    }
}
