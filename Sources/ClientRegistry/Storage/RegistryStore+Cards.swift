import CRMDomain
import Foundation
public import GRDB

/// What «Ввод АПД» and «Ввод рекомендации» write: a card and its first contact entries.
public struct NewCard: Sendable, Hashable {
    public var card: CardRecord
    public var contacts: [(kind: ContactKind, value: String)]
    public var comment: String

    public init(card: CardRecord, contacts: [(kind: ContactKind, value: String)], comment: String = "") {
        self.card = card
        self.contacts = contacts
        self.comment = comment
    }

    public static func == (a: NewCard, b: NewCard) -> Bool {
        a.card == b.card && a.comment == b.comment && a.contacts.map(\.kind) == b.contacts.map(\.kind)
            && a.contacts.map(\.value) == b.contacts.map(\.value)
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(card) }
}

/// The personal-data block after «Редактировать».
public struct PersonalData: Sendable, Hashable {
    public var surname: String
    public var name: String
    public var patronymic: String
    public var birthDate: LocalDate?
    public var regionCode: String
    public var settlement: String

    public init(surname: String, name: String, patronymic: String, birthDate: LocalDate?, regionCode: String, settlement: String) {
        self.surname = surname
        self.name = name
        self.patronymic = patronymic
        self.birthDate = birthDate
        self.regionCode = regionCode
        self.settlement = settlement
    }
}

/// A card found by a search, with the number to show in ТЕЛЕФОН.
public struct CardMatch: Sendable, Hashable {
    public var card: CardRecord
    public var phone: String
}

/// Name search criteria.
public struct NameQuery: Sendable, Hashable {
    public var surname: String
    public var name: String
    /// Empty and `withoutPatronymic` false: any patronymic.
    public var patronymic: String
    public var withoutPatronymic: Bool
    public var birthDate: LocalDate?

    public init(surname: String, name: String, patronymic: String, withoutPatronymic: Bool, birthDate: LocalDate?) {
        self.surname = surname
        self.name = name
        self.patronymic = patronymic
        self.withoutPatronymic = withoutPatronymic
        self.birthDate = birthDate
    }
}

extension Database {
    // MARK: reads

    public func cardDetails(_ cardID: Int64) throws -> CardDetails? {
        guard let card = try CardRecord.fetchOne(self, key: cardID) else { return nil }
        let contacts = try ContactRecord.fetchAll(
            self, sql: "SELECT * FROM contact WHERE card_id = ? ORDER BY kind, struck_out, id", arguments: [cardID]
        )
        return CardDetails(card: card, contacts: contacts)
    }

    public func requireCard(_ cardID: Int64, field: String = "card_id") throws -> CardRecord {
        guard let card = try CardRecord.fetchOne(self, key: cardID) else {
            throw RuleError.notFound(field: field, "Карточка \(cardID) не найдена")
        }
        return card
    }

    /// Every card holding `phone` (live or struck out, any phone kind), through the
    /// `contact_by_phone` index.
    /// The hottest query of the service: its statement is compiled once per connection and
    /// reused (compiling it per call cost more than running it).
    public func cards(withPhone phone: String) throws -> [CardMatch] {
        let statement = try cachedStatement(sql: """
            SELECT card.* FROM card
            WHERE card.id IN (SELECT card_id FROM contact WHERE phone = ?)
            ORDER BY card.id
            """)
        let cards = try CardRecord.fetchAll(statement, arguments: [phone])
        return cards.map { CardMatch(card: $0, phone: phone) }
    }

    /// The live mobile of each card (for ТЕЛЕФОН in name searches).
    func liveMobiles(_ cardIDs: [Int64]) throws -> [Int64: String] {
        guard !cardIDs.isEmpty else { return [:] }
        let rows = try Row.fetchAll(
            self,
            sql: "SELECT card_id, phone FROM contact WHERE kind = 1 AND struck_out = 0 AND card_id IN (\(databaseQuestionMarks(count: cardIDs.count)))",
            arguments: StatementArguments(cardIDs)
        )
        return Dictionary(rows.map { (row: Row) -> (Int64, String) in (row["card_id"], row["phone"]) }, uniquingKeysWith: { a, _ in a })
    }

    public func cards(named query: NameQuery, after cursor: Int64?, limit: Int) throws -> [CardMatch] {
        var sql = "SELECT * FROM card WHERE surname_key = ? AND name_key = ?"
        var arguments: StatementArguments = [ContactRules.searchKey(query.surname), ContactRules.searchKey(query.name)]
        if query.withoutPatronymic {
            sql += " AND patronymic_key = ''"
        } else if !query.patronymic.trimmingCharacters(in: .whitespaces).isEmpty {
            sql += " AND patronymic_key = ?"
            arguments += [ContactRules.searchKey(query.patronymic)]
        }
        if let birth = query.birthDate {
            sql += " AND birth_date = ?"
            arguments += [birth.description]
        }
        if let cursor {
            sql += " AND id > ?"
            arguments += [cursor]
        }
        sql += " ORDER BY id LIMIT ?"
        arguments += [limit]
        let cards = try CardRecord.fetchAll(self, sql: sql, arguments: arguments)
        let mobiles = try liveMobiles(cards.map(\.cardID))
        return cards.map { CardMatch(card: $0, phone: mobiles[$0.cardID] ?? "") }
    }

    public func linkedCards(of cardID: Int64) throws -> [CardMatch] {
        let cards = try CardRecord.fetchAll(
            self, sql: "SELECT * FROM card WHERE recommended_by_card_id = ? ORDER BY id", arguments: [cardID]
        )
        let mobiles = try liveMobiles(cards.map(\.cardID))
        return cards.map { CardMatch(card: $0, phone: mobiles[$0.cardID] ?? "") }
    }

    public func contactChanges(of cardID: Int64, before cursor: Paging.Cursor?, limit: Int) throws -> [ContactChangeRecord] {
        if let cursor {
            return try ContactChangeRecord.fetchAll(
                self,
                sql: """
                    SELECT * FROM contact_change WHERE card_id = ? AND (changed_ms, id) < (?, ?)
                    ORDER BY changed_ms DESC, id DESC LIMIT ?
                    """,
                arguments: [cardID, cursor.primary, cursor.secondary, limit]
            )
        }
        return try ContactChangeRecord.fetchAll(
            self,
            sql: "SELECT * FROM contact_change WHERE card_id = ? ORDER BY changed_ms DESC, id DESC LIMIT ?",
            arguments: [cardID, limit]
        )
    }

    // MARK: writes

    /// Inserts a card and its contacts; returns its id. Contact-data entries of a new card
    /// are written to tab 8 as additions.
    public func insertCard(_ new: NewCard, by actor: Actor, nowMs: Int64) throws -> Int64 {
        try new.card.insert(self)
        let cardID = lastInsertedRowID
        for contact in new.contacts {
            try ContactRecord(cardId: cardID, kind: contact.kind, value: contact.value, createdMs: nowMs).insert(self)
            try ContactChangeRecord(
                cardId: cardID, changedMs: nowMs, field: ChangedField(contact.kind), newValue: contact.value,
                oldValue: "", comment: new.comment, by: actor
            ).insert(self)
        }
        return cardID
    }

    /// Checks the version the operator read and moves the card to the next one.
    func bumpVersion(_ card: CardRecord, expected: Int64) throws {
        guard card.version == expected else { throw RuleError.staleVersion }
        try execute(sql: "UPDATE card SET version = version + 1 WHERE id = ? AND version = ?", arguments: [card.cardID, expected])
        guard changesCount == 1 else { throw RuleError.staleVersion }
    }

    public func updatePersonalData(
        cardID: Int64, expectedVersion: Int64, to data: PersonalData, comment: String, by actor: Actor, nowMs: Int64
    ) throws {
        var card = try requireCard(cardID)
        guard CardRules.personalDataEditable(card.type) else {
            throw RuleError.failedPrecondition(CardRules.personalDataRule)
        }
        try bumpVersion(card, expected: expectedVersion)
        var changes: [(ChangedField, String, String)] = []
        if card.surname != data.surname { changes.append((.surname, data.surname, card.surname)) }
        if card.name != data.name { changes.append((.name, data.name, card.name)) }
        if card.patronymic != data.patronymic { changes.append((.patronymic, data.patronymic, card.patronymic)) }
        let oldBirth = card.birth
        if oldBirth != data.birthDate {
            changes.append((.birthDate, data.birthDate?.russian ?? "", oldBirth?.russian ?? ""))
        }
        if card.regionCode != data.regionCode {
            let label = { (code: String) in Regions.byCode[code]?.name ?? code }
            changes.append((.region, label(data.regionCode), label(card.regionCode)))
        }
        if card.settlement != data.settlement { changes.append((.settlement, data.settlement, card.settlement)) }
        card.setNames(surname: data.surname, name: data.name, patronymic: data.patronymic)
        card.birthDate = data.birthDate?.description
        card.regionCode = data.regionCode
        card.settlement = data.settlement
        card.version = expectedVersion + 1
        try card.update(self)
        for (field, new, old) in changes {
            try ContactChangeRecord(
                cardId: cardID, changedMs: nowMs, field: field, newValue: new, oldValue: old, comment: comment, by: actor
            ).insert(self)
        }
    }

    public func addContact(
        cardID: Int64, expectedVersion: Int64, kind: ContactKind, value: String, comment: String, by actor: Actor, nowMs: Int64
    ) throws {
        let card = try requireCard(cardID)
        try bumpVersion(card, expected: expectedVersion)
        let live = try Int.fetchOne(
            self, sql: "SELECT COUNT(*) FROM contact WHERE card_id = ? AND kind = ? AND struck_out = 0",
            arguments: [cardID, kind.rawValue]
        ) ?? 0
        guard live == 0 else {
            throw RuleError.alreadyExists(
                field: "contact.kind", "В карточке уже есть действующий «\(kind.label)»; измените его или зачеркните"
            )
        }
        try ContactRecord(cardId: cardID, kind: kind, value: value, createdMs: nowMs, comment: comment).insert(self)
        try ContactChangeRecord(
            cardId: cardID, changedMs: nowMs, field: ChangedField(kind), newValue: value, oldValue: "", comment: comment, by: actor
        ).insert(self)
    }

    /// A live entry of the card; NOT_FOUND or FAILED_PRECONDITION (struck out) otherwise.
    func liveEntry(cardID: Int64, entryID: String) throws -> ContactRecord {
        guard let id = Int64(entryID),
              let entry = try ContactRecord.fetchOne(self, key: id), entry.cardId == cardID
        else { throw RuleError.notFound(field: "entry_id", "Контактные данные \(entryID) не найдены в карточке") }
        guard !entry.struckOut else {
            throw RuleError.failedPrecondition("Контактные данные уже зачеркнуты; добавьте новые")
        }
        return entry
    }

    /// Replaces a live entry's value; the value must already be normalised for its kind.
    public func changeContact(
        cardID: Int64, expectedVersion: Int64, entryID: String, newValue: (ContactKind) throws -> String,
        reason: StrikeReason?, comment: String, by actor: Actor, nowMs: Int64
    ) throws {
        let card = try requireCard(cardID)
        var entry = try liveEntry(cardID: cardID, entryID: entryID)
        let value = try newValue(entry.kind)
        try bumpVersion(card, expected: expectedVersion)
        let old = entry.value
        entry.value = value
        entry.phone = entry.kind.isPhone ? value : nil
        entry.comment = comment
        try entry.update(self)
        try ContactChangeRecord(
            cardId: cardID, changedMs: nowMs, field: ChangedField(entry.kind), newValue: value, oldValue: old,
            reason: reason, comment: comment, by: actor
        ).insert(self)
    }

    public func strikeOutContact(
        cardID: Int64, expectedVersion: Int64, entryID: String, reason: StrikeReason, comment: String, by actor: Actor, nowMs: Int64
    ) throws {
        let card = try requireCard(cardID)
        var entry = try liveEntry(cardID: cardID, entryID: entryID)
        try bumpVersion(card, expected: expectedVersion)
        entry.struckOut = true
        entry.strikeReason = reason
        entry.comment = comment
        try entry.update(self)
        try ContactChangeRecord(
            cardId: cardID, changedMs: nowMs, field: ChangedField(entry.kind), newValue: "", oldValue: entry.value,
            reason: reason, comment: comment, by: actor
        ).insert(self)
    }
}
