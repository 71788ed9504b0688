import CRMDomain
public import GRDB

/// The credit bureau behind «Получить решение БКИ» — an outside system in reality.
public protocol Bureau: Sendable {
    /// A decision for the card and the rule that decided it; runs inside the request's
    /// transaction so it may read the registry.
    func decide(_ db: Database, card: CardRecord, birthDate: LocalDate, today: LocalDate, nowMs: Int64) throws
        -> (BureauRules.Decision, rule: String)
}

/// The built-in bureau: decides by `BureauRules.decide` from the registry's own data
/// (overdue loans, rejections of the last 90 days, age).
public struct RegistryBureau: Bureau {
    public init() {}

    public func decide(_ db: Database, card: CardRecord, birthDate: LocalDate, today: LocalDate, nowMs: Int64) throws
        -> (BureauRules.Decision, rule: String)
    {
        let facts = BureauRules.Facts(
            hasOverdueDebt: try db.hasOverdueLoan(cardID: card.cardID),
            rejectedWithin90Days: try db.hasRejection(cardID: card.cardID, sinceMs: nowMs - BureauRules.rejectionMemoryMs),
            age: birthDate.age(on: today)
        )
        return BureauRules.decide(facts)
    }
}
