import CRMDomain
import Foundation

/// The demo load's sense of time: every generated event lies before the start of `today`
/// (Moscow), most within the last year.
struct DemoClock: Sendable {
    static let dayMs: Int64 = 86_400_000
    let today: LocalDate
    /// 00:00 of `today` in Moscow, as Unix ms.
    let endMs: Int64

    init(today: LocalDate) {
        self.today = today
        endMs = Int64(today.daysSinceEpoch) * Self.dayMs - 3 * 3_600_000
    }

    /// An instant `days` days (and a random time of the working day) before today.
    func instant(daysAgo days: Int, _ rng: inout SplitMix64) -> Int64 {
        let dayStart = endMs - Int64(days) * Self.dayMs
        return dayStart + Int64(rng.int(8 * 60...21 * 60 + 59)) * 60_000 + Int64(rng.below(60)) * 1_000
    }

    func date(daysAgo days: Int) -> LocalDate { today.adding(days: -days) }
}

extension LocalDate {
    /// The same day `months` months later; days are kept at most 28 by the generator.
    func addingMonths(_ months: Int) -> LocalDate {
        let total = year * 12 + (month - 1) + months
        return LocalDate(year: total / 12, month: total % 12 + 1, day: min(day, 28))!
    }
}

/// Products, Halva card histories and loan contracts with their schedules.
enum DemoFinance {
    static func rubles(_ kopecks: Int64) -> String {
        let whole = kopecks / 100
        var digits = String(whole)
        var grouped = ""
        while digits.count > 3 {
            grouped = "\u{00A0}" + digits.suffix(3) + grouped
            digits.removeLast(3)
        }
        return digits + grouped + " ₽"
    }

    // MARK: products

    /// An open or closed product other than the Halva card.
    static func product(
        id: String, cardID: Int64, kind: DemoCatalog.ProductKind, closed: Bool, clock: DemoClock, _ rng: inout SplitMix64
    ) -> ProductRecord {
        let months = rng.int(kind.months)
        let termDays = months * 30
        var sum = rng.int64(kind.sumRubles)
        sum = sum >= 10_000 ? sum / 1_000 * 1_000 : sum
        let sumKopecks = sum * 100
        if closed {
            let openedAgo = rng.int(termDays + 30...max(termDays + 31, 3_650))
            let early = kind.credit ? rng.int(0...termDays / 3) : 0
            let closedAgo = max(1, openedAgo - termDays + early)
            return ProductRecord(
                id: id, cardId: cardID, openDate: clock.date(daysAgo: openedAgo).description, name: kind.name,
                category: kind.category, closeDate: clock.date(daysAgo: closedAgo).description, creditSum: sumKopecks,
                balance: 0, repaidPercent: kind.credit ? 100 : 0, isHalva: false, closed: true
            )
        }
        let openedAgo = rng.int(10...max(11, termDays - 10))
        var balance: Int64 = 0
        var repaid = 0
        if kind.credit {
            repaid = min(99, max(1, openedAgo * 100 / termDays))
            balance = sumKopecks * Int64(100 - repaid) / 100
        } else if kind.category == 2 {
            // A deposit with its interest so far (8–16 % a year).
            let rate = Double(rng.int(800...1600)) / 10_000
            balance = sumKopecks + Int64(Double(sumKopecks) * rate * Double(openedAgo) / 365)
        }
        return ProductRecord(
            id: id, cardId: cardID, openDate: clock.date(daysAgo: openedAgo).description, name: kind.name,
            category: kind.category, closeDate: nil, creditSum: sumKopecks, balance: balance, repaidPercent: repaid,
            isHalva: false, closed: false
        )
    }

    /// A Halva card with `count` operations over the last year: purchases in shops (negative),
    /// repayments and refunds (positive); the balance is what is still owed.
    static func halva(
        id: String, cardID: Int64, count: Int, limitRubles: Int64, openedDaysAgo: Int? = nil, clock: DemoClock,
        _ rng: inout SplitMix64
    ) -> (ProductRecord, [HalvaTransactionRecord]) {
        let limit = limitRubles * 100
        let openedAgo = openedDaysAgo ?? rng.int(120...1_800)
        let window = min(365, openedAgo)
        var days = (0..<count).map { _ in rng.below(window) + 1 }
        days.sort(by: >)
        var outstanding: Int64 = 0
        var purchased: Int64 = 0
        var repaid: Int64 = 0
        var lastShop = DemoCatalog.shops[0]
        var transactions: [HalvaTransactionRecord] = []
        transactions.reserveCapacity(count)
        var previousMs: Int64 = 0
        for daysAgo in days {
            var at = clock.instant(daysAgo: daysAgo, &rng)
            if at <= previousMs { at = previousMs + 60_000 }
            previousMs = at
            let roll = rng.below(100)
            if roll < 70 || outstanding == 0 {
                let shop = DemoCatalog.shops[rng.skewed(DemoCatalog.shops.count)]
                var amount = rng.int64(shop.rubles) * 100 + Int64(rng.below(100))
                if outstanding + amount > limit { amount = max(100_00, (limit - outstanding) / 2) }
                if outstanding + amount > limit {
                    let payment = outstanding
                    outstanding = 0
                    repaid += payment
                    transactions.append(HalvaTransactionRecord(
                        id: nil, productId: id, cardId: cardID, occurredMs: at, operationType: "Погашение", amount: payment,
                        purpose: DemoCatalog.repaymentPurposes[0], shopName: ""
                    ))
                    continue
                }
                outstanding += amount
                purchased += amount
                lastShop = shop
                transactions.append(HalvaTransactionRecord(
                    id: nil, productId: id, cardId: cardID, occurredMs: at, operationType: "Покупка", amount: -amount,
                    purpose: "Покупка в рассрочку на \(rng.pick(DemoCatalog.installmentMonths)) мес.", shopName: shop.name
                ))
            } else if roll < 96 {
                let payment = min(outstanding, max(500_00, outstanding * Int64(rng.int(10...100)) / 100) / 100 * 100)
                outstanding -= payment
                repaid += payment
                transactions.append(HalvaTransactionRecord(
                    id: nil, productId: id, cardId: cardID, occurredMs: at, operationType: "Погашение", amount: payment,
                    purpose: rng.pick(DemoCatalog.repaymentPurposes), shopName: ""
                ))
            } else {
                let refund = min(outstanding, rng.int64(lastShop.rubles) * 100)
                outstanding -= refund
                repaid += refund
                transactions.append(HalvaTransactionRecord(
                    id: nil, productId: id, cardId: cardID, occurredMs: at, operationType: "Возврат покупки", amount: refund,
                    purpose: "Возврат товара", shopName: lastShop.name
                ))
            }
        }
        let percent = purchased == 0 ? 0 : Int(min(100, repaid * 100 / purchased))
        let product = ProductRecord(
            id: id, cardId: cardID, openDate: clock.date(daysAgo: openedAgo).description, name: DemoCatalog.halvaName,
            category: DemoCatalog.halvaCategory, closeDate: nil, creditSum: limit, balance: outstanding,
            repaidPercent: percent, isHalva: true, closed: false
        )
        return (product, transactions)
    }

    // MARK: loans

    enum LoanState: Sendable {
        /// Debt with unpaid installments past their due date.
        case overdue
        /// Debt, every due installment paid.
        case current
        /// Fully repaid: no debt (collection does not find it).
        case repaid
    }

    struct LoanTerms {
        var principalRubles: Int64
        var months: Int
        var rateHundredths: Int
        /// Months since issue (for `.repaid`, at least `months`).
        var elapsedMonths: Int
        var overdueInstallments: Int
    }

    static func randomTerms(_ state: LoanState, _ rng: inout SplitMix64) -> LoanTerms {
        let months = rng.pick([6, 9, 12, 12, 18, 24, 24, 36])
        let elapsed: Int
        switch state {
        case .overdue: elapsed = rng.int(2...months - 1)
        case .current: elapsed = rng.int(1...months - 1)
        case .repaid: elapsed = rng.int(months...months + 36)
        }
        return LoanTerms(
            principalRubles: Int64(rng.int(10...300)) * 1_000, months: months, rateHundredths: rng.int(1990...5990),
            elapsedMonths: elapsed, overdueInstallments: state == .overdue ? rng.int(1...min(4, elapsed)) : 0
        )
    }

    static func annuity(_ principal: Int64, monthlyRate r: Double, months: Int) -> Int64 {
        guard r > 0 else { return principal / Int64(months) }
        return Int64((Double(principal) * r / (1 - pow(1 + r, Double(-months)))).rounded())
    }

    /// A loan contract and its schedule, consistent with each other: the debt is what the
    /// schedule leaves unpaid, the overdue part is the unpaid installments past due with
    /// their penalties.
    static func loan(
        contract: String, cardID: Int64, state: LoanState, terms: LoanTerms, area: DemoCatalog.Area, settlement: String,
        clock: DemoClock, _ rng: inout SplitMix64
    ) -> (LoanRecord, [InstallmentRecord]) {
        let today = clock.today
        let issueBase = today.addingMonths(-terms.elapsedMonths).adding(days: -rng.int(1...20))
        let issue = LocalDate(year: issueBase.year, month: issueBase.month, day: min(issueBase.day, 28))!
        let principal = terms.principalRubles * 100
        let r = Double(terms.rateHundredths) / 10_000 / 12
        let payment = annuity(principal, monthlyRate: r, months: terms.months)
        var remaining = principal
        var rows: [InstallmentRecord] = []
        rows.reserveCapacity(terms.months)
        let dueCount = (1...terms.months).filter { issue.addingMonths($0) < today }.count
        let firstOverdue = dueCount - terms.overdueInstallments + 1
        var debt: Int64 = 0
        var overdue: Int64 = 0
        var overdueSince: LocalDate?
        var lastPaid: (LocalDate, Int64)?
        var nextDue: (LocalDate, Int64)?
        for number in 1...terms.months {
            let due = issue.addingMonths(number)
            let interest = Int64((Double(remaining) * r).rounded())
            let principalPart = number == terms.months ? remaining : min(remaining, payment - interest)
            remaining -= principalPart
            let total = principalPart + interest
            var row = InstallmentRecord(
                contractNumber: contract, number: number, dueDate: due.description, total: total, principal: principalPart,
                interest: interest, penalty: 0, paid: 0, paidDate: nil, state: 1
            )
            if state != .repaid && number > dueCount {
                debt += principalPart
                if nextDue == nil { nextDue = (due, total) }
            } else if state == .overdue && number >= firstOverdue {
                let days = today.daysSinceEpoch - due.daysSinceEpoch
                if number == firstOverdue && rng.chance(0.3) {
                    row.paid = total * Int64(rng.int(10...60)) / 100
                    let paidOn = due.adding(days: rng.int(1...max(1, days - 1)))
                    row.paidDate = paidOn.description
                    lastPaid = (paidOn, row.paid)
                    row.state = 3
                } else {
                    row.state = 4
                }
                row.penalty = min(total / 5, (total - row.paid) * Int64(days) / 1_000)
                let unpaid = total + row.penalty - row.paid
                overdue += unpaid
                debt += unpaid
                if overdueSince == nil { overdueSince = due.adding(days: 1) }
            } else {
                let paidOn = due.adding(days: -rng.int(0...5))
                row.paid = total
                row.paidDate = paidOn.description
                row.state = 2
                if lastPaid.map({ $0.0 <= paidOn }) ?? true { lastPaid = (paidOn, total) }
            }
            rows.append(row)
        }
        let maturity = issue.addingMonths(terms.months)
        let refinancing = debt > 0 && (overdue > 0 || rng.chance(0.3))
        let newMonths = max(6, terms.months - dueCount + 12)
        let newRate = max(1490, terms.rateHundredths - 500)
        let newPayment = refinancing ? annuity(debt, monthlyRate: Double(newRate) / 10_000 / 12, months: newMonths) : 0
        let street = DemoCatalog.streets[rng.below(DemoCatalog.streets.count)]
        let loan = LoanRecord(
            contractNumber: contract, cardId: cardID, productName: rng.pick(DemoCatalog.loanProducts),
            issueDate: issue.description, debt: debt, overdue: overdue,
            overdueDays: overdueSince.map { today.daysSinceEpoch - $0.daysSinceEpoch + 1 } ?? 0,
            overdueSince: overdueSince?.description, principal: principal,
            termDays: maturity.daysSinceEpoch - issue.daysSinceEpoch, annualRateHundredths: terms.rateHundredths,
            installment: payment, maturityDate: maturity.description, lastPaymentDate: lastPaid?.0.description,
            lastPayment: lastPaid?.1 ?? 0, nextDueDate: state == .repaid ? nil : nextDue?.0.description,
            nextDue: state == .repaid ? 0 : (nextDue?.1 ?? 0) + overdue,
            refinancingAvailable: refinancing, refinancingInstallment: newPayment,
            refinancingTermDays: refinancing ? newMonths * 30 : 0,
            refinancingConditions: refinancing
                ? "Платёж \(rubles(newPayment)) в месяц на \(newMonths) мес. под \(newRate / 100),\(newRate % 100 / 10)% годовых"
                    + (overdue > 0 ? " после погашения просроченной задолженности \(rubles(overdue))" : "") + "; без комиссии"
                : "",
            officeName: "ВИВА-ЗАЙМЫ, \(settlement)",
            officeAddress: "\(area.region.name), г. \(settlement), \(street), д. \(rng.int(1...120))",
            officeHours: rng.pick(DemoCatalog.officeHours)
        )
        return (loan, rows)
    }
}
