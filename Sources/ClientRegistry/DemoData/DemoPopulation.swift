import Auth
import CRMDomain
import Foundation

/// The random population: people with one to three cards each (one per source, sharing the
/// mobile), their contacts and edits, products, Halva histories, loans and decisions. One
/// SplitMix64 stream drives everything in order, so a seed always gives the same rows,
/// whatever the batch size.
final class DemoPopulation {
    private var rng: SplitMix64
    private let writer: DemoRowWriter
    private let clock: DemoClock
    private let reserved: Set<String>
    private(set) var nextCardID: Int64
    private var clientCardIDs: [Int64] = []
    private var loanSequence = 0
    private var operatorLogins: Set<String> = []
    private var actors: [Role: [Actor]] = [:]

    init(seed: UInt64, writer: DemoRowWriter, clock: DemoClock, firstCardID: Int64) {
        // Mix the seed so that small seeds (1, 2, 3) start far apart.
        var mixer = SplitMix64(seed: seed ^ 0x5EED_C0DE_D47A_0001)
        rng = SplitMix64(seed: mixer.next())
        self.writer = writer
        self.clock = clock
        reserved = DemoAnchors.reservedPhones
        nextCardID = firstCardID
        for anchor in DemoAnchors.operators {
            operatorLogins.insert(anchor.login)
            actors[anchor.role, default: []].append(Actor(login: anchor.login, fullName: anchor.fullName))
        }
        for anchor in DemoAnchors.anchorClientCardIDs { clientCardIDs.append(anchor) }
    }

    // MARK: operators

    static let loginPrefixes: [Role: String] = [
        .vcc: "vcc", .sales: "sales", .smb: "smb", .office: "office", .activeControl: "control", .fc: "fc",
        .collector: "collector", .administrator: "admin",
    ]

    /// `perRole` more operators for each working role.
    func insertOperators(perRole: Int) throws {
        let roles: [Role] = [.vcc, .sales, .smb, .office, .activeControl, .fc, .collector]
        for role in roles {
            for _ in 0..<perRole {
                let female = rng.chance(0.6)
                let surname = DemoNames.surnames[rng.skewed(DemoNames.surnames.count)].form(female: female)
                let names = female ? DemoNames.females : DemoNames.males
                let name = names[rng.skewed(names.count)]
                let patronymic = DemoNames.patronymics[rng.below(DemoNames.patronymics.count)].form(female: female)
                let base = "\(Self.loginPrefixes[role]!).\(surname.latin)"
                var login = base
                var suffix = 2
                while operatorLogins.contains(login) {
                    login = base + String(suffix)
                    suffix += 1
                }
                operatorLogins.insert(login)
                let record = OperatorRecord(
                    id: nil, login: login, surname: surname.text, name: name.text, patronymic: patronymic.text,
                    role: role.rawValue, mobile: mobile(), createdMs: clock.instant(daysAgo: rng.int(30...1_500), &rng)
                )
                try writer.insert(record)
                actors[role, default: []].append(Actor(login: login, fullName: record.fullName))
            }
        }
    }

    private func actor(_ role: Role) -> Actor {
        let list = actors[role]!
        return list[rng.below(list.count)]
    }

    private func crm2Actor() -> Actor {
        actor([Role.vcc, .vcc, .vcc, .sales, .smb, .office, .fc][rng.below(7)])
    }

    // MARK: phones and addresses

    func mobile() -> String {
        while true {
            let number = DemoCatalog.mobileCodes[rng.below(DemoCatalog.mobileCodes.count)] + rng.digits(7)
            if !reserved.contains(number) { return number }
        }
    }

    private func landline(_ area: DemoCatalog.Area) -> String {
        while true {
            let number = area.areaCodes[rng.below(area.areaCodes.count)] + String(rng.int(2...9)) + rng.digits(6)
            if !reserved.contains(number) { return number }
        }
    }

    private func email(_ name: DemoNames.Form, _ surname: DemoNames.Form, birthYear: Int) -> String {
        let domain = DemoCatalog.mailDomains[rng.skewed(DemoCatalog.mailDomains.count)]
        let year = birthYear % 100
        let yy = year < 10 ? "0\(year)" : "\(year)"
        switch rng.below(4) {
        case 0: return "\(name.latin).\(surname.latin)@\(domain)"
        case 1: return "\(name.latin.prefix(1)).\(surname.latin)\(yy)@\(domain)"
        case 2: return "\(surname.latin)\(rng.int(1...999))@\(domain)"
        default: return "\(name.latin)_\(surname.latin)\(birthYear)@\(domain)"
        }
    }

    private func passport(_ area: DemoCatalog.Area, birthYear: Int) -> (series: String, number: String) {
        // Series: two digits of the region (OKATO-like), two of the year of issue.
        let issued = min(clock.today.year, birthYear + rng.pick([14, 20, 45]))
        let regionDigits = String(area.region.code.suffix(2))
        let yy = issued % 100
        return (regionDigits + (yy < 10 ? "0\(yy)" : "\(yy)"), String(rng.int(100_000...999_999)))
    }

    // MARK: people

    private static let firstTypes: [CardKind] = [.client, .internetApplicant, .frontOfficeApplicant, .recommendation, .interested, .onlineChat]
    private static let firstTypeWeights = [55, 14, 10, 7, 10, 4]
    private static let extraTypes: [CardKind] = [.internetApplicant, .frontOfficeApplicant, .interested, .onlineChat, .client]
    private static let extraTypeWeights = [40, 20, 20, 10, 10]
    private static let ageBands: [ClosedRange<Int>] = [18...25, 26...35, 36...45, 46...55, 56...65, 66...80]
    private static let ageWeights = [12, 25, 24, 18, 13, 8]

    /// One person with up to `maxCards` cards; returns the number of cards written.
    func person(maxCards: Int) throws -> Int {
        let female = rng.chance(0.53)
        let surname = DemoNames.surnames[rng.skewed(DemoNames.surnames.count)].form(female: female)
        let names = female ? DemoNames.females : DemoNames.males
        let name = names[rng.skewed(names.count)]
        let patronymic: DemoNames.Form? = rng.chance(0.985)
            ? DemoNames.patronymics[rng.skewed(DemoNames.patronymics.count)].form(female: female) : nil
        let age = rng.int(Self.ageBands[rng.weighted(Self.ageWeights)])
        let birth = clock.today.adding(days: -(age * 365 + age / 4 + rng.below(365)))
        let area = DemoCatalog.areas[rng.weighted(DemoCatalog.areaWeights)]
        let settlement = rng.chance(0.55) ? area.settlements[0] : area.settlements[rng.below(area.settlements.count)]
        let personalMobile: String? = rng.chance(0.97) ? mobile() : nil
        let personalEmail = rng.chance(0.45) ? email(name, surname, birthYear: birth.year) : nil
        let personalPassport = passport(area, birthYear: birth.year)

        var cardCount = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 3][rng.below(20)]
        cardCount = min(cardCount, maxCards)
        var types: [CardKind] = [Self.firstTypes[rng.weighted(Self.firstTypeWeights)]]
        while types.count < cardCount {
            let next = Self.extraTypes[rng.weighted(Self.extraTypeWeights)]
            if !types.contains(next) { types.append(next) }
        }
        for type in types {
            var kind = type
            if kind == .recommendation && clientCardIDs.isEmpty { kind = .interested }
            try card(
                kind, surname: surname, name: name, patronymic: patronymic, birth: birth, area: area,
                settlement: settlement, mobile: personalMobile, email: personalEmail, passport: personalPassport
            )
        }
        return types.count
    }

    private func createdDaysAgo(_ kind: CardKind) -> Int {
        switch kind {
        case .client: rng.int(30...2_900)
        case .frontOfficeApplicant: rng.int(1...1_100)
        case .internetApplicant: rng.int(1...730)
        case .recommendation, .interested, .onlineChat: rng.int(1...365)
        }
    }

    private func card(
        _ kind: CardKind, surname: DemoNames.Form, name: DemoNames.Form, patronymic: DemoNames.Form?, birth: LocalDate,
        area: DemoCatalog.Area, settlement: String, mobile personalMobile: String?, email personalEmail: String?,
        passport personalPassport: (series: String, number: String)
    ) throws {
        let cardID = nextCardID
        nextCardID += 1
        let createdAgo = createdDaysAgo(kind)
        let createdMs = clock.instant(daysAgo: createdAgo, &rng)
        let hasPassport = kind == .client || kind == .frontOfficeApplicant || (kind == .internetApplicant && rng.chance(0.4))
        var record = DemoRowWriter.Card(
            id: cardID, type: kind, surname: surname, name: name, patronymic: patronymic, birthDate: birth,
            regionCode: area.region.code, settlement: settlement, passport: hasPassport ? personalPassport : nil,
            createdMs: createdMs
        )
        if kind == .client || kind == .frontOfficeApplicant { record.rbsNumber = String(rng.int(1...9)) + rng.digits(9) }
        if rng.chance(0.35) { record.scripts.append(DemoCatalog.scripts[rng.skewed(DemoCatalog.scripts.count)]) }
        if kind == .recommendation { record.recommendedBy = clientCardIDs[rng.below(clientCardIDs.count)] }

        // Contacts as the card was created.
        var contacts: [(ContactKind, String)] = []
        if let personalMobile { contacts.append((.mobile, personalMobile)) }
        let landlineShare = kind == .client || kind == .frontOfficeApplicant ? 0.35 : 0.15
        if rng.chance(landlineShare) || personalMobile == nil { contacts.append((.work, landline(area))) }
        if rng.chance(0.15) { contacts.append((.contact, mobile())) }
        if rng.chance(0.08) { contacts.append((.extra1, mobile())) }
        if rng.chance(0.03) { contacts.append((.extra2, rng.chance(0.5) ? mobile() : landline(area))) }
        if rng.chance(kind == .client ? 0.2 : 0.05) { contacts.append((.registration, landline(area))) }
        if let personalEmail, rng.chance(kind == .onlineChat ? 0.9 : 0.7) { contacts.append((.email, personalEmail)) }

        let operatorMade = kind == .recommendation || kind == .interested || kind == .onlineChat
        let creator = kind == .recommendation ? actor(.office) : crm2Actor()
        for (contactKind, value) in contacts {
            try writer.insertContact(cardID: cardID, kind: contactKind, value: value, createdMs: createdMs)
            if operatorMade {
                try writer.insertChange(
                    cardID: cardID, changedMs: createdMs, field: ChangedField(contactKind), new: value, old: "",
                    comment: kind == .recommendation ? "Ввод рекомендации" : "Ввод АПД", by: creator
                )
            }
        }
        // Some cards carry an edit: an old number struck out with a reason, as tab 8 shows it.
        if personalMobile != nil && rng.chance(0.07) {
            let editAgo = rng.int(0...min(364, max(0, createdAgo - 1)))
            let editMs = max(createdMs + 60_000, clock.instant(daysAgo: editAgo, &rng))
            let old = mobile()
            let reason = [StrikeReason.changed, .changed, .notInUse, .wrong, .doNotContact][rng.below(5)]
            let comment = ["Клиент сообщил о смене номера", "Номер не обслуживается", "Ответил посторонний", "Просьба клиента"][rng.below(4)]
            let by = crm2Actor()
            try writer.insertContact(cardID: cardID, kind: .contact, value: old, struckOut: reason, comment: comment, createdMs: createdMs)
            try writer.insertChange(cardID: cardID, changedMs: editMs, field: .contact, new: "", old: old, reason: reason, comment: comment, by: by)
            record.version += 1
        }
        try writer.insert(record)
        if kind == .client { clientCardIDs.append(cardID) }

        var hasOverdue = false
        if kind == .client { try products(cardID: cardID) }
        else if kind == .frontOfficeApplicant && rng.chance(0.3) { try products(cardID: cardID, few: true) }
        let loanShare: Double = switch kind {
        case .client: 0.10
        case .frontOfficeApplicant: 0.12
        case .internetApplicant: 0.04
        default: 0.01
        }
        if rng.chance(loanShare) {
            let loans = rng.chance(0.15) ? 2 : 1
            for _ in 0..<loans {
                hasOverdue = try loan(cardID: cardID, area: area, settlement: settlement, phone: personalMobile) || hasOverdue
            }
        }
        if (kind == .client || kind == .internetApplicant) && rng.chance(0.04) {
            let decidedMs = clock.instant(daysAgo: rng.int(1...300), &rng)
            let rejected = hasOverdue || rng.chance(0.1)
            try writer.insert(BureauDecisionRecord(
                id: uuidText(), cardId: cardID, decision: rejected ? 2 : 1, decidedMs: decidedMs,
                rule: hasOverdue ? BureauRules.overdueRule : (rejected ? BureauRules.ageRule : BureauRules.approvedRule),
                byLogin: crm2Actor().login
            ))
        }
    }

    private func uuidText() -> String {
        let a = rng.next(), b = rng.next()
        var hex = String(a, radix: 16) + String(b, radix: 16)
        while hex.count < 32 { hex = "0" + hex }
        let c = Array(hex.prefix(32))
        return String(c[0..<8]) + "-" + String(c[8..<12]) + "-" + String(c[12..<16]) + "-" + String(c[16..<20]) + "-" + String(c[20..<32])
    }

    // MARK: products and loans

    private func products(cardID: Int64, few: Bool = false) throws {
        var sequence = 0
        func nextID() -> String {
            sequence += 1
            return "P\(cardID)-\(sequence)"
        }
        if !few && rng.chance(0.35) {
            let (product, transactions) = DemoFinance.halva(
                id: nextID(), cardID: cardID, count: rng.int(8...40), limitRubles: Int64(rng.int(3...35)) * 10_000,
                clock: clock, &rng
            )
            try writer.insert(product)
            for transaction in transactions { try writer.insert(transaction) }
        }
        let current = few ? 1 : rng.int(0...2)
        let closed = few ? 0 : [0, 0, 1, 1, 1, 2, 3][rng.below(7)]
        var any = sequence > 0
        for index in 0..<(current + closed) {
            let kind = DemoCatalog.products[rng.weighted(DemoCatalog.productWeights)]
            try writer.insert(DemoFinance.product(id: nextID(), cardID: cardID, kind: kind, closed: index >= current, clock: clock, &rng))
            any = true
        }
        if !any {
            try writer.insert(DemoFinance.product(
                id: nextID(), cardID: cardID, kind: DemoCatalog.products[0], closed: rng.chance(0.5), clock: clock, &rng
            ))
        }
    }

    /// A loan of the collection system; returns whether it is overdue.
    private func loan(cardID: Int64, area: DemoCatalog.Area, settlement: String, phone: String?) throws -> Bool {
        loanSequence += 1
        let contract = "Z61" + Self.padded(Int(cardID), 8) + Self.padded(loanSequence % 100, 2)
        let roll = rng.below(100)
        let state: DemoFinance.LoanState = roll < 35 ? .overdue : (roll < 60 ? .current : .repaid)
        let (loan, schedule) = DemoFinance.loan(
            contract: contract, cardID: cardID, state: state, terms: DemoFinance.randomTerms(state, &rng), area: area,
            settlement: settlement, clock: clock, &rng
        )
        try writer.insert(loan)
        for row in schedule { try writer.insert(row) }
        if loan.debt > 0 {
            let collector = actor(.collector)
            if rng.chance(0.25) {
                try writer.insert(LoanPhoneRecord(
                    contractNumber: contract, phone: mobile(), ownership: 2, comment: rng.pick(DemoCatalog.thirdPartyComments),
                    addedMs: clock.instant(daysAgo: rng.int(1...300), &rng), byLogin: collector.login, byName: collector.fullName
                ))
            }
            if let phone, rng.chance(0.1) {
                try writer.insert(LoanPhoneRecord(
                    contractNumber: contract, phone: phone, ownership: 1, comment: "Номер подтверждён клиентом",
                    addedMs: clock.instant(daysAgo: rng.int(1...300), &rng), byLogin: collector.login, byName: collector.fullName
                ))
            }
            if state == .overdue && rng.chance(0.4) {
                try writer.insert(ClientCommentRecord(
                    id: nil, cardId: cardID, contractNumber: contract, text: rng.pick(DemoCatalog.collectorComments),
                    createdMs: clock.instant(daysAgo: rng.int(1...max(1, loan.overdueDays)), &rng),
                    byLogin: collector.login, byName: collector.fullName
                ))
            }
        }
        return loan.overdue > 0
    }

    static func padded(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }
}
