import CRMDomain
import Foundation
/// The preliminary bureau decision («Получить решение БКИ»).
public enum BureauRules {
    /// A decision of the last 10 days is returned instead of asking again.
    public static let reuseMs: Int64 = 10 * 86_400_000
    /// A rejection within this window decides a new request.
    public static let rejectionMemoryMs: Int64 = 90 * 86_400_000

    public static let passportMismatch = "Данные паспорта не совпадают с карточкой"

    public enum Decision: Int, Sendable, Hashable {
        case approved = 1
        case rejected = 2
    }

    /// What the built-in bureau knows about the person from the registry's own data.
    public struct Facts: Sendable, Hashable {
        /// Any loan of the card with an overdue amount.
        public var hasOverdueDebt: Bool
        /// A rejection decided within the last 90 days.
        public var rejectedWithin90Days: Bool
        /// Age on the server's date.
        public var age: Int

        public init(hasOverdueDebt: Bool, rejectedWithin90Days: Bool, age: Int) {
            self.hasOverdueDebt = hasOverdueDebt
            self.rejectedWithin90Days = rejectedWithin90Days
            self.age = age
        }
    }

    public static let overdueRule = "имеется просроченная задолженность"
    public static let recentRejectionRule = "отказ в течение последних 90 дней"
    public static let ageRule = "возраст вне 18–75 лет"
    public static let approvedRule = "нет просрочки и отказов за 90 дней, возраст 18–75 лет"

    /// The documented rules, in order: overdue debt on any loan → Отказ; a rejection in the
    /// last 90 days → Отказ; age outside 18..75 → Отказ; otherwise Одобрено.
    public static func decide(_ facts: Facts) -> (Decision, rule: String) {
        if facts.hasOverdueDebt { return (.rejected, overdueRule) }
        if facts.rejectedWithin90Days { return (.rejected, recentRejectionRule) }
        if !(18...75).contains(facts.age) { return (.rejected, ageRule) }
        return (.approved, approvedRule)
    }

    /// Passport series are 4 digits, numbers 6.
    public static func validatePassport(series: String, number: String) throws(RuleError) {
        try RuleError.checking { () throws(FieldRefusal) in try QuestionnaireRules.passport(series: series, number: number) }
    }
}
