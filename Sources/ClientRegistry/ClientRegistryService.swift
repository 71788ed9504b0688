public import Auth
import CRMAPI
import CRMDomain
import Foundation
import GRDB
public import RPCCore
import ServiceKit
import Wire

/// The registry's services share one store and one clock.
public struct RegistryEnvironment: Sendable {
    public let store: RegistryStore
    /// Wall-clock milliseconds (UTC); tests fix it.
    public let nowMs: @Sendable () -> Int64
    /// The server's own zone for «today» (age): Moscow.
    public let serverUTCOffsetMinutes: Int
    /// Whether sessions last: what the auth interceptor asks on every call with a session.
    public let sessions: RegistrySessions

    public init(store: RegistryStore, nowMs: @escaping @Sendable () -> Int64 = { SystemClockMs.now() }, serverUTCOffsetMinutes: Int = 180) {
        self.store = store
        self.nowMs = nowMs
        self.serverUTCOffsetMinutes = serverUTCOffsetMinutes
        self.sessions = RegistrySessions(store: store)
    }

    func today(_ nowMs: Int64) -> LocalDate {
        LocalDate.of(unixMs: nowMs, utcOffsetMinutes: serverUTCOffsetMinutes)
    }

    /// Runs `body` in one transaction; with an idempotency key in metadata, a repeat of the
    /// same request returns the first answer and a different request is refused.
    func idempotentWrite<Request: WireMessage, Response: WireMessage>(
        _ request: Request, context: ServerContext, by claims: SessionClaims,
        _ body: @escaping @Sendable (Database, Int64) throws -> Response
    ) async throws -> Response {
        let scope = try IdempotencyScope(context, login: claims.login, required: false, request: request)
        let now = nowMs()
        return try await IdempotencyStore.write(scope: scope, nowMs: now, in: store.write) { db in try body(db, now) }
    }
}

extension SessionClaims {
    var actor: Actor { Actor(login: login, fullName: fullName) }
}

/// Who may call what (docs/API.md, ClientRegistry table).
enum Access {
    static let crm2 = Role.crm2
    static let crm2AndCollector = Role.crm2.union([.collector])
    static let collector: Set<Role> = [.collector]
    static let office: Set<Role> = [.office]
    /// Loaders (the debtor-portfolio and call-list feeds) read loans and select cards.
    static let collectorAndLoaders: Set<Role> = [.collector, .system]
    static let crm2AndLoaders = Role.crm2.union([.system])

    static let crm2Rule = "Доступно только сотрудникам контакт-центра (CRM2)"
    static let crm2AndCollectorRule = "Доступно сотрудникам контакт-центра (CRM2) и взыскания"
    static let collectorRule = "Доступно только специалистам выездного взыскания"
}

/// `crm.registry.v1.ClientRegistry`: cards, search, tabs, edits with history, bureau
/// decision, loans and identification.
public struct ClientRegistryService: RegistryV1.ClientRegistry.ServiceProtocol {
    public let environment: RegistryEnvironment
    public let bureau: any Bureau
    /// Where a bureau decision is written into the contact history; nil when the registry runs
    /// without a contacts service (tests, `crm up --services registry`).
    public let bureauHistory: (any BureauHistory)?
    var store: RegistryStore { environment.store }

    public init(environment: RegistryEnvironment, bureau: (any Bureau)? = nil, bureauHistory: (any BureauHistory)? = nil) {
        self.environment = environment
        self.bureau = bureau ?? RegistryBureau()
        self.bureauHistory = bureauHistory
    }

    // MARK: search and card

    public func searchByPhone(request: RegistryV1.SearchByPhoneRequest, context: ServerContext) async throws -> RegistryV1.SearchByPhoneResponse {
        try context.requireRole(Access.crm2AndCollector, rule: Access.crm2AndCollectorRule)
        try FieldBounds.check(request, context)
        let phone = try NationalPhone(request.phone, field: "phone").digits
        let matches = try await store.read { db in try db.cards(withPhone: phone) }
        return RegistryV1.SearchByPhoneResponse(normalizedPhone: phone, cards: matches.map(\.wire))
    }

    static func nameQuery(_ fullName: TypesV1.FullName?, withoutPatronymic: Bool, birthDate: TypesV1.Date?) throws(RuleError) -> NameQuery {
        let name = fullName ?? TypesV1.FullName()
        guard !name.surname.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw .invalidArgument(field: "full_name.surname", "Укажите фамилию")
        }
        guard !name.name.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw .invalidArgument(field: "full_name.name", "Укажите имя")
        }
        return NameQuery(
            surname: name.surname, name: name.name, patronymic: name.patronymic, withoutPatronymic: withoutPatronymic,
            birthDate: try LocalDate.from(birthDate, field: "birth_date")
        )
    }

    public func searchByName(request: RegistryV1.SearchByNameRequest, context: ServerContext) async throws -> RegistryV1.SearchByNameResponse {
        try context.requireRole(Access.crm2AndCollector, rule: Access.crm2AndCollectorRule)
        try FieldBounds.check(request, context)
        let query = try Self.nameQuery(request.fullName, withoutPatronymic: request.withoutPatronymic, birthDate: request.birthDate)
        let size = try Paging.size(request.pageSize)
        let cursor = try Paging.cursor(request.pageToken)
        let matches = try await store.read { db in try db.cards(named: query, after: cursor?.primary, limit: size + 1) }
        let page = Array(matches.prefix(size))
        let next = matches.count > size ? Paging.Cursor(page.last!.card.cardID).token : ""
        return RegistryV1.SearchByNameResponse(cards: page.map(\.wire), nextPageToken: next)
    }

    func cardResponse(_ db: Database, _ cardID: Int64, now: Int64) throws -> RegistryV1.Card {
        guard let details = try db.cardDetails(cardID) else {
            throw RuleError.notFound(field: "card_id", "Карточка \(cardID) не найдена")
        }
        return details.wire(today: environment.today(now))
    }

    public func getCard(request: RegistryV1.GetCardRequest, context: ServerContext) async throws -> RegistryV1.GetCardResponse {
        // SYSTEM: contacts checks that a call session's card exists.
        try context.requireRole(Access.crm2AndCollector.union([.system]), rule: Access.crm2AndCollectorRule)
        try FieldBounds.check(request, context)
        let now = environment.nowMs()
        let card = try await store.read { db in try cardResponse(db, request.cardID, now: now) }
        return RegistryV1.GetCardResponse(card: card)
    }

    // MARK: tabs

    public func listCurrentProducts(request: RegistryV1.ListCurrentProductsRequest, context: ServerContext) async throws -> RegistryV1.ListCurrentProductsResponse {
        try context.requireRole(Access.crm2, rule: Access.crm2Rule)
        try FieldBounds.check(request, context)
        let products = try await store.read { db in
            _ = try db.requireCard(request.cardID)
            return try db.products(of: request.cardID, closed: false)
        }
        return RegistryV1.ListCurrentProductsResponse(products: products.map(\.wire))
    }

    public func listProductHistory(request: RegistryV1.ListProductHistoryRequest, context: ServerContext) async throws -> RegistryV1.ListProductHistoryResponse {
        try context.requireRole(Access.crm2, rule: Access.crm2Rule)
        try FieldBounds.check(request, context)
        let products = try await store.read { db in
            _ = try db.requireCard(request.cardID)
            return try db.products(of: request.cardID, closed: true)
        }
        return RegistryV1.ListProductHistoryResponse(products: products.map(\.wire))
    }

    public func listHalvaTransactions(request: RegistryV1.ListHalvaTransactionsRequest, context: ServerContext) async throws -> RegistryV1.ListHalvaTransactionsResponse {
        try context.requireRole(Access.crm2, rule: Access.crm2Rule)
        try FieldBounds.check(request, context)
        let size = try Paging.size(request.pageSize)
        let cursor = try Paging.cursor(request.pageToken)
        let productID = request.productID.isEmpty ? nil : request.productID
        let rows = try await store.read { db in
            _ = try db.requireCard(request.cardID)
            if let productID {
                let product = try ProductRecord.fetchOne(db, key: productID)
                guard let product, product.cardId == request.cardID, product.isHalva else {
                    throw RuleError.notFound(field: "product_id", "У клиента нет карты «Халва» \(productID)")
                }
            }
            return try db.halvaTransactions(of: request.cardID, productID: productID, before: cursor, limit: size + 1)
        }
        let page = Array(rows.prefix(size))
        let next = rows.count > size ? Paging.Cursor(page.last!.occurredMs, page.last!.id ?? 0).token : ""
        return RegistryV1.ListHalvaTransactionsResponse(transactions: page.map(\.wire), nextPageToken: next)
    }

    public func listLinkedCards(request: RegistryV1.ListLinkedCardsRequest, context: ServerContext) async throws -> RegistryV1.ListLinkedCardsResponse {
        try context.requireRole(Access.crm2, rule: Access.crm2Rule)
        try FieldBounds.check(request, context)
        let cards = try await store.read { db in
            _ = try db.requireCard(request.cardID)
            return try db.linkedCards(of: request.cardID)
        }
        return RegistryV1.ListLinkedCardsResponse(cards: cards.map(\.wire))
    }

    public func listContactChanges(request: RegistryV1.ListContactChangesRequest, context: ServerContext) async throws -> RegistryV1.ListContactChangesResponse {
        try context.requireRole(Access.crm2, rule: Access.crm2Rule)
        try FieldBounds.check(request, context)
        let size = try Paging.size(request.pageSize)
        let cursor = try Paging.cursor(request.pageToken)
        let rows = try await store.read { db in
            _ = try db.requireCard(request.cardID)
            return try db.contactChanges(of: request.cardID, before: cursor, limit: size + 1)
        }
        let page = Array(rows.prefix(size))
        let next = rows.count > size ? Paging.Cursor(page.last!.changedMs, page.last!.id ?? 0).token : ""
        return RegistryV1.ListContactChangesResponse(changes: page.map(\.wire), nextPageToken: next)
    }

    // MARK: edits

    static func validatedPersonal(
        fullName: TypesV1.FullName?, birthDate: TypesV1.Date?, regionCode: String, settlement: String, today: LocalDate
    ) throws(RuleError) -> PersonalData {
        let name = fullName ?? TypesV1.FullName()
        let surname = try RuleError.checking { () throws(FieldRefusal) in try QuestionnaireRules.surname(name.surname) }
        let given = try RuleError.checking { () throws(FieldRefusal) in try QuestionnaireRules.name(name.name) }
        let birth = try LocalDate.from(birthDate, field: "birth_date")
        if let birth {
            try RuleError.checking { () throws(FieldRefusal) in try QuestionnaireRules.birthDate(birth, today: today) }
        }
        _ = try RuleError.checking { () throws(FieldRefusal) in try QuestionnaireRules.region(regionCode) }
        return PersonalData(
            surname: surname, name: given, patronymic: name.patronymic.trimmingCharacters(in: .whitespaces),
            birthDate: birth, regionCode: regionCode, settlement: settlement.trimmingCharacters(in: .whitespaces)
        )
    }

    public func createCard(request: RegistryV1.CreateCardRequest, context: ServerContext) async throws -> RegistryV1.CreateCardResponse {
        let claims = try context.requireRole(Access.crm2, rule: Access.crm2Rule)
        try FieldBounds.check(request, context)
        let kind: CardKind = request.type == .unspecified ? .interested : (CardKind(request.type) ?? .client)
        guard CardRules.creatableByQuestionnaire(kind) else {
            throw RuleError.invalidArgument(
                field: "type", "Карточки типа «\(kind.label)» приходят из других систем; «Ввод АПД» создаёт «Заинтересованный» или «Онлайн чат»"
            )
        }
        let now = environment.nowMs()
        let personal = try Self.validatedPersonal(
            fullName: request.fullName, birthDate: request.birthDate, regionCode: request.regionCode,
            settlement: request.settlement, today: environment.today(now)
        )
        var contacts: [(kind: ContactKind, value: String)] = []
        for (index, contact) in request.contacts.enumerated() {
            guard let kind = ContactKind(rawValue: Int(contact.kind.rawValue)) else {
                throw RuleError.invalidArgument(field: "contacts[\(index)].kind", "Укажите вид контактных данных")
            }
            guard !contacts.contains(where: { $0.kind == kind }) else {
                throw RuleError.invalidArgument(field: "contacts[\(index)].kind", "«\(kind.label)» указан дважды")
            }
            contacts.append((kind, try ContactRules.normalize(contact.value, kind: kind, field: "contacts[\(index)].value")))
        }
        guard contacts.contains(where: { $0.kind.isPhone }) else {
            throw RuleError.invalidArgument(field: "contacts", "Укажите хотя бы один телефон")
        }
        var passport: (String, String)?
        if let p = request.passport, !(p.series.isEmpty && p.number.isEmpty) {
            try BureauRules.validatePassport(series: p.series, number: p.number)
            passport = (p.series, p.number)
        }
        let card = CardRecord(
            type: kind, surname: personal.surname, name: personal.name, patronymic: personal.patronymic,
            birthDate: personal.birthDate, regionCode: personal.regionCode, settlement: personal.settlement,
            passportSeries: passport?.0, passportNumber: passport?.1, createdMs: now
        )
        let new = NewCard(card: card, contacts: contacts, comment: request.comment)
        return try await environment.idempotentWrite(request, context: context, by: claims) { db, now in
            let id = try db.insertCard(new, by: claims.actor, nowMs: now)
            return RegistryV1.CreateCardResponse(card: try cardResponse(db, id, now: now))
        }
    }

    public func updatePersonalData(request: RegistryV1.UpdatePersonalDataRequest, context: ServerContext) async throws -> RegistryV1.UpdatePersonalDataResponse {
        let claims = try context.requireRole(Access.crm2, rule: Access.crm2Rule)
        try FieldBounds.check(request, context)
        let now = environment.nowMs()
        let personal = try Self.validatedPersonal(
            fullName: request.fullName, birthDate: request.birthDate, regionCode: request.regionCode,
            settlement: request.settlement, today: environment.today(now)
        )
        let card = try await store.write { db in
            try db.updatePersonalData(
                cardID: request.cardID, expectedVersion: request.expectedVersion, to: personal,
                comment: request.comment, by: claims.actor, nowMs: now
            )
            return try cardResponse(db, request.cardID, now: now)
        }
        return RegistryV1.UpdatePersonalDataResponse(card: card)
    }

    public func addContactData(request: RegistryV1.AddContactDataRequest, context: ServerContext) async throws -> RegistryV1.AddContactDataResponse {
        let claims = try context.requireRole(Access.crm2, rule: Access.crm2Rule)
        try FieldBounds.check(request, context)
        guard let contact = request.contact, let kind = ContactKind(rawValue: Int(contact.kind.rawValue)) else {
            throw RuleError.invalidArgument(field: "contact.kind", "Укажите вид контактных данных")
        }
        let value = try ContactRules.normalize(contact.value, kind: kind, field: "contact.value")
        let now = environment.nowMs()
        let card = try await store.write { db in
            try db.addContact(
                cardID: request.cardID, expectedVersion: request.expectedVersion, kind: kind, value: value,
                comment: request.comment, by: claims.actor, nowMs: now
            )
            return try cardResponse(db, request.cardID, now: now)
        }
        return RegistryV1.AddContactDataResponse(card: card)
    }

    public func changeContactData(request: RegistryV1.ChangeContactDataRequest, context: ServerContext) async throws -> RegistryV1.ChangeContactDataResponse {
        let claims = try context.requireRole(Access.crm2, rule: Access.crm2Rule)
        try FieldBounds.check(request, context)
        let reason = StrikeReason(rawValue: Int(request.reason.rawValue))
        let now = environment.nowMs()
        let card = try await store.write { db in
            try db.changeContact(
                cardID: request.cardID, expectedVersion: request.expectedVersion, entryID: request.entryID,
                newValue: { kind in try ContactRules.normalize(request.newValue, kind: kind, field: "new_value") },
                reason: reason, comment: request.comment, by: claims.actor, nowMs: now
            )
            return try cardResponse(db, request.cardID, now: now)
        }
        return RegistryV1.ChangeContactDataResponse(card: card)
    }

    public func strikeOutContactData(request: RegistryV1.StrikeOutContactDataRequest, context: ServerContext) async throws -> RegistryV1.StrikeOutContactDataResponse {
        let claims = try context.requireRole(Access.crm2, rule: Access.crm2Rule)
        try FieldBounds.check(request, context)
        guard let reason = StrikeReason(rawValue: Int(request.reason.rawValue)) else {
            throw RuleError.invalidArgument(
                field: "reason", "Укажите причину: Не контактировать / Изменился / Не используется / Неверный"
            )
        }
        let now = environment.nowMs()
        let card = try await store.write { db in
            try db.strikeOutContact(
                cardID: request.cardID, expectedVersion: request.expectedVersion, entryID: request.entryID,
                reason: reason, comment: request.comment, by: claims.actor, nowMs: now
            )
            return try cardResponse(db, request.cardID, now: now)
        }
        return RegistryV1.StrikeOutContactDataResponse(card: card)
    }

    public func addRecommendation(request: RegistryV1.AddRecommendationRequest, context: ServerContext) async throws -> RegistryV1.AddRecommendationResponse {
        let claims = try context.requireRole(Access.office, rule: CardRules.recommendationRule)
        try FieldBounds.check(request, context)
        let now = environment.nowMs()
        let personal = try Self.validatedPersonal(
            fullName: request.fullName, birthDate: request.birthDate, regionCode: request.regionCode,
            settlement: "", today: environment.today(now)
        )
        guard !request.mobilePhone.isEmpty else {
            throw RuleError.invalidArgument(field: "mobile_phone", "Укажите мобильный телефон")
        }
        var contacts: [(kind: ContactKind, value: String)] = [
            (.mobile, try NationalPhone(request.mobilePhone, field: "mobile_phone").digits),
        ]
        if !request.contactPhone.isEmpty {
            contacts.append((.contact, try NationalPhone(request.contactPhone, field: "contact_phone").digits))
        }
        let newContacts = contacts
        return try await environment.idempotentWrite(request, context: context, by: claims) { db, now in
            _ = try db.requireCard(request.recommenderCardID, field: "recommender_card_id")
            let card = CardRecord(
                type: .recommendation, surname: personal.surname, name: personal.name, patronymic: personal.patronymic,
                birthDate: personal.birthDate, regionCode: personal.regionCode, settlement: "",
                recommendedByCardId: request.recommenderCardID, createdMs: now
            )
            let id = try db.insertCard(NewCard(card: card, contacts: newContacts), by: claims.actor, nowMs: now)
            return RegistryV1.AddRecommendationResponse(card: try cardResponse(db, id, now: now))
        }
    }

    // MARK: bureau

    public func requestBureauDecision(request: RegistryV1.RequestBureauDecisionRequest, context: ServerContext) async throws -> RegistryV1.RequestBureauDecisionResponse {
        let claims = try context.requireRole(Access.crm2, rule: Access.crm2Rule)
        try FieldBounds.check(request, context)
        let passport = request.passport ?? TypesV1.Passport()
        try BureauRules.validatePassport(series: passport.series, number: passport.number)
        let birth = try LocalDate.from(request.birthDate, field: "birth_date")
        guard let birth else { throw RuleError.invalidArgument(field: "birth_date", "Укажите дату рождения") }
        let now = environment.nowMs()
        let today = environment.today(now)
        let bureau = self.bureau
        let decided = try await store.write { db in
            let card = try db.requireCard(request.cardID)
            if let series = card.passportSeries, let number = card.passportNumber,
               series != passport.series || number != passport.number {
                throw RuleError.failedPrecondition(BureauRules.passportMismatch)
            }
            if let cardBirth = card.birth, cardBirth != birth {
                throw RuleError.failedPrecondition(BureauRules.passportMismatch)
            }
            if let recent = try db.latestBureauDecision(cardID: card.cardID, sinceMs: now - BureauRules.reuseMs) {
                return RegistryV1.RequestBureauDecisionResponse(
                    decisionID: recent.id, decision: TypesV1.BureauDecision(rawValue: Int32(recent.decision)),
                    decidedUnixMs: recent.decidedMs, validUntilUnixMs: recent.decidedMs + BureauRules.reuseMs,
                    reused: true, rule: recent.rule
                )
            }
            let (decision, rule) = try bureau.decide(db, card: card, birthDate: birth, today: today, nowMs: now)
            let record = BureauDecisionRecord(
                id: RecordID.make(unixMs: now), cardId: card.cardID, decision: decision.rawValue,
                decidedMs: now, rule: rule, byLogin: claims.login
            )
            try record.insert(db)
            return RegistryV1.RequestBureauDecisionResponse(
                decisionID: record.id, decision: TypesV1.BureauDecision(rawValue: Int32(decision.rawValue)),
                decidedUnixMs: now, validUntilUnixMs: now + BureauRules.reuseMs, reused: false, rule: rule
            )
        }
        // Only this path writes a bureau decision into the contact history (contacts refuses
        // one from an operator). A reused decision is recorded again: the event is idempotent
        // by the decision id, so a retry after a failed recording heals it.
        try await bureauHistory?.record(decided, cardID: request.cardID, by: claims)
        return decided
    }

    // MARK: collection

    public func identifyDebtorByPhone(request: RegistryV1.IdentifyDebtorByPhoneRequest, context: ServerContext) async throws -> RegistryV1.IdentifyDebtorByPhoneResponse {
        // SYSTEM: scheduling checks that a collection SMS goes to the debtor's own phone.
        try context.requireRole(Access.collectorAndLoaders, rule: Access.collectorRule)
        try FieldBounds.check(request, context)
        let phone = try NationalPhone(request.phone, field: "phone").digits
        let matches = try await store.read { db in try db.debtors(withPhone: phone) }
        return RegistryV1.IdentifyDebtorByPhoneResponse(normalizedPhone: phone, matches: matches.map(\.wire))
    }

    public func identifyDebtorByName(request: RegistryV1.IdentifyDebtorByNameRequest, context: ServerContext) async throws -> RegistryV1.IdentifyDebtorByNameResponse {
        try context.requireRole(Access.collector, rule: Access.collectorRule)
        try FieldBounds.check(request, context)
        let query = try Self.nameQuery(request.fullName, withoutPatronymic: request.withoutPatronymic, birthDate: request.birthDate)
        let matches = try await store.read { db in try db.debtors(named: query) }
        return RegistryV1.IdentifyDebtorByNameResponse(matches: matches.map(\.wire))
    }

    public func getLoan(request: RegistryV1.GetLoanRequest, context: ServerContext) async throws -> RegistryV1.GetLoanResponse {
        try context.requireRole(Access.collectorAndLoaders, rule: Access.collectorRule)
        try FieldBounds.check(request, context)
        let loan = try await store.read { db -> RegistryV1.Loan in
            let loan = try db.requireLoan(request.contractNumber)
            let card = try db.requireCard(loan.cardId)
            return RegistryV1.Loan(
                contractNumber: loan.contractNumber, cardID: loan.cardId, borrower: card.wireName,
                region: wireRegion(card.regionCode),
                general: RegistryV1.LoanGeneral(
                    issueDate: wireDate(loan.issueDate), productName: loan.productName, debtKopecks: loan.debt,
                    overdueKopecks: loan.overdue, overdueDays: Int32(loan.overdueDays), overdueSince: wireDate(loan.overdueSince)
                ),
                parameters: RegistryV1.LoanParameters(
                    principalKopecks: loan.principal, termDays: Int32(loan.termDays),
                    annualRateHundredths: Int32(loan.annualRateHundredths), installmentKopecks: loan.installment,
                    maturityDate: wireDate(loan.maturityDate)
                ),
                schedule: try db.installments(of: loan.contractNumber).map {
                    RegistryV1.Installment(
                        number: Int32($0.number), dueDate: wireDate($0.dueDate), totalKopecks: $0.total,
                        principalKopecks: $0.principal, interestKopecks: $0.interest, penaltyKopecks: $0.penalty,
                        paidKopecks: $0.paid, paidDate: wireDate($0.paidDate), state: RegistryV1.InstallmentState(rawValue: Int32($0.state))
                    )
                },
                paymentStatus: RegistryV1.PaymentStatus(
                    lastPaymentDate: wireDate(loan.lastPaymentDate), lastPaymentKopecks: loan.lastPayment,
                    nextDueDate: wireDate(loan.nextDueDate), nextDueKopecks: loan.nextDue
                ),
                refinancing: RegistryV1.Refinancing(
                    available: loan.refinancingAvailable, newInstallmentKopecks: loan.refinancingInstallment,
                    newTermDays: Int32(loan.refinancingTermDays), conditions: loan.refinancingConditions
                ),
                office: RegistryV1.ServicingOffice(name: loan.officeName, address: loan.officeAddress, hours: loan.officeHours),
                phones: try db.loanPhones(of: loan.contractNumber).map(\.wire)
            )
        }
        return RegistryV1.GetLoanResponse(loan: loan)
    }

    public func addLoanPhone(request: RegistryV1.AddLoanPhoneRequest, context: ServerContext) async throws -> RegistryV1.AddLoanPhoneResponse {
        let claims = try context.requireRole(Access.collector, rule: Access.collectorRule)
        try FieldBounds.check(request, context)
        let phone = try NationalPhone(request.phone, field: "phone").digits
        guard request.ownership == .client || request.ownership == .thirdParty else {
            throw RuleError.invalidArgument(field: "ownership", "Укажите, чей это телефон: клиента или 3-го лица")
        }
        return try await environment.idempotentWrite(request, context: context, by: claims) { db, now in
            _ = try db.requireLoan(request.contractNumber)
            if try LoanPhoneRecord.fetchOne(db, key: ["contract_number": request.contractNumber, "phone": phone]) != nil {
                throw RuleError.alreadyExists(field: "phone", "Номер \(phone) уже добавлен к договору")
            }
            try LoanPhoneRecord(
                contractNumber: request.contractNumber, phone: phone, ownership: Int(request.ownership.rawValue),
                comment: request.comment, addedMs: now, byLogin: claims.login, byName: claims.fullName
            ).insert(db)
            return RegistryV1.AddLoanPhoneResponse(phones: try db.loanPhones(of: request.contractNumber).map(\.wire))
        }
    }

    public func addClientComment(request: RegistryV1.AddClientCommentRequest, context: ServerContext) async throws -> RegistryV1.AddClientCommentResponse {
        let claims = try context.requireRole(Access.crm2AndCollector, rule: Access.crm2AndCollectorRule)
        try FieldBounds.check(request, context)
        let text = request.text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { throw RuleError.invalidArgument(field: "text", "Комментарий не может быть пустым") }
        return try await environment.idempotentWrite(request, context: context, by: claims) { db, now in
            _ = try db.requireCard(request.cardID)
            if !request.contractNumber.isEmpty { _ = try db.requireLoan(request.contractNumber) }
            var record = ClientCommentRecord(
                id: nil, cardId: request.cardID, contractNumber: request.contractNumber, text: text,
                createdMs: now, byLogin: claims.login, byName: claims.fullName
            )
            try record.insert(db)
            record.id = db.lastInsertedRowID
            return RegistryV1.AddClientCommentResponse(comment: record.wire)
        }
    }

    public func listClientComments(request: RegistryV1.ListClientCommentsRequest, context: ServerContext) async throws -> RegistryV1.ListClientCommentsResponse {
        try context.requireRole(Access.crm2AndCollector, rule: Access.crm2AndCollectorRule)
        try FieldBounds.check(request, context)
        let size = try Paging.size(request.pageSize)
        let cursor = try Paging.cursor(request.pageToken)
        let rows = try await store.read { db in
            _ = try db.requireCard(request.cardID)
            return try db.clientComments(
                of: request.cardID, contractNumber: request.contractNumber.isEmpty ? nil : request.contractNumber,
                before: cursor, limit: size + 1
            )
        }
        let page = Array(rows.prefix(size))
        let next = rows.count > size ? Paging.Cursor(page.last!.createdMs, page.last!.id ?? 0).token : ""
        return RegistryV1.ListClientCommentsResponse(comments: page.map(\.wire), nextPageToken: next)
    }

    public func listCardsForCallList(request: RegistryV1.ListCardsForCallListRequest, context: ServerContext) async throws -> RegistryV1.ListCardsForCallListResponse {
        try context.requireRole(Access.crm2AndLoaders, rule: Access.crm2Rule)
        try FieldBounds.check(request, context)
        guard !(request.types.isEmpty && request.regionCodes.isEmpty && request.cardIDs.isEmpty) else {
            throw RuleError.invalidArgument(field: "types", "Укажите типы карточек, регионы или номера карточек")
        }
        var types: [CardKind] = []
        for (index, type) in request.types.enumerated() {
            guard let kind = CardKind(type) else { throw RuleError.invalidArgument(field: "types[\(index)]", "Неизвестный тип карточки") }
            types.append(kind)
        }
        let kinds = types
        for (index, code) in request.regionCodes.enumerated() { _ = try Regions.region(code, field: "region_codes[\(index)]") }
        let size = try Paging.size(request.pageSize)
        let cursor = try Paging.cursor(request.pageToken)
        let (rows, unknown) = try await store.read { db in
            let rows = try db.callListCandidates(
                types: kinds, regionCodes: request.regionCodes, cardIDs: request.cardIDs, after: cursor?.primary, limit: size + 1
            )
            // Unknown ids are reported once, on the first page.
            let unknown = cursor == nil && !request.cardIDs.isEmpty
                ? Set(request.cardIDs).subtracting(try db.existingCardIDs(request.cardIDs)).sorted() : []
            return (rows, unknown)
        }
        let page = Array(rows.prefix(size))
        let next = rows.count > size ? Paging.Cursor(page.last!.card.cardID).token : ""
        return RegistryV1.ListCardsForCallListResponse(
            cards: page.map {
                RegistryV1.CallListCandidate(
                    cardID: $0.card.cardID, type: $0.card.type.wire, region: wireRegion($0.card.regionCode), hasLivePhone: $0.hasLivePhone
                )
            },
            unknownCardIDs: unknown,
            nextPageToken: next
        )
    }
}
