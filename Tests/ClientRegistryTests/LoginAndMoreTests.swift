import Auth
@testable import ClientRegistry
import CRMAPI
import GRDB
import RPCCore
import RPCTesting
import Synchronization
import Testing
import Wire
import TestSupport

final class MutableClock: Sendable {
    let value = Atomic<Int64>(fixedNow)
    func advance(ms: Int64) { value.add(ms, ordering: .relaxed) }
    var now: Int64 { value.load(ordering: .relaxed) }
}

@Suite struct LoginTests {
    @Test func twoStageLoginGivesAWorkingToken() async throws {
        let fixture = try Fixture()
        try await fixture.seedOperator(login: "vafinana", role: .office)
        try await fixture.run { client in
            let auth = RegistryV1.Auth.Client(wrapping: client)
            let started = try await auth.startLogin(.init(login: "vafinana"))
            #expect(started.maskedMobile == "+7 *** ***-**-60")
            #expect(started.codeExpiresUnixMs == fixedNow + 5 * 60_000)
            let sent = try #require(try await fixture.outbox.latestCode(login: "vafinana"))
            #expect(sent.phone == "9510187060")
            let done = try await auth.completeLogin(.init(login: "vafinana", password: "7060" + sent.code))
            #expect(done.operator?.role == .office)
            var metadata = Metadata()
            metadata.bearerToken = done.sessionToken
            let session = try await auth.getSession(.init(), metadata: metadata)
            #expect(session.operator?.login == "vafinana")
            // The code is single-use.
            let reused = await rpcError { _ = try await auth.completeLogin(.init(login: "vafinana", password: "7060" + sent.code)) }
            #expect(reused?.code == .unauthenticated)
        }
    }

    @Test func expiredCodeIsRefused() async throws {
        let clock = MutableClock()
        let fixture = try Fixture(now: { clock.now })
        try await fixture.seedOperator(login: "op", role: .vcc)
        try await fixture.run { client in
            let auth = RegistryV1.Auth.Client(wrapping: client)
            _ = try await auth.startLogin(.init(login: "op"))
            let code = try #require(try await fixture.outbox.latestCode(login: "op")).code
            clock.advance(ms: LoginRules.codeLifetimeMs)
            let error = await rpcError { _ = try await auth.completeLogin(.init(login: "op", password: "7060" + code)) }
            #expect(error?.code == .unauthenticated)
        }
    }

    @Test func fiveWrongTriesLockTheLogin() async throws {
        let clock = MutableClock()
        let fixture = try Fixture(now: { clock.now })
        try await fixture.seedOperator(login: "op", role: .vcc)
        try await fixture.run { client in
            let auth = RegistryV1.Auth.Client(wrapping: client)
            _ = try await auth.startLogin(.init(login: "op"))
            let code = try #require(try await fixture.outbox.latestCode(login: "op")).code
            let wrong = code == "000000" ? "111111" : "000000"
            let short = await rpcError { _ = try await auth.completeLogin(.init(login: "op", password: "123")) }
            #expect(short?.fieldViolations.first?.field == "password")
            for _ in 1...4 {
                let error = await rpcError { _ = try await auth.completeLogin(.init(login: "op", password: "7060" + wrong)) }
                #expect(error?.code == .unauthenticated)
            }
            let fifth = await rpcError { _ = try await auth.completeLogin(.init(login: "op", password: "7060" + wrong)) }
            #expect(fifth?.code == .resourceExhausted)
            // Even the right password is refused while locked, and so is a new code.
            let locked = await rpcError { _ = try await auth.completeLogin(.init(login: "op", password: "7060" + code)) }
            #expect(locked?.code == .resourceExhausted)
            let start = await rpcError { _ = try await auth.startLogin(.init(login: "op")) }
            #expect(start?.code == .resourceExhausted)
            clock.advance(ms: LoginRules.firstLockMs)
            _ = try await auth.startLogin(.init(login: "op"))
            let fresh = try #require(try await fixture.outbox.latestCode(login: "op")).code
            _ = try await auth.completeLogin(.init(login: "op", password: "7060" + fresh))
        }
    }

    @Test func unknownAndSystemLoginsAreAnsweredLikeKnownOnes() async throws {
        let fixture = try Fixture()
        try await fixture.seedOperator(login: "loader", role: .system)
        try await fixture.seedOperator(login: "op", role: .vcc)
        try await fixture.run { client in
            let auth = RegistryV1.Auth.Client(wrapping: client)
            let known = try await auth.startLogin(.init(login: "op"))
            let unknown = try await auth.startLogin(.init(login: "nobody"))
            let system = try await auth.startLogin(.init(login: "loader"))
            // The same shape, the same expiry; the decoy mobile is the same on every ask.
            #expect(unknown.codeExpiresUnixMs == known.codeExpiresUnixMs && system.codeExpiresUnixMs == known.codeExpiresUnixMs)
            #expect(unknown.maskedMobile.hasPrefix("+7 *** ***-**-") && unknown.maskedMobile.count == known.maskedMobile.count)
            #expect(try await auth.startLogin(.init(login: "nobody")).maskedMobile == unknown.maskedMobile)
            let code = try #require(try await fixture.outbox.latestCode(login: "op")).code
            let wrongCode = code == "000000" ? "111111" : "000000"
            let wrong = await rpcError { _ = try await auth.completeLogin(.init(login: "op", password: "7060" + wrongCode)) }
            let nobody = await rpcError { _ = try await auth.completeLogin(.init(login: "nobody", password: "7060" + code)) }
            let loader = await rpcError { _ = try await auth.completeLogin(.init(login: "loader", password: "7060" + code)) }
            #expect(wrong?.code == .unauthenticated)
            #expect(nobody == wrong && loader == wrong)
        }
        #expect(try await fixture.count("login_code_outbox") == 1)
    }
}

@Suite struct OperatorsTests {
    @Test func onlyAdministratorsManageAccounts() async throws {
        let fixture = try Fixture()
        try await fixture.run { client in
            let operators = RegistryV1.Operators.Client(wrapping: client)
            let request = RegistryV1.CreateOperatorRequest(
                login: "ivanov", fullName: .init(surname: "Иванов", name: "Иван"), role: .collector, mobilePhone: "8 951 018 70 60")
            let denied = await rpcError { _ = try await operators.createOperator(request, metadata: fixture.token(.vcc)) }
            #expect(denied?.code == .permissionDenied)
            let created = try await operators.createOperator(request, metadata: fixture.token(.administrator))
            #expect(created.operator?.mobilePhone == "9510187060")
            let taken = await rpcError { _ = try await operators.createOperator(request, metadata: fixture.token(.administrator)) }
            #expect(taken?.code == .alreadyExists)
            var landline = request
            landline.login = "other"
            landline.mobilePhone = "812 5893369"
            let notMobile = await rpcError { _ = try await operators.createOperator(landline, metadata: fixture.token(.administrator)) }
            #expect(notMobile?.fieldViolations.first?.field == "mobile_phone")
            let listed = try await operators.listOperators(.init(role: .collector), metadata: fixture.token(.administrator))
            #expect(listed.operators.map(\.login) == ["ivanov"])
        }
    }
}

@Suite struct TabsAndRecommendationTests {
    @Test func recommendationIsForOfficeStaffOnly() async throws {
        let fixture = try Fixture()
        let recommender = try await fixture.seedCard(.client)
        try await fixture.run { client in
            let r = registry(client)
            let request = RegistryV1.AddRecommendationRequest(
                recommenderCardID: recommender, fullName: .init(surname: "Смирнова", name: "Ольга"), regionCode: "77",
                birthDate: .init(year: 1992, month: 5, day: 1), mobilePhone: "+7 900 123-45-67", contactPhone: "")
            let denied = await rpcError { _ = try await r.addRecommendation(request, metadata: fixture.token(.vcc)) }
            #expect(denied?.code == .permissionDenied)
            #expect(denied?.message == CardRules.recommendationRule)
            let card = try #require(try await r.addRecommendation(request, metadata: fixture.token(.office)).card)
            #expect(card.type == .recommendation && card.recommendedByCardID == recommender)
            let linked = try await r.listLinkedCards(.init(cardID: recommender), metadata: fixture.token(.office))
            #expect(linked.cards.map(\.cardID) == [card.cardID])
            #expect(linked.cards.first?.phone == "9001234567")
            var noMobile = request
            noMobile.mobilePhone = ""
            let missing = await rpcError { _ = try await r.addRecommendation(noMobile, metadata: fixture.token(.office)) }
            #expect(missing?.fieldViolations.first?.field == "mobile_phone")
        }
    }

    @Test func productsAndHalvaTransactionsNewestFirst() async throws {
        let fixture = try Fixture()
        let id = try await fixture.seedCard(.client)
        try await fixture.store.write { db in
            try ProductRecord(id: "H1", cardId: id, openDate: "2024-01-10", name: "Карта рассрочки «Халва» 2.0", category: 1,
                              closeDate: "2029-01-10", creditSum: 7_500_000, balance: 1_000_000, repaidPercent: 87, isHalva: true, closed: false).insert(db)
            try ProductRecord(id: "C1", cardId: id, openDate: "2019-02-01", name: "Потребительский кредит", category: 1,
                              closeDate: "2021-02-01", creditSum: 10_000_000, balance: 0, repaidPercent: 100, isHalva: false, closed: true).insert(db)
            for i in 0..<5 {
                try HalvaTransactionRecord(id: nil, productId: "H1", cardId: id, occurredMs: fixedNow - Int64(i) * 86_400_000,
                                           operationType: "ПОКУПКА", amount: -Int64(i + 1) * 10_000, purpose: "Покупка", shopName: "Магнит").insert(db)
            }
        }
        try await fixture.run { client in
            let r = registry(client)
            let token = fixture.token(.sales)
            #expect(try await r.listCurrentProducts(.init(cardID: id), metadata: token).products.map(\.productID) == ["H1"])
            #expect(try await r.listProductHistory(.init(cardID: id), metadata: token).products.map(\.productID) == ["C1"])
            let first = try await r.listHalvaTransactions(.init(cardID: id, pageSize: 3), metadata: token)
            #expect(first.transactions.map(\.amountKopecks) == [-10_000, -20_000, -30_000])
            let second = try await r.listHalvaTransactions(.init(cardID: id, pageSize: 3, pageToken: first.nextPageToken), metadata: token)
            #expect(second.transactions.map(\.amountKopecks) == [-40_000, -50_000])
            #expect(second.nextPageToken.isEmpty)
            let notHalva = await rpcError { _ = try await r.listHalvaTransactions(.init(cardID: id, productID: "C1"), metadata: token) }
            #expect(notHalva?.code == .notFound)
        }
    }
}

@Suite struct BureauAndCollectionTests {
    func seedLoan(_ store: RegistryStore, card: Int64, number: String, debt: Int64, overdue: Int64) async throws {
        try await store.write { db in
            try LoanRecord(
                contractNumber: number, cardId: card, productName: "Заём до зарплаты", issueDate: "2025-01-10", debt: debt,
                overdue: overdue, overdueDays: overdue > 0 ? 30 : 0, overdueSince: overdue > 0 ? "2025-05-15" : nil,
                principal: 3_000_000, termDays: 180, annualRateHundredths: 3650, installment: 600_000, maturityDate: "2025-07-09",
                lastPaymentDate: nil, lastPayment: 0, nextDueDate: "2025-06-20", nextDue: 600_000, refinancingAvailable: false,
                refinancingInstallment: 0, refinancingTermDays: 0, refinancingConditions: "Нет", officeName: "ОО «Центральный»",
                officeAddress: "г. Владивосток, ул. Светланская, 1", officeHours: "пн-пт 09:00-19:00"
            ).insert(db)
        }
    }

    @Test func bureauDecidesByRulesAndReusesWithinTenDays() async throws {
        let clock = MutableClock()
        let fixture = try Fixture(now: { clock.now })
        let clean = try await fixture.seedCard(.client, passport: ("0512", "123456"))
        let debtor = try await fixture.seedCard(.client, phones: [(.mobile, "9000000002")])
        try await seedLoan(fixture.store, card: debtor, number: "Z1", debt: 500_000, overdue: 100_000)
        try await fixture.run { client in
            let r = registry(client)
            let token = fixture.token(.vcc)
            let request = RegistryV1.RequestBureauDecisionRequest(
                cardID: clean, passport: .init(series: "0512", number: "123456"), birthDate: .init(year: 1985, month: 3, day: 7))
            let first = try await r.requestBureauDecision(request, metadata: token)
            #expect(first.decision == .approved && !first.reused)
            #expect(first.validUntilUnixMs == first.decidedUnixMs + BureauRules.reuseMs)
            clock.advance(ms: 9 * 86_400_000)
            let again = try await r.requestBureauDecision(request, metadata: token)
            #expect(again.reused && again.decisionID == first.decisionID)
            clock.advance(ms: 2 * 86_400_000)
            #expect(try await r.requestBureauDecision(request, metadata: token).reused == false)

            var wrong = request
            wrong.passport = .init(series: "0512", number: "654321")
            let mismatch = await rpcError { _ = try await r.requestBureauDecision(wrong, metadata: token) }
            #expect(mismatch?.code == .failedPrecondition && mismatch?.message == BureauRules.passportMismatch)
            var shape = request
            shape.passport = .init(series: "05", number: "123456")
            let badShape = await rpcError { _ = try await r.requestBureauDecision(shape, metadata: token) }
            #expect(badShape?.code == .invalidArgument)

            let rejected = try await r.requestBureauDecision(
                .init(cardID: debtor, passport: .init(series: "1111", number: "222222"), birthDate: .init(year: 1985, month: 3, day: 7)),
                metadata: token)
            #expect(rejected.decision == .rejected && rejected.rule == BureauRules.overdueRule)
        }
    }

    @Test func identificationFindsContractsWithDebtOnly() async throws {
        let fixture = try Fixture()
        let borrower = try await fixture.seedCard(.client, phones: [(.mobile, "9372888099")])
        try await seedLoan(fixture.store, card: borrower, number: "Z-DEBT", debt: 500_000, overdue: 0)
        try await seedLoan(fixture.store, card: borrower, number: "Z-PAID", debt: 0, overdue: 0)
        try await fixture.run { client in
            let r = registry(client)
            let token = fixture.token(.collector)
            let own = try await r.identifyDebtorByPhone(.init(phone: "8 (937) 288-80-99"), metadata: token)
            #expect(own.matches.map(\.contractNumber) == ["Z-DEBT"])
            #expect(own.matches.first?.phoneOwnership == .client)
            _ = try await r.addLoanPhone(.init(contractNumber: "Z-DEBT", phone: "9001112233", ownership: .thirdParty, comment: "сестра"), metadata: token)
            _ = try await r.addLoanPhone(.init(contractNumber: "Z-PAID", phone: "9001112233", ownership: .thirdParty), metadata: token)
            let third = try await r.identifyDebtorByPhone(.init(phone: "9001112233"), metadata: token)
            #expect(third.matches.map(\.contractNumber) == ["Z-DEBT"])
            #expect(third.matches.first?.phoneOwnership == .thirdParty)
            let dup = await rpcError {
                _ = try await r.addLoanPhone(.init(contractNumber: "Z-DEBT", phone: "9001112233", ownership: .thirdParty), metadata: token)
            }
            #expect(dup?.code == .alreadyExists)
            let byName = try await r.identifyDebtorByName(.init(fullName: .init(surname: "Иванов", name: "Иван")), metadata: token)
            #expect(byName.matches.map(\.contractNumber) == ["Z-DEBT"])
            let loan = try await r.getLoan(.init(contractNumber: "Z-DEBT"), metadata: token).loan
            #expect(loan?.general?.debtKopecks == 500_000)
            #expect(loan?.phones.map(\.phone) == ["9001112233"])
            let denied = await rpcError { _ = try await r.getLoan(.init(contractNumber: "Z-DEBT"), metadata: fixture.token(.vcc)) }
            #expect(denied?.code == .permissionDenied)
        }
    }

    @Test func callListCandidates() async throws {
        let fixture = try Fixture()
        let a = try await fixture.seedCard(.internetApplicant, region: "77")
        try await fixture.seedCard(.client, region: "77")
        try await fixture.run { client in
            let r = registry(client)
            let none = await rpcError { _ = try await r.listCardsForCallList(.init(), metadata: fixture.token(.vcc)) }
            #expect(none?.code == .invalidArgument)
            let listed = try await r.listCardsForCallList(.init(types: [.internetApplicant], regionCodes: ["77"]), metadata: fixture.token(.vcc))
            #expect(listed.cards.map(\.cardID) == [a] && listed.cards.first?.hasLivePhone == true)
            let ids = try await r.listCardsForCallList(.init(cardIDs: [a, 999]), metadata: fixture.token(.vcc))
            #expect(ids.cards.map(\.cardID) == [a] && ids.unknownCardIDs == [999])
        }
    }
}

@Suite struct EndToEndTests {
    @Test func loginThenSearchOverTCP() async throws {
        let fixture = try Fixture()
        try await fixture.seedOperator(login: "vafinana", role: .vcc)
        let id = try await fixture.seedCard(.client)
        try await fixture.run(.tcp) { client in
            let auth = RegistryV1.Auth.Client(wrapping: client)
            _ = try await auth.startLogin(.init(login: "vafinana"))
            let code = try #require(try await fixture.outbox.latestCode(login: "vafinana")).code
            let session = try await auth.completeLogin(.init(login: "vafinana", password: "7060" + code))
            var metadata = Metadata()
            metadata.bearerToken = session.sessionToken
            let found = try await registry(client).searchByPhone(.init(phone: "(937) 288-80-99"), metadata: metadata)
            #expect(found.cards.map(\.cardID) == [id])
            let card = try await registry(client).getCard(.init(cardID: id), metadata: metadata).card
            #expect(card?.fullName?.surname == "Иванов")
            let anonymous = await rpcError { _ = try await registry(client).getCard(.init(cardID: id)) }
            #expect(anonymous?.code == .unauthenticated)
        }
    }
}
