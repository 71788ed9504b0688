import CRMDomain
import Auth
@testable import ClientRegistry
import CRMAPI
import GRDB
import RPCCore
import Testing
import Wire

/// The login seen from several source addresses: the real service over a real (in-memory)
/// SQLite database, called with the peer address a TCP connection would give it.
struct LoginFromAddresses {
    let fixture: Fixture
    let service: AuthService

    init(clock: MutableClock) throws {
        fixture = try Fixture(now: { clock.now })
        service = AuthService(environment: fixture.environment, signer: fixture.signer, codeSender: fixture.outbox)
    }

    func start(_ login: String, from address: String) async throws -> RegistryV1.StartLoginResponse {
        try await service.startLogin(
            request: .init(login: login),
            context: ServerContext(descriptor: RegistryV1.Auth.Method.StartLogin.descriptor, peer: "\(address):40000")
        )
    }

    func complete(_ login: String, _ password: String, from address: String) async throws -> RegistryV1.CompleteLoginResponse {
        try await service.completeLogin(
            request: .init(login: login, password: password),
            context: ServerContext(descriptor: RegistryV1.Auth.Method.CompleteLogin.descriptor, peer: "\(address):40001")
        )
    }

    func code(_ login: String) async throws -> String {
        try #require(try await fixture.outbox.latestCode(login: login)).code
    }

    func failure(_ body: () async throws -> Void) async -> RuleError? {
        do {
            try await body()
            return nil
        } catch let error as RuleError {
            return error
        } catch {
            Issue.record("unexpected \(error)")
            return nil
        }
    }
}

@Suite struct LoginHardeningTests {
    static func wrong(_ code: String) -> String { "7060" + (code == "000000" ? "111111" : "000000") }

    @Test func aLoginLockedFromOneAddressStillWorksFromAnother() async throws {
        let clock = MutableClock()
        let login = try LoginFromAddresses(clock: clock)
        try await login.fixture.seedOperator(login: "op", role: .vcc)
        _ = try await login.start("op", from: "10.0.0.1")
        let code = try await login.code("op")
        for _ in 1...LoginRules.maxWrongTries {
            _ = await login.failure { _ = try await login.complete("op", Self.wrong(code), from: "203.0.113.9") }
        }
        let locked = await login.failure { _ = try await login.complete("op", "7060" + code, from: "203.0.113.9") }
        #expect(locked?.rpcError.code == .resourceExhausted)
        let lockedStart = await login.failure { _ = try await login.start("op", from: "203.0.113.9") }
        #expect(lockedStart?.rpcError.code == .resourceExhausted)
        // The operator, elsewhere, is not locked out by the attacker.
        let session = try await login.complete("op", "7060" + code, from: "10.0.0.1")
        #expect(session.operator?.login == "op")
        _ = try await login.start("op", from: "10.0.0.1")
        _ = try await login.complete("op", "7060" + (try await login.code("op")), from: "10.0.0.1")
    }

    @Test func locksFromOneAddressGrowLonger() async throws {
        let clock = MutableClock()
        let login = try LoginFromAddresses(clock: clock)
        try await login.fixture.seedOperator(login: "op", role: .vcc)
        var lockLengths: [Int64] = []
        for _ in 1...3 {
            for _ in 1...LoginRules.maxWrongTries {
                _ = await login.failure { _ = try await login.complete("op", "7060000000", from: "203.0.113.9") }
            }
            // Locked: find when it ends, minute by minute.
            let lockedAt = clock.now
            while await login.failure({ _ = try await login.start("op", from: "203.0.113.9") })?.rpcError.code == .resourceExhausted {
                clock.advance(ms: 60_000)
            }
            lockLengths.append((clock.now - lockedAt) / 60_000)
        }
        print("login lockout from one address: locks of \(lockLengths) minutes after each \(LoginRules.maxWrongTries) wrong tries")
        #expect(lockLengths == [1, 2, 4])
    }

    @Test func loginCodeSMSAreLimitedPerLoginAndPerAddress() async throws {
        let clock = MutableClock()
        let login = try LoginFromAddresses(clock: clock)
        try await login.fixture.seedOperator(login: "op", role: .vcc)
        var sent = 0
        var refused: RuleError?
        for index in 0..<30 {
            do {
                _ = try await login.start("op", from: "10.0.\(index).1")
                sent += 1
            } catch let error as RuleError {
                refused = error
                break
            }
        }
        print("login SMS: \(sent) codes for one login from 30 addresses before the limit; then \(refused.map { "\($0.rpcError.code)" } ?? "none")")
        #expect(sent == LoginRules.maxCodesPerLogin)
        #expect(refused?.rpcError.code == .resourceExhausted)
        #expect(try await login.fixture.count("login_code_outbox") == LoginRules.maxCodesPerLogin)

        // One address asking for many logins (known or not) is limited too.
        var fromOne = 0
        for index in 0..<40 {
            guard (try? await login.start("someone\(index)", from: "198.51.100.7")) != nil else { break }
            fromOne += 1
        }
        #expect(fromOne == LoginRules.maxCodesPerSource)
        // The window passes: codes go out again.
        clock.advance(ms: LoginRules.codeRequestWindowMs)
        _ = try await login.start("op", from: "10.0.0.1")
        _ = try await login.start("someone", from: "198.51.100.7")
    }

    @Test func theStoredCodeIsAKeyedHashGoneAfterUse() async throws {
        let clock = MutableClock()
        let login = try LoginFromAddresses(clock: clock)
        try await login.fixture.seedOperator(login: "op", role: .vcc)
        _ = try await login.start("op", from: "10.0.0.1")
        let code = try await login.code("op")
        let stored = try #require(try await login.fixture.store.read { db in try db.loginCode("op") })
        #expect(stored.codeHash.count == 32)
        #expect(!String(decoding: stored.codeHash, as: UTF8.self).contains(code))
        // Keyed by the secret: the same code under another secret does not match.
        let other = try SessionTokenSigner(secret: "some-other-registry-secret-0123456789")
        #expect(!other.keyedHash(purpose: "login-code").matches(Array(stored.codeHash), LoginRules.hashInput(login: "op", code: code)))
        #expect(login.service.codeHash.matches(Array(stored.codeHash), LoginRules.hashInput(login: "op", code: code)))
        _ = try await login.complete("op", "7060" + code, from: "10.0.0.1")
        #expect(try await login.fixture.count("login_code") == 0)
        #expect(try await login.fixture.count("login_code_outbox") == 0)
    }

    @Test func anExpiredCodeIsDeleted() async throws {
        let clock = MutableClock()
        let login = try LoginFromAddresses(clock: clock)
        try await login.fixture.seedOperator(login: "op", role: .vcc)
        try await login.fixture.seedOperator(login: "other", role: .vcc)
        _ = try await login.start("op", from: "10.0.0.1")
        #expect(try await login.fixture.count("login_code") == 1)
        clock.advance(ms: LoginRules.codeLifetimeMs)
        // Any later login step (here another operator's) clears what has expired.
        _ = try await login.start("other", from: "10.0.0.2")
        let left = try await login.fixture.store.read { db in try String.fetchAll(db, sql: "SELECT login FROM login_code") }
        #expect(left == ["other"])
        let outbox = try await login.fixture.store.read { db in try String.fetchAll(db, sql: "SELECT login FROM login_code_outbox") }
        #expect(outbox == ["other"])
    }

    @Test func aCodeIsSpentAfterTenWrongTriesFromAllAddresses() async throws {
        let clock = MutableClock()
        let login = try LoginFromAddresses(clock: clock)
        try await login.fixture.seedOperator(login: "op", role: .vcc)
        _ = try await login.start("op", from: "10.0.0.1")
        let code = try await login.code("op")
        for index in 0..<LoginRules.maxWrongTriesPerCode {
            _ = await login.failure { _ = try await login.complete("op", Self.wrong(code), from: "203.0.113.\(index)") }
        }
        let right = await login.failure { _ = try await login.complete("op", "7060" + code, from: "10.0.0.1") }
        #expect(right?.rpcError.code == .unauthenticated)
        #expect(try await login.fixture.count("login_code") == 0)
    }
}

