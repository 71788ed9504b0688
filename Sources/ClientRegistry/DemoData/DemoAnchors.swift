public import Auth
import CRMDomain
import Foundation

/// The fixed records every demo load starts with, before the random population: the demo,
/// the README and the tests rely on them. Cards are inserted first into an empty registry,
/// so their ids are 1…6.
public enum DemoAnchors {
    public struct Operator: Sendable, Hashable {
        public var login: String
        public var role: Role
        public var mobile: String
        public var surname: String
        public var name: String
        public var patronymic: String
        public var fullName: String { [surname, name, patronymic].filter { !$0.isEmpty }.joined(separator: " ") }
    }

    // MARK: operators (login — role — mobile — full name)

    public static let admin = Operator(login: "admin", role: .administrator, mobile: "9000000001", surname: "Администратор", name: "Системы", patronymic: "")
    public static let vcc = Operator(login: "vcc.ivanova", role: .vcc, mobile: "9161234567", surname: "Иванова", name: "Мария", patronymic: "Петровна")
    public static let sales = Operator(login: "sales.petrov", role: .sales, mobile: "9161234568", surname: "Петров", name: "Сергей", patronymic: "Николаевич")
    public static let smb = Operator(login: "smb.sidorov", role: .smb, mobile: "9161234569", surname: "Сидоров", name: "Андрей", patronymic: "Олегович")
    public static let office = Operator(login: "office.smirnova", role: .office, mobile: "9161234570", surname: "Смирнова", name: "Елена", patronymic: "Викторовна")
    public static let activeControl = Operator(login: "control.kuznetsov", role: .activeControl, mobile: "9161234571", surname: "Кузнецов", name: "Павел", patronymic: "Андреевич")
    public static let fc = Operator(login: "fc.popova", role: .fc, mobile: "9161234572", surname: "Попова", name: "Анна", patronymic: "Сергеевна")
    public static let collector = Operator(login: "collector.volkov", role: .collector, mobile: "9161234573", surname: "Волков", name: "Дмитрий", patronymic: "Игоревич")

    public static let operators = [admin, vcc, sales, smb, office, activeControl, fc, collector]

    // MARK: cards

    /// «client»: Клиент Смирнов Алексей Викторович, 14.03.1985, Самарская область (Мск +1), Самара;
    /// passport 3605 123456; mobile 9372888099; Halva card with transactions, a credit, closed
    /// products; the overdue loan Z600531987509 with third-party phone 9510187060.
    public static let clientCardID: Int64 = 1
    /// «internet»: Заявитель Интернет, the same person and mobile, no passport.
    public static let internetCardID: Int64 = 2
    /// «interested»: Заинтересованный Кузнецова Ольга Игоревна, 02.07.1990, Санкт-Петербург, work 8125893369.
    public static let interestedCardID: Int64 = 3
    /// «front»: Заявитель Фронт-офиса Орлов Игорь Павлович, 23.11.1979, mobile 9031112233, loan Z600531987510 without debt.
    public static let frontCardID: Int64 = 4
    /// «bureau-refusal»: a Клиент with overdue debt and a passport: the built-in bureau says Отказ.
    public static let bureauRefusalCardID: Int64 = 5
    /// «bureau-approval»: a Клиент aged 30–60 with no debt and a passport: the built-in bureau says Одобрено.
    public static let bureauApprovalCardID: Int64 = 6
    /// The first id of the random population.
    public static let firstRandomCardID: Int64 = 7

    public static let clientName = (surname: "Смирнов", name: "Алексей", patronymic: "Викторович")
    public static let clientBirthDate = LocalDate(year: 1985, month: 3, day: 14)!
    public static let clientRegionCode = "63"
    public static let clientSettlement = "Самара"
    public static let clientPassport = (series: "3605", number: "123456")
    /// Held by «client» and «internet»: a search by it finds both.
    public static let sharedMobile = "9372888099"
    public static let clientEmail = "a.smirnov85@mail.ru"
    public static let internetEmail = "smirnov.alexey@yandex.ru"
    public static let clientWorkPhone = "8462701530"
    /// The Halva card of «client» and how many operations it has.
    public static let clientHalvaProductID = "P1-1"
    public static let clientHalvaTransactions = 48

    /// «client»'s contract with debt and overdue.
    public static let debtContract = "Z600531987509"
    /// On `debtContract` as «Телефон 3-го лица».
    public static let thirdPartyPhone = "9510187060"

    public static let interestedName = (surname: "Кузнецова", name: "Ольга", patronymic: "Игоревна")
    public static let interestedBirthDate = LocalDate(year: 1990, month: 7, day: 2)!
    public static let interestedWorkPhone = "8125893369"
    public static let interestedMobile = "9219876543"

    public static let frontName = (surname: "Орлов", name: "Игорь", patronymic: "Павлович")
    public static let frontBirthDate = LocalDate(year: 1979, month: 11, day: 23)!
    public static let frontMobile = "9031112233"
    public static let frontPassport = (series: "4510", number: "654321")
    /// «front»'s contract, fully repaid: debt 0, so collection does not find it.
    public static let paidUpContract = "Z600531987510"

    public static let refusalName = (surname: "Морозов", name: "Николай", patronymic: "Степанович")
    public static let refusalBirthDate = LocalDate(year: 1968, month: 9, day: 5)!
    public static let refusalPassport = (series: "6503", number: "112233")
    public static let refusalMobile = "9122345678"
    public static let refusalContract = "Z600531987511"

    public static let approvalName = (surname: "Белова", name: "Анна", patronymic: "Сергеевна")
    public static let approvalBirthDate = LocalDate(year: 1982, month: 4, day: 18)!
    public static let approvalPassport = (series: "9204", number: "445566")
    public static let approvalMobile = "9172345678"

    static var anchorClientCardIDs: [Int64] { [clientCardID, bureauRefusalCardID, bureauApprovalCardID] }

    /// Numbers the random population never uses, so a search by them finds only anchors
    /// (including the numbers the demo types in as new ones).
    public static let reservedPhones: Set<String> = Set(operators.map(\.mobile)).union([
        sharedMobile, clientWorkPhone, thirdPartyPhone, interestedWorkPhone, interestedMobile, frontMobile,
        refusalMobile, approvalMobile, "9165551234", "9171002030",
    ])

    // MARK: insertion

    /// Writes the anchors; the same rows for the same `today`, whatever the seed.
    static func insert(_ writer: DemoRowWriter, clock: DemoClock) throws {
        var rng = SplitMix64(seed: 0xA4C0_0DE5_2025_0615)
        func form(_ text: String) -> DemoNames.Form { DemoNames.Form(text) }
        let samara = DemoCatalog.areas.first { $0.region.code == "63" }!
        let moscow = DemoCatalog.areas.first { $0.region.code == "77" }!
        let spb = DemoCatalog.areas.first { $0.region.code == "78" }!
        let ekb = DemoCatalog.areas.first { $0.region.code == "66" }!
        let kazan = DemoCatalog.areas.first { $0.region.code == "16" }!

        for (index, anchor) in operators.enumerated() {
            try writer.insert(OperatorRecord(
                id: nil, login: anchor.login, surname: anchor.surname, name: anchor.name, patronymic: anchor.patronymic,
                role: anchor.role.rawValue, mobile: anchor.mobile, createdMs: clock.endMs - Int64(400 - index) * DemoClock.dayMs
            ))
        }
        let collectorActor = Actor(login: collector.login, fullName: collector.fullName)
        let vccActor = Actor(login: vcc.login, fullName: vcc.fullName)

        // 1 «client»
        let clientCreated = clock.endMs - 2_900 * DemoClock.dayMs + 10 * 3_600_000
        try writer.insert(DemoRowWriter.Card(
            id: clientCardID, type: .client, rbsNumber: "4081726354", surname: form(clientName.surname), name: form(clientName.name),
            patronymic: form(clientName.patronymic), birthDate: clientBirthDate, regionCode: clientRegionCode,
            settlement: clientSettlement, passport: clientPassport, scripts: ["РЦГ_ХАЛВА_АКТИВАЦИЯ"], createdMs: clientCreated
        ))
        try writer.insertContact(cardID: clientCardID, kind: .mobile, value: sharedMobile, createdMs: clientCreated)
        try writer.insertContact(cardID: clientCardID, kind: .work, value: clientWorkPhone, createdMs: clientCreated)
        try writer.insertContact(cardID: clientCardID, kind: .email, value: clientEmail, createdMs: clientCreated)
        let halva = DemoFinance.halva(
            id: clientHalvaProductID, cardID: clientCardID, count: clientHalvaTransactions, limitRubles: 150_000,
            openedDaysAgo: 700, clock: clock, &rng
        )
        try writer.insert(halva.0)
        for transaction in halva.1 { try writer.insert(transaction) }
        let catalog = DemoCatalog.products
        try writer.insert(DemoFinance.product(id: "P1-2", cardID: clientCardID, kind: catalog[0], closed: false, clock: clock, &rng))
        try writer.insert(DemoFinance.product(id: "P1-3", cardID: clientCardID, kind: catalog[4], closed: false, clock: clock, &rng))
        try writer.insert(DemoFinance.product(id: "P1-4", cardID: clientCardID, kind: catalog[0], closed: true, clock: clock, &rng))
        try writer.insert(DemoFinance.product(id: "P1-5", cardID: clientCardID, kind: catalog[8], closed: true, clock: clock, &rng))
        try writer.insert(DemoFinance.product(id: "P1-6", cardID: clientCardID, kind: catalog[3], closed: true, clock: clock, &rng))
        let (debtLoan, debtSchedule) = DemoFinance.loan(
            contract: debtContract, cardID: clientCardID, state: .overdue,
            terms: .init(principalRubles: 150_000, months: 12, rateHundredths: 3490, elapsedMonths: 7, overdueInstallments: 2),
            area: samara, settlement: clientSettlement, clock: clock, &rng
        )
        try writer.insert(debtLoan)
        for row in debtSchedule { try writer.insert(row) }
        try writer.insert(LoanPhoneRecord(
            contractNumber: debtContract, phone: thirdPartyPhone, ownership: 2, comment: "Телефон 3-го лица (сестра клиента)",
            addedMs: clock.endMs - 20 * DemoClock.dayMs + 11 * 3_600_000, byLogin: collectorActor.login, byName: collectorActor.fullName
        ))
        try writer.insert(ClientCommentRecord(
            id: nil, cardId: clientCardID, contractNumber: debtContract,
            text: "Клиент обещал погасить просрочку до конца месяца", createdMs: clock.endMs - 20 * DemoClock.dayMs + 11 * 3_610_000,
            byLogin: collectorActor.login, byName: collectorActor.fullName
        ))

        // 2 «internet»: the same person from an internet application, no passport.
        let internetCreated = clock.endMs - 40 * DemoClock.dayMs + 19 * 3_600_000
        try writer.insert(DemoRowWriter.Card(
            id: internetCardID, type: .internetApplicant, surname: form(clientName.surname), name: form(clientName.name),
            patronymic: form(clientName.patronymic), birthDate: clientBirthDate, regionCode: clientRegionCode,
            settlement: clientSettlement, scripts: ["ИНТЕРНЕТ_ЗАЯВКА_ДОЗВОН"], createdMs: internetCreated
        ))
        try writer.insertContact(cardID: internetCardID, kind: .mobile, value: sharedMobile, createdMs: internetCreated)
        try writer.insertContact(cardID: internetCardID, kind: .email, value: internetEmail, createdMs: internetCreated)

        // 3 «interested»: entered by an operator (АПД), so tab 8 has its first rows.
        let interestedCreated = clock.endMs - 15 * DemoClock.dayMs + 13 * 3_600_000
        try writer.insert(DemoRowWriter.Card(
            id: interestedCardID, type: .interested, surname: form(interestedName.surname), name: form(interestedName.name),
            patronymic: form(interestedName.patronymic), birthDate: interestedBirthDate, regionCode: spb.region.code,
            settlement: "Санкт-Петербург", createdMs: interestedCreated
        ))
        for (kind, value) in [(ContactKind.mobile, interestedMobile), (.work, interestedWorkPhone)] {
            try writer.insertContact(cardID: interestedCardID, kind: kind, value: value, createdMs: interestedCreated)
            try writer.insertChange(
                cardID: interestedCardID, changedMs: interestedCreated, field: ChangedField(kind), new: value, old: "",
                comment: "Ввод АПД", by: vccActor
            )
        }

        // 4 «front»: a repaid loan, invisible to collection.
        let frontCreated = clock.endMs - 900 * DemoClock.dayMs + 12 * 3_600_000
        try writer.insert(DemoRowWriter.Card(
            id: frontCardID, type: .frontOfficeApplicant, rbsNumber: "4079553120", surname: form(frontName.surname),
            name: form(frontName.name), patronymic: form(frontName.patronymic), birthDate: frontBirthDate,
            regionCode: moscow.region.code, settlement: "Москва", passport: frontPassport, createdMs: frontCreated
        ))
        try writer.insertContact(cardID: frontCardID, kind: .mobile, value: frontMobile, createdMs: frontCreated)
        let (paidLoan, paidSchedule) = DemoFinance.loan(
            contract: paidUpContract, cardID: frontCardID, state: .repaid,
            terms: .init(principalRubles: 80_000, months: 12, rateHundredths: 2990, elapsedMonths: 18, overdueInstallments: 0),
            area: moscow, settlement: "Москва", clock: clock, &rng
        )
        try writer.insert(paidLoan)
        for row in paidSchedule { try writer.insert(row) }

        // 5 «bureau-refusal»: overdue debt.
        let refusalCreated = clock.endMs - 1_500 * DemoClock.dayMs + 10 * 3_600_000
        try writer.insert(DemoRowWriter.Card(
            id: bureauRefusalCardID, type: .client, rbsNumber: "4083310277", surname: form(refusalName.surname),
            name: form(refusalName.name), patronymic: form(refusalName.patronymic), birthDate: refusalBirthDate,
            regionCode: ekb.region.code, settlement: "Екатеринбург", passport: refusalPassport, createdMs: refusalCreated
        ))
        try writer.insertContact(cardID: bureauRefusalCardID, kind: .mobile, value: refusalMobile, createdMs: refusalCreated)
        try writer.insert(DemoFinance.product(id: "P5-1", cardID: bureauRefusalCardID, kind: catalog[0], closed: true, clock: clock, &rng))
        let (refusalLoan, refusalSchedule) = DemoFinance.loan(
            contract: refusalContract, cardID: bureauRefusalCardID, state: .overdue,
            terms: .init(principalRubles: 60_000, months: 9, rateHundredths: 4590, elapsedMonths: 6, overdueInstallments: 3),
            area: ekb, settlement: "Екатеринбург", clock: clock, &rng
        )
        try writer.insert(refusalLoan)
        for row in refusalSchedule { try writer.insert(row) }

        // 6 «bureau-approval»: no loans, no debt.
        let approvalCreated = clock.endMs - 1_200 * DemoClock.dayMs + 15 * 3_600_000
        try writer.insert(DemoRowWriter.Card(
            id: bureauApprovalCardID, type: .client, rbsNumber: "4086621904", surname: form(approvalName.surname),
            name: form(approvalName.name), patronymic: form(approvalName.patronymic), birthDate: approvalBirthDate,
            regionCode: kazan.region.code, settlement: "Казань", passport: approvalPassport, createdMs: approvalCreated
        ))
        try writer.insertContact(cardID: bureauApprovalCardID, kind: .mobile, value: approvalMobile, createdMs: approvalCreated)
        try writer.insert(DemoFinance.product(id: "P6-1", cardID: bureauApprovalCardID, kind: catalog[3], closed: false, clock: clock, &rng))
        try writer.insert(DemoFinance.product(id: "P6-2", cardID: bureauApprovalCardID, kind: catalog[0], closed: true, clock: clock, &rng))
    }
}
