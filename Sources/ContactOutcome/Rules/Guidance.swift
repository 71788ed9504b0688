import Foundation
public import Wire

/// DOMAIN.md §6: what an application or bureau entry means for the operator.
public enum Guidance {
    static let reapplyIn90Days = "Отказ. Повторное обращение возможно через 90 дней"

    public static func of(_ application: ContactsV1.ApplicationDetails) -> ContactsV1.OperatorGuidance? {
        func g(_ meaning: String, _ comment: String = "") -> ContactsV1.OperatorGuidance {
            ContactsV1.OperatorGuidance(meaning: meaning, comment: comment)
        }
        switch application.event {
        case .contractSigned: return g("Кредит оформлен", "Одобрено")
        case .documentsReady: return g("На стадии подписания договора", "Одобрено")
        case .contractNotSigned: return g("Направить в офис для подписания договора", "Одобрено")
        case .approved: return g("Кредит одобрен, договор не подписан", "Одобрено")
        case .inProgress: return g("Решение еще не принято")
        case .temporaryRefusal:
            return g("Направить в офис для уточнения статуса заявки. Возможно, требуется дополнительная проверка", "Временный отказ")
        case .declined:
            return application.declinedByClient
                ? g("Клиент отказался сам, может обратиться повторно в любое время", "Одобрено")
                : g(reapplyIn90Days, "Отказано")
        case .svCreditSubmitted:
            guard application.result == .declined, application.product == "Оценка заемщика" else { return nil }
            return g("Отказ по кредиту. Предложить клиенту оформить Кредитный доктор", "Отказ. Продайте клиенту Кредитный Доктор!")
        case .fisSubmitted: return g(reapplyIn90Days, "Отказ")
        case .dessSubmitted:
            return application.result == .refused ? g(reapplyIn90Days) : nil
        default: return nil
        }
    }

    /// Bureau decisions count only while still valid (10 days).
    public static func of(_ bureau: ContactsV1.BureauDecisionDetails) -> ContactsV1.OperatorGuidance? {
        guard bureau.stillValid else { return nil }
        switch bureau.decision {
        case .rejected: return ContactsV1.OperatorGuidance(meaning: "Предварительное решение – ОТКАЗ. Пригласить клиента в офис Банка")
        case .approved: return ContactsV1.OperatorGuidance(meaning: "Предварительное решение ОДОБРЕНО. Клиенту можно доставить карту Халва")
        default: return nil
        }
    }

    public static let bureauValidityMs: Int64 = 10 * dayMs
}
