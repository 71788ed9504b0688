import CRMDomain
import Foundation
import GRDB

/// Prepared INSERT statements for every table the demo data fills, made once per load and
/// re-bound for each row.
final class DemoRowWriter {
    private let card: Statement
    private let contact: Statement
    private let contactChange: Statement
    private let product: Statement
    private let halva: Statement
    private let bureau: Statement
    private let loan: Statement
    private let installment: Statement
    private let loanPhone: Statement
    private let comment: Statement
    private let operatorAccount: Statement
    private(set) var rows = 0

    init(_ db: Database) throws {
        card = try db.makeStatement(sql: """
            INSERT INTO card (id, type, rbs_number, surname, name, patronymic, surname_key, name_key, patronymic_key,
                birth_date, region_code, settlement, passport_series, passport_number, script_names,
                recommended_by_card_id, version, created_ms)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        contact = try db.makeStatement(sql: """
            INSERT INTO contact (card_id, kind, value, phone, struck_out, strike_reason, comment, created_ms)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """)
        contactChange = try db.makeStatement(sql: """
            INSERT INTO contact_change (card_id, changed_ms, data_type, data_type_label, new_value, old_value, reason,
                comment, by_login, by_name)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        product = try db.makeStatement(sql: """
            INSERT INTO product (id, card_id, open_date, name, category, close_date, credit_sum, balance, repaid_percent,
                is_halva, closed)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        halva = try db.makeStatement(sql: """
            INSERT INTO halva_transaction (product_id, card_id, occurred_ms, operation_type, amount, purpose, shop_name)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """)
        bureau = try db.makeStatement(sql: """
            INSERT INTO bureau_decision (id, card_id, decision, decided_ms, rule, by_login) VALUES (?, ?, ?, ?, ?, ?)
            """)
        loan = try db.makeStatement(sql: """
            INSERT INTO loan (contract_number, card_id, product_name, issue_date, debt, overdue, overdue_days,
                overdue_since, principal, term_days, annual_rate_hundredths, installment, maturity_date,
                last_payment_date, last_payment, next_due_date, next_due, refinancing_available,
                refinancing_installment, refinancing_term_days, refinancing_conditions, office_name, office_address,
                office_hours)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        installment = try db.makeStatement(sql: """
            INSERT INTO installment (contract_number, number, due_date, total, principal, interest, penalty, paid,
                paid_date, state)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        loanPhone = try db.makeStatement(sql: """
            INSERT INTO loan_phone (contract_number, phone, ownership, comment, added_ms, by_login, by_name)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """)
        comment = try db.makeStatement(sql: """
            INSERT INTO client_comment (card_id, contract_number, text, created_ms, by_login, by_name)
            VALUES (?, ?, ?, ?, ?, ?)
            """)
        operatorAccount = try db.makeStatement(sql: """
            INSERT INTO operator (login, surname, name, patronymic, role, mobile, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?)
            """)
    }

    struct Card {
        var id: Int64
        var type: CardKind
        var rbsNumber = ""
        var surname: DemoNames.Form
        var name: DemoNames.Form
        var patronymic: DemoNames.Form?
        var birthDate: LocalDate?
        var regionCode: String
        var settlement: String
        var passport: (series: String, number: String)?
        var scripts: [String] = []
        var recommendedBy: Int64?
        var version: Int64 = 1
        var createdMs: Int64
    }

    func insert(_ c: Card) throws {
        rows += 1
        try card.execute(arguments: [
            c.id, c.type.rawValue, c.rbsNumber, c.surname.text, c.name.text, c.patronymic?.text ?? "",
            c.surname.key, c.name.key, c.patronymic?.key ?? "", c.birthDate?.description, c.regionCode, c.settlement,
            c.passport?.series, c.passport?.number, c.scripts.joined(separator: "\n"), c.recommendedBy, c.version,
            c.createdMs,
        ])
    }

    func insertContact(
        cardID: Int64, kind: ContactKind, value: String, struckOut: StrikeReason? = nil, comment: String = "", createdMs: Int64
    ) throws {
        rows += 1
        try contact.execute(arguments: [
            cardID, kind.rawValue, value, kind.isPhone ? value : nil, struckOut != nil, struckOut?.rawValue, comment, createdMs,
        ])
    }

    func insertChange(
        cardID: Int64, changedMs: Int64, field: ChangedField, new: String, old: String, reason: StrikeReason? = nil,
        comment: String = "", by actor: Actor
    ) throws {
        rows += 1
        try contactChange.execute(arguments: [
            cardID, changedMs, field.rawValue, field.label, new, old, reason?.rawValue, comment, actor.login, actor.fullName,
        ])
    }

    func insert(_ p: ProductRecord) throws {
        rows += 1
        try product.execute(arguments: [
            p.id, p.cardId, p.openDate, p.name, p.category, p.closeDate, p.creditSum, p.balance, p.repaidPercent,
            p.isHalva, p.closed,
        ])
    }

    func insert(_ t: HalvaTransactionRecord) throws {
        rows += 1
        try halva.execute(arguments: [t.productId, t.cardId, t.occurredMs, t.operationType, t.amount, t.purpose, t.shopName])
    }

    func insert(_ d: BureauDecisionRecord) throws {
        rows += 1
        try bureau.execute(arguments: [d.id, d.cardId, d.decision, d.decidedMs, d.rule, d.byLogin])
    }

    func insert(_ l: LoanRecord) throws {
        rows += 1
        try loan.execute(arguments: [
            l.contractNumber, l.cardId, l.productName, l.issueDate, l.debt, l.overdue, l.overdueDays, l.overdueSince,
            l.principal, l.termDays, l.annualRateHundredths, l.installment, l.maturityDate, l.lastPaymentDate,
            l.lastPayment, l.nextDueDate, l.nextDue, l.refinancingAvailable, l.refinancingInstallment,
            l.refinancingTermDays, l.refinancingConditions, l.officeName, l.officeAddress, l.officeHours,
        ])
    }

    func insert(_ i: InstallmentRecord) throws {
        rows += 1
        try installment.execute(arguments: [
            i.contractNumber, i.number, i.dueDate, i.total, i.principal, i.interest, i.penalty, i.paid, i.paidDate, i.state,
        ])
    }

    func insert(_ p: LoanPhoneRecord) throws {
        rows += 1
        try loanPhone.execute(arguments: [p.contractNumber, p.phone, p.ownership, p.comment, p.addedMs, p.byLogin, p.byName])
    }

    func insert(_ c: ClientCommentRecord) throws {
        rows += 1
        try comment.execute(arguments: [c.cardId, c.contractNumber, c.text, c.createdMs, c.byLogin, c.byName])
    }

    func insert(_ o: OperatorRecord) throws {
        rows += 1
        try operatorAccount.execute(arguments: [o.login, o.surname, o.name, o.patronymic, o.role, o.mobile, o.createdMs])
    }
}
