@testable import ClientRegistry
import CRMDomain
import Testing

@Suite struct PhoneNumberTests {
    @Test(arguments: [
        ("(937) 288-80-99", "9372888099"),
        ("+7 951-018-70-60", "9510187060"),
        ("8 937 288 80 99", "9372888099"),
        ("937,2888099", "9372888099"),
        ("812 5893369", "8125893369"),
        ("9372888099", "9372888099"),
        ("79372888099", "9372888099"),
        ("+7(937)288-80-99", "9372888099"),
        ("+7 495 123-45-67", "4951234567"),
        ("8 (3452) 12-34-56", "3452123456"),
        (" 8.937.288.80.99 ", "9372888099"),
    ])
    func normalises(typed: String, expected: String) {
        #expect(NationalPhone(typed)?.digits == expected)
    }

    @Test(arguments: [
        "", "12345", "937 288 80 9", "59372888099", "+7 937 288 80 99 1", "телефон", "+44 20 7946 0958 12",
        "0123456789", "7012345678", "+8 937 288 80 99", "937 288 80 99 доб. 1", "9372888099a", "937/288/80/99",
    ])
    func refusesWhatCannotBeARussianNumber(typed: String) {
        #expect(NationalPhone(typed)?.digits == nil)
        #expect(throws: RuleError.invalidArgument(field: "phone", NationalPhone.invalidMessage)) {
            try NationalPhone(typed, field: "phone").digits
        }
    }

    @Test func masksTheMobile() {
        #expect(NationalPhone(stored: "9510187060").masked == "+7 *** ***-**-60")
    }
}

@Suite struct CardRulesTests {
    @Test(arguments: CardKind.allCases)
    func personalDataEditableOnlyOnTheFourTypes(kind: CardKind) {
        let expected = [CardKind.internetApplicant, .interested, .recommendation, .onlineChat].contains(kind)
        #expect(CardRules.personalDataEditable(kind) == expected)
    }
}

@Suite struct BureauRulesTests {
    @Test func overdueDebtRejects() {
        let (decision, rule) = BureauRules.decide(.init(hasOverdueDebt: true, rejectedWithin90Days: false, age: 40))
        #expect(decision == .rejected)
        #expect(rule == BureauRules.overdueRule)
    }

    @Test func recentRejectionRejects() {
        let (decision, rule) = BureauRules.decide(.init(hasOverdueDebt: false, rejectedWithin90Days: true, age: 40))
        #expect(decision == .rejected)
        #expect(rule == BureauRules.recentRejectionRule)
    }

    @Test(arguments: [(17, BureauRules.Decision.rejected), (18, .approved), (75, .approved), (76, .rejected)])
    func ageBounds(age: Int, expected: BureauRules.Decision) {
        #expect(BureauRules.decide(.init(hasOverdueDebt: false, rejectedWithin90Days: false, age: age)).0 == expected)
    }

    @Test func passportShape() {
        #expect(throws: Never.self) { try BureauRules.validatePassport(series: "0512", number: "123456") }
        #expect(throws: RuleError.self) { try BureauRules.validatePassport(series: "051", number: "123456") }
        #expect(throws: RuleError.self) { try BureauRules.validatePassport(series: "0512", number: "12345a") }
    }
}

@Suite struct LoginRulesTests {
    @Test func passwordIsLastFourOfMobilePlusCode() {
        #expect(LoginRules.password(mobile: "9510187060", code: "123456") == "7060123456")
        let code: (String) -> Bool = { $0 == "123456" }
        #expect(LoginRules.check(password: "7060123456", mobile: "9510187060", codeExpiresMs: 10, nowMs: 5, hashMatches: code) == .accepted)
        #expect(LoginRules.check(password: "7060123457", mobile: "9510187060", codeExpiresMs: 10, nowMs: 5, hashMatches: code) == .rejected)
        #expect(LoginRules.check(password: "7061123456", mobile: "9510187060", codeExpiresMs: 10, nowMs: 5, hashMatches: code) == .rejected)
    }

    @Test func expiredOrMissingCodeIsRejected() {
        let code: (String) -> Bool = { $0 == "123456" }
        #expect(LoginRules.check(password: "7060123456", mobile: "9510187060", codeExpiresMs: 10, nowMs: 10, hashMatches: code) == .rejected)
        #expect(LoginRules.check(password: "7060123456", mobile: "9510187060", codeExpiresMs: nil, nowMs: 5, hashMatches: code) == .rejected)
    }

    @Test func fifthWrongTryLocksForLongerEachTime() {
        var tries = 0
        var locks = 0
        var durations: [Int64] = []
        for _ in 1...8 {
            for _ in 1...4 {
                let result = LoginRules.afterWrongTry(failedTries: tries, locks: locks, nowMs: 100)
                #expect(result.lockedUntilMs == nil)
                tries = result.failedTries
            }
            let fifth = LoginRules.afterWrongTry(failedTries: tries, locks: locks, nowMs: 100)
            durations.append(try! #require(fifth.lockedUntilMs) - 100)
            (tries, locks) = (fifth.failedTries, fifth.locks)
        }
        #expect(durations == [1, 2, 4, 8, 16, 32, 60, 60].map { Int64($0) * 60_000 })
    }

    @Test func sourceIsTheAddressWithoutThePort() {
        #expect(LoginRules.source(peer: "10.1.2.3:50123") == "10.1.2.3")
        #expect(LoginRules.source(peer: "[2001:db8:1:2:3:4:5:6]:443") == "2001:db8:1:2::/64")
        #expect(LoginRules.source(peer: "[2001:db8:1:2::9]:1") == LoginRules.source(peer: "[2001:db8:1:2:ffff::1]:2"))
        #expect(LoginRules.source(peer: "in-process") == "in-process")
    }

    @Test func codesAreSixDigits() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<50 {
            let code = LoginRules.newCode(using: &generator)
            #expect(code.count == 6 && code.allSatisfy(\.isNumber))
        }
        #expect(LoginRules.isWellFormed(password: "1234567890"))
        #expect(!LoginRules.isWellFormed(password: "123456789"))
        #expect(!LoginRules.isWellFormed(password: "12345678a0"))
    }
}

@Suite struct PagingTests {
    @Test func tokens() throws {
        #expect(try Paging.cursor("") == nil)
        #expect(try Paging.cursor(Paging.Cursor(5, 9).token) == Paging.Cursor(5, 9))
        #expect(throws: RuleError.self) { try Paging.cursor("nonsense") }
        #expect(try Paging.size(0) == 50)
        #expect(try Paging.size(10_000) == 500)
    }
}
