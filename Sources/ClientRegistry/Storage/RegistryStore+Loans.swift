import CRMDomain
import Foundation
public import GRDB

/// A contract with debt found by identification.
public struct DebtorMatchRecord: Sendable, Hashable {
    public var loan: LoanRecord
    public var card: CardRecord
    /// PhoneOwnership proto number; 0 for a name search.
    public var ownership: Int
}

extension Database {
    /// Contracts WITH debt linked to `phone`: through a phone on the borrower's card (the
    /// client's own) or through a phone added to the contract (as recorded there).
    public func debtors(withPhone phone: String) throws -> [DebtorMatchRecord] {
        var matches: [String: DebtorMatchRecord] = [:]
        let linked = try LoanPhoneRecord.fetchAll(self, sql: "SELECT * FROM loan_phone WHERE phone = ?", arguments: [phone])
        for link in linked {
            guard let loan = try LoanRecord.fetchOne(self, key: link.contractNumber), loan.debt > 0,
                  let card = try CardRecord.fetchOne(self, key: loan.cardId) else { continue }
            matches[loan.contractNumber] = DebtorMatchRecord(loan: loan, card: card, ownership: link.ownership)
        }
        for found in try cards(withPhone: phone) {
            let loans = try LoanRecord.fetchAll(
                self, sql: "SELECT * FROM loan WHERE card_id = ? AND debt > 0", arguments: [found.card.cardID]
            )
            for loan in loans {
                matches[loan.contractNumber] = DebtorMatchRecord(loan: loan, card: found.card, ownership: 1)
            }
        }
        return matches.values.sorted { $0.loan.contractNumber < $1.loan.contractNumber }
    }

    public func debtors(named query: NameQuery) throws -> [DebtorMatchRecord] {
        var matches: [DebtorMatchRecord] = []
        for found in try cards(named: query, after: nil, limit: Paging.maxSize) {
            let loans = try LoanRecord.fetchAll(
                self, sql: "SELECT * FROM loan WHERE card_id = ? AND debt > 0 ORDER BY contract_number",
                arguments: [found.card.cardID]
            )
            matches += loans.map { DebtorMatchRecord(loan: $0, card: found.card, ownership: 0) }
        }
        return matches
    }

    public func requireLoan(_ contractNumber: String) throws -> LoanRecord {
        guard let loan = try LoanRecord.fetchOne(self, key: contractNumber) else {
            throw RuleError.notFound(field: "contract_number", "Договор \(contractNumber) не найден")
        }
        return loan
    }

    public func installments(of contractNumber: String) throws -> [InstallmentRecord] {
        try InstallmentRecord.fetchAll(
            self, sql: "SELECT * FROM installment WHERE contract_number = ? ORDER BY number", arguments: [contractNumber]
        )
    }

    public func loanPhones(of contractNumber: String) throws -> [LoanPhoneRecord] {
        try LoanPhoneRecord.fetchAll(
            self, sql: "SELECT * FROM loan_phone WHERE contract_number = ? ORDER BY added_ms, phone", arguments: [contractNumber]
        )
    }

    public func clientComments(
        of cardID: Int64, contractNumber: String?, before cursor: Paging.Cursor?, limit: Int
    ) throws -> [ClientCommentRecord] {
        var sql = "SELECT * FROM client_comment WHERE card_id = ?"
        var arguments: StatementArguments = [cardID]
        if let contractNumber {
            sql += " AND contract_number = ?"
            arguments += [contractNumber]
        }
        if let cursor {
            sql += " AND (created_ms, id) < (?, ?)"
            arguments += [cursor.primary, cursor.secondary]
        }
        sql += " ORDER BY created_ms DESC, id DESC LIMIT ?"
        arguments += [limit]
        return try ClientCommentRecord.fetchAll(self, sql: sql, arguments: arguments)
    }
}
