import Auth
import CRMAPI
import CRMDomain
import RPCCore
import RPCTesting
import ServiceKit
import Wire
@testable import ClientRegistry
import Foundation
import GRDB
import Testing

private let demoToday = LocalDate(year: 2025, month: 6, day: 15)!

private func seeded(_ clients: Int, seed: UInt64 = 7, batchSize: Int = 10_000) throws -> RegistryStore {
    let store = try RegistryStore.inMemory()
    _ = try DemoData.seed(into: store.writer, options: DemoDataOptions(seed: seed, clients: clients, today: demoToday, batchSize: batchSize))
    return store
}

/// FNV-1a over every row of the tables the generator fills, in rowid order.
private func digest(_ store: RegistryStore) throws -> UInt64 {
    let tables = [
        "operator", "card", "contact", "contact_change", "product", "halva_transaction", "bureau_decision", "loan",
        "installment", "loan_phone", "client_comment",
    ]
    return try store.writer.read { db in
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for table in tables {
            for row in try Row.fetchAll(db, sql: "SELECT * FROM \(table) ORDER BY rowid") {
                for byte in row.description.utf8 {
                    hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3
                }
            }
        }
        return hash
    }
}

@Suite struct DemoDataTests {
    @Test func theSameSeedGivesTheSameDataWhateverTheBatchSize() throws {
        let first = try digest(seeded(1_500, seed: 7))
        let again = try digest(seeded(1_500, seed: 7, batchSize: 97))
        let other = try digest(seeded(1_500, seed: 8))
        #expect(first == again)
        #expect(first != other)
    }

    @Test func anchorsAreAsSpecified() throws {
        let store = try seeded(300)
        try store.writer.read { db in
            let operators = try OperatorRecord.fetchAll(db, sql: "SELECT * FROM operator ORDER BY id LIMIT 8")
            #expect(operators.map(\.login) == DemoAnchors.operators.map(\.login))
            #expect(operators.map(\.role) == ["ADMINISTRATOR", "VCC", "SALES", "SMB", "OFFICE", "ACTIVE_CONTROL", "FC", "COLLECTOR"])
            #expect(operators.map(\.mobile) == ["9000000001", "9161234567", "9161234568", "9161234569", "9161234570", "9161234571", "9161234572", "9161234573"])
            #expect(operators[1].fullName == "Иванова Мария Петровна")
            #expect(operators[7].fullName == "Волков Дмитрий Игоревич")
            #expect(operators[0].fullName == "Администратор Системы")

            // Search by the shared mobile finds exactly the client's two cards.
            let shared = try db.cards(withPhone: "9372888099")
            #expect(shared.map(\.card.cardID) == [DemoAnchors.clientCardID, DemoAnchors.internetCardID])
            let client = try db.requireCard(DemoAnchors.clientCardID)
            let internet = try db.requireCard(DemoAnchors.internetCardID)
            #expect(client.type == .client && internet.type == .internetApplicant)
            for card in [client, internet] {
                #expect(card.surname == "Смирнов" && card.name == "Алексей" && card.patronymic == "Викторович")
                #expect(card.birthDate == "1985-03-14")
            }
            #expect(client.passportSeries == "3605" && client.passportNumber == "123456")
            #expect(internet.passportSeries == nil)
            #expect(Regions.byCode[client.regionCode]!.moscowOffsetHours == 1 && client.settlement == "Самара")
            #expect(try db.cardDetails(1)!.contacts.contains { $0.kind == .email })

            // Tabs of «client».
            let current = try db.products(of: 1, closed: false)
            #expect(current.contains { $0.isHalva } && current.contains { $0.category == 1 && !$0.isHalva })
            #expect(try db.products(of: 1, closed: true).count >= 2)
            let halva = try db.halvaTransactions(of: 1, productID: nil, before: nil, limit: 500)
            #expect(halva.count >= 30)
            #expect(halva.contains { $0.amount < 0 && !$0.shopName.isEmpty } && halva.contains { $0.amount > 0 })
            #expect(halva.allSatisfy { $0.occurredMs < DemoClock(today: demoToday).endMs && $0.occurredMs > DemoClock(today: demoToday).endMs - 366 * 86_400_000 })

            // Collection: Z600531987509 with debt and overdue, found by the third party's phone.
            let debt = try db.requireLoan("Z600531987509")
            #expect(debt.cardId == 1 && debt.debt > 0 && debt.overdue > 0 && debt.overdueDays > 0)
            #expect(try db.installments(of: "Z600531987509").count == 12)
            let byThirdParty = try db.debtors(withPhone: "9510187060")
            #expect(byThirdParty.map(\.loan.contractNumber) == ["Z600531987509"] && byThirdParty[0].ownership == 2)
            #expect(try db.loanPhones(of: "Z600531987509").contains { $0.phone == "9510187060" && $0.ownership == 2 })
            #expect(try db.debtors(withPhone: "9372888099").contains { $0.loan.contractNumber == "Z600531987509" && $0.ownership == 1 })

            // «front»: a loan without debt, which collection does not find.
            let front = try db.requireCard(DemoAnchors.frontCardID)
            #expect(front.type == .frontOfficeApplicant && front.surname == "Орлов" && front.birthDate == "1979-11-23")
            #expect(try db.cards(withPhone: "9031112233").map(\.card.cardID) == [DemoAnchors.frontCardID])
            let paid = try db.requireLoan("Z600531987510")
            #expect(paid.cardId == DemoAnchors.frontCardID && paid.debt == 0 && paid.overdue == 0)
            #expect(try db.debtors(withPhone: "9031112233").isEmpty)

            // «interested».
            let interested = try db.requireCard(DemoAnchors.interestedCardID)
            #expect(interested.type == .interested && interested.surname == "Кузнецова" && interested.birthDate == "1990-07-02")
            #expect(interested.regionCode == "78")
            #expect(try db.cards(withPhone: "8125893369").map(\.card.cardID) == [DemoAnchors.interestedCardID])

            // The built-in bureau on the bureau anchors (and on «client», who is overdue).
            let bureau = RegistryBureau()
            func decision(_ id: Int64) throws -> BureauRules.Decision {
                let card = try db.requireCard(id)
                return try bureau.decide(db, card: card, birthDate: card.birth!, today: demoToday, nowMs: fixedNow).0
            }
            #expect(try decision(DemoAnchors.bureauRefusalCardID) == .rejected)
            #expect(try decision(DemoAnchors.bureauApprovalCardID) == .approved)
            #expect(try decision(DemoAnchors.clientCardID) == .rejected)
            let approval = try db.requireCard(DemoAnchors.bureauApprovalCardID)
            #expect(approval.type == .client && approval.passportSeries != nil && (30...60).contains(approval.birth!.age(on: demoToday)))
            let refusal = try db.requireCard(DemoAnchors.bureauRefusalCardID)
            #expect(refusal.type == .client && refusal.passportSeries != nil)

            // No random card holds an anchor's number.
            for phone in DemoAnchors.reservedPhones {
                #expect(try db.cards(withPhone: phone).allSatisfy { $0.card.cardID < DemoAnchors.firstRandomCardID })
            }
        }
    }

    @Test func everyCardTypeAndRoleIsPresentAndTheDataIsConsistent() throws {
        let store = try seeded(2_000)
        try store.writer.read { db in
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM card") == 2_006)
            let types = try Int.fetchAll(db, sql: "SELECT type FROM card GROUP BY type ORDER BY COUNT(*) DESC")
            #expect(Set(types) == Set(CardKind.allCases.map(\.rawValue)))
            #expect(types.first == CardKind.client.rawValue)
            let roles = Set(try String.fetchAll(db, sql: "SELECT DISTINCT role FROM operator"))
            #expect(roles == Set(Role.allCases.filter { $0 != .system }.map(\.rawValue)))
            // Several cards share a phone: people with cards from several sources.
            let shared = try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM (SELECT phone FROM contact WHERE kind = 1 AND struck_out = 0
                GROUP BY phone HAVING COUNT(DISTINCT card_id) > 1)
                """) ?? 0
            #expect(shared > 50)
            #expect(Set(try Int.fetchAll(db, sql: "SELECT DISTINCT kind FROM contact")) == Set(ContactKind.allCases.map(\.rawValue)))
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM contact WHERE struck_out = 1")! > 0)
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM loan WHERE debt > 0 AND overdue > 0")! > 0)
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM loan WHERE debt = 0")! > 0)
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM loan_phone WHERE ownership = 2")! > 1)
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM product WHERE is_halva = 1")! > 50)
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM card WHERE recommended_by_card_id IS NOT NULL")! > 0)
            // Contract numbers look like Z600531987509; the overdue sum never exceeds the debt.
            for contract in try String.fetchAll(db, sql: "SELECT contract_number FROM loan") {
                #expect(contract.count == 13 && contract.first == "Z" && contract.dropFirst().allSatisfy(\.isNumber))
            }
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM loan WHERE overdue > debt")! == 0)
            // Gender agreement: a patronymic in -на goes with a female name.
            let mismatched = try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM card WHERE (patronymic LIKE '%на' AND surname LIKE '%ов') OR (patronymic LIKE '%ич' AND surname LIKE '%ова')
                """)
            #expect(mismatched == 0)
            // Every reference resolves.
            #expect(try Row.fetchAll(db, sql: "PRAGMA foreign_key_check").isEmpty)
        }
    }

    @Test func contactPhonesAreValidTenDigitNumbers() throws {
        let store = try seeded(2_000, seed: 11)
        try store.writer.read { db in
            var phones = try String.fetchAll(db, sql: "SELECT phone FROM contact WHERE phone IS NOT NULL")
            phones += try String.fetchAll(db, sql: "SELECT phone FROM loan_phone")
            phones += try String.fetchAll(db, sql: "SELECT mobile FROM operator")
            #expect(phones.count > 2_000)
            for phone in phones {
                #expect(phone.count == 10 && NationalPhone(phone)?.digits == phone, "\(phone)")
            }
            #expect(try String.fetchAll(db, sql: "SELECT mobile FROM operator").allSatisfy { NationalPhone(stored: $0).isMobile })
            for email in try String.fetchAll(db, sql: "SELECT value FROM contact WHERE kind = 7") {
                #expect((try? ContactRules.normalize(email, kind: .email, field: "email")) == email, "\(email)")
            }
        }
    }

    @Test func seedingRefusesARegistryWithCards() throws {
        let store = try seeded(10)
        let options = DemoDataOptions(clients: 10, today: demoToday)
        #expect(throws: DemoDataError.registryNotEmpty(cards: 16)) { try DemoData.seed(into: store.writer, options: options) }
        #expect(try DemoData.seedIfEmpty(into: store.writer, options: options) == nil)
    }

    @Test func theFileSenderAppendsOneJSONLinePerCode() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sms-\(UUID().uuidString).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let sender = FileLoginCodeSender(path: path, nowMs: { fixedNow })
        try await sender.sendLoginCode(login: "vcc.ivanova", phone: "9161234567", code: "123456", idempotencyKey: "a")
        try await sender.sendLoginCode(login: "office.smirnova", phone: "9161234570", code: "654321", idempotencyKey: "b")
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines[0] == #"{"phone":"9161234567","login":"vcc.ivanova","text":"Код для входа в CRM: 123456","createdUnixMs":1749988800000}"#)
        let second = try JSONSerialization.jsonObject(with: Data(lines[1].utf8)) as? [String: Any]
        #expect(second?["phone"] as? String == "9161234570")
        #expect(second?["login"] as? String == "office.smirnova")
        #expect(second?["text"] as? String == "Код для входа в CRM: 654321")
        #expect((second?["createdUnixMs"] as? NSNumber)?.int64Value == fixedNow)
        #expect(JSONText.string("a\"b\\c\n") == #""a\"b\\c\n""#)
    }

    @Test func anAnchorOperatorLogsInWithTheCodeFromTheFile() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sms-\(UUID().uuidString).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let fixture = try Fixture()
        _ = try DemoData.seed(into: fixture.store.writer, options: DemoDataOptions(clients: 0, today: demoToday))
        let services: [any RegistrableRPCService] = [
            AuthService(environment: fixture.environment, signer: fixture.signer, codeSender: FileLoginCodeSender(path: path, nowMs: { fixedNow })),
        ]
        try await withTestServer(.inProcess, services: services, interceptors: fixture.interceptors) { client in
            let auth = RegistryV1.Auth.Client(wrapping: client)
            _ = try await auth.startLogin(.init(login: DemoAnchors.vcc.login))
            let line = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").last.map(String.init) ?? ""
            #expect(line.hasPrefix(#"{"phone":"9161234567","login":"vcc.ivanova","text":"Код для входа в CRM: "#))
            let code = String(line.firstMatch(of: /Код для входа в CRM: ([0-9]{6})/)!.1)
            let done = try await auth.completeLogin(.init(login: DemoAnchors.vcc.login, password: "4567" + code))
            #expect(done.operator?.fullName?.surname == "Иванова")
        }
    }
}
