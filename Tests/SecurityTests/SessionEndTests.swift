import Auth
import ClientRegistry
import ContactOutcome
import CRMAPI
import Foundation
import RPCCore
import RPCTesting
import Scheduling
import Synchronization
import Testing
import Wire
import TestSupport

/// A clock the test moves: token lifetimes are minutes and hours, never slept through.
final class TestClock: Sendable {
    private let value = Atomic<Int64>(fixedNow)
    var now: Int64 { value.load(ordering: .relaxed) }
    func advance(ms: Int64) { value.add(ms, ordering: .relaxed) }
}

/// The registry (sessions in its database) and contacts and scheduling (tokens verified
/// alone, as deployed) each on its own server, over one secret and one clock.
struct SessionWorld {
    let all: AllServices
    let clock = TestClock()

    init() throws {
        all = try AllServices()
    }

    func run(_ body: (_ registry: RPCClient, _ contacts: RPCClient, _ scheduling: RPCClient) async throws -> Void) async throws {
        let now: @Sendable () -> Int64 = { [clock] in clock.now }
        let registryEnvironment = RegistryEnvironment(store: all.registry, nowMs: now)
        let outbox = DatabaseLoginCodeOutbox(writer: all.registry.writer, nowMs: now)
        let registryServices: [any RegistrableRPCService] = [
            ClientRegistryService(environment: registryEnvironment),
            AuthService(environment: registryEnvironment, signer: all.signer, codeSender: outbox),
            OperatorsService(environment: registryEnvironment),
        ]
        let schedulingEnvironment = SchedulingEnvironment(store: all.scheduling, nowMs: now)
        let stateless = AuthInterceptor(signer: all.signer, nowMs: now)
        try await withTestServer(
            .inProcess, services: registryServices,
            interceptors: [AuthInterceptor(signer: all.signer, sessions: registryEnvironment.sessions, nowMs: now)]
        ) { registry in
            try await withTestServer(
                .inProcess, services: ContactsServices.all(ContactsEnvironment(store: all.contacts, nowMs: now)), interceptors: [stateless]
            ) { contacts in
                try await withTestServer(
                    .inProcess, services: [OfficesService(environment: schedulingEnvironment), SmsService(environment: schedulingEnvironment)],
                    interceptors: [stateless]
                ) { scheduling in
                    try await body(registry, contacts, scheduling)
                }
            }
        }
    }

    /// A second registry replica over the same database: its own process state (the
    /// sessions it believes live), nothing else.
    func runReplica(_ body: (_ replica: RPCClient) async throws -> Void) async throws {
        let now: @Sendable () -> Int64 = { [clock] in clock.now }
        let environment = RegistryEnvironment(store: all.registry, nowMs: now)
        let outbox = DatabaseLoginCodeOutbox(writer: all.registry.writer, nowMs: now)
        try await withTestServer(
            .inProcess,
            services: [AuthService(environment: environment, signer: all.signer, codeSender: outbox), OperatorsService(environment: environment)],
            interceptors: [AuthInterceptor(signer: all.signer, sessions: environment.sessions, nowMs: now)]
        ) { replica in
            try await body(replica)
        }
    }

    /// Creates `login` (VCC) through the administrators' API.
    func createOperator(_ registry: RPCClient, login: String) async throws {
        _ = try await RegistryV1.Operators.Client(wrapping: registry).createOperator(
            .init(login: login, fullName: .init(surname: "Иванова", name: "Анна"), role: .vcc, mobilePhone: "9161234567"),
            metadata: all.metadata(.administrator, login: "admin", key: "create-\(login)")
        )
    }

    /// The two-stage login; the code from the registry's own outbox.
    func login(_ registry: RPCClient, _ login: String) async throws -> RegistryV1.CompleteLoginResponse {
        let auth = RegistryV1.Auth.Client(wrapping: registry)
        _ = try await auth.startLogin(.init(login: login))
        let code = try #require(try await DatabaseLoginCodeOutbox(writer: all.registry.writer).latestCode(login: login)).code
        return try await auth.completeLogin(.init(login: login, password: "4567" + code))
    }

    /// How each service answers `token`: nil if the call got past authentication (it may
    /// still be refused for its empty request), else the UNAUTHENTICATED error.
    func refusal(_ client: RPCClient, _ method: String, _ token: String) async -> RPCError? {
        var metadata = Metadata()
        metadata.bearerToken = token
        metadata.idempotencyKey = UUID().uuidString
        let error = await rpcError { _ = try await client.unary(RPCRequestParts(method: method, metadata: metadata, payload: [])) }
        return error?.code == .unauthenticated ? error : nil
    }

    static let registryMethod = "crm.registry.v1.Auth/GetSession"
    static let contactsMethod = "crm.contacts.v1.Campaigns/ListCampaigns"
    static let schedulingMethod = "crm.scheduling.v1.Sms/GetOutboxStatus"

    func refresh(_ registry: RPCClient, _ token: String) async throws -> RegistryV1.RefreshSessionResponse {
        var metadata = Metadata()
        metadata.bearerToken = token
        return try await RegistryV1.Auth.Client(wrapping: registry).refreshSession(.init(), metadata: metadata)
    }
}

@Suite struct SessionEndTests {
    @Test func afterLogoutTheRegistryRefusesAtOnceAndEveryOtherServiceWithinTheAccessLifetime() async throws {
        let world = try SessionWorld()
        try await world.run { registry, contacts, scheduling in
            try await world.createOperator(registry, login: "anna")
            let login = try await world.login(registry, "anna")
            #expect(login.expiresUnixMs == fixedNow + SessionRules.accessLifetimeMs)
            #expect(login.sessionExpiresUnixMs == fixedNow + SessionRules.sessionLifetimeMs)
            for (client, method) in [(registry, SessionWorld.registryMethod), (contacts, SessionWorld.contactsMethod), (scheduling, SessionWorld.schedulingMethod)] {
                #expect(await world.refusal(client, method, login.sessionToken) == nil, "\(method)")
            }

            // Four minutes on: renewed, a new 5-minute token of the same session.
            world.clock.advance(ms: 4 * 60_000)
            let renewed = try await world.refresh(registry, login.sessionToken)
            #expect(renewed.expiresUnixMs == world.clock.now + SessionRules.accessLifetimeMs)
            #expect(renewed.sessionExpiresUnixMs == login.sessionExpiresUnixMs)

            var metadata = Metadata()
            metadata.bearerToken = renewed.sessionToken
            _ = try await RegistryV1.Auth.Client(wrapping: registry).logout(.init(), metadata: metadata)
            let loggedOutAt = world.clock.now

            // The registry, at once, for the old and the renewed token alike; no renewal.
            let atOnce = await world.refusal(registry, SessionWorld.registryMethod, renewed.sessionToken)
            #expect(atOnce?.message == AuthError.sessionEnded.rpcError.message)
            #expect(await world.refusal(registry, SessionWorld.registryMethod, login.sessionToken) != nil)
            let refreshed = await rpcError { _ = try await world.refresh(registry, renewed.sessionToken) }
            #expect(refreshed?.code == .unauthenticated)
            // Ending it again is no error.
            _ = try await RegistryV1.Auth.Client(wrapping: registry).logout(.init(), metadata: metadata)

            // Contacts and scheduling keep no sessions: the token works there until it expires…
            world.clock.advance(ms: renewed.expiresUnixMs - world.clock.now - 1)
            #expect(await world.refusal(contacts, SessionWorld.contactsMethod, renewed.sessionToken) == nil)
            #expect(await world.refusal(scheduling, SessionWorld.schedulingMethod, renewed.sessionToken) == nil)
            // …and not a millisecond longer.
            world.clock.advance(ms: 1)
            #expect(await world.refusal(contacts, SessionWorld.contactsMethod, renewed.sessionToken) != nil)
            #expect(await world.refusal(scheduling, SessionWorld.schedulingMethod, renewed.sessionToken) != nil)
            print("sessions: after logout the registry refused at once; contacts and scheduling after \((world.clock.now - loggedOutAt) / 1000) s (the access lifetime is \(SessionRules.accessLifetimeMs / 1000) s)")
        }
    }

    @Test func anotherRegistryReplicaRefusesAnEndedSessionWithinASecond() async throws {
        let world = try SessionWorld()
        try await world.run { registry, _, _ in
            try await world.runReplica { replica in
                try await world.createOperator(registry, login: "anna")
                let login = try await world.login(registry, "anna")
                // Both replicas have seen the session live just now.
                #expect(await world.refusal(replica, SessionWorld.registryMethod, login.sessionToken) == nil)
                #expect(await world.refusal(registry, SessionWorld.registryMethod, login.sessionToken) == nil)
                var metadata = Metadata()
                metadata.bearerToken = login.sessionToken
                _ = try await RegistryV1.Auth.Client(wrapping: registry).logout(.init(), metadata: metadata)
                // The replica that ended it forgets its belief: refused at once.
                #expect(await world.refusal(registry, SessionWorld.registryMethod, login.sessionToken) != nil)
                // Its belief lasts at most RegistrySessions.recheckMs…
                world.clock.advance(ms: RegistrySessions.recheckMs - 1)
                #expect(await world.refusal(replica, SessionWorld.registryMethod, login.sessionToken) == nil)
                // …then it reads the database and refuses, as does a refresh there.
                world.clock.advance(ms: 1)
                #expect(await world.refusal(replica, SessionWorld.registryMethod, login.sessionToken)?.message == AuthError.sessionEnded.rpcError.message)
                #expect(await rpcError { _ = try await world.refresh(replica, login.sessionToken) }?.code == .unauthenticated)
            }
        }
    }

    @Test func anAdministratorEndsEverySessionOfALogin() async throws {
        let world = try SessionWorld()
        try await world.run { registry, _, _ in
            try await world.createOperator(registry, login: "anna")
            let first = try await world.login(registry, "anna")
            let second = try await world.login(registry, "anna")
            let operators = RegistryV1.Operators.Client(wrapping: registry)
            let denied = await rpcError {
                _ = try await operators.endSessions(.init(login: "anna"), metadata: world.all.metadata(.vcc, login: "someone"))
            }
            #expect(denied?.code == .permissionDenied)
            let ended = try await operators.endSessions(.init(login: "anna"), metadata: world.all.metadata(.administrator, login: "admin"))
            #expect(ended.ended == 2)
            for token in [first.sessionToken, second.sessionToken] {
                #expect(await world.refusal(registry, SessionWorld.registryMethod, token)?.message == AuthError.sessionEnded.rpcError.message)
                #expect(await rpcError { _ = try await world.refresh(registry, token) }?.code == .unauthenticated)
            }
            // A new login is a new session.
            let again = try await world.login(registry, "anna")
            #expect(await world.refusal(registry, SessionWorld.registryMethod, again.sessionToken) == nil)
        }
    }

    @Test func renewalStopsAtTheSessionsTwelveHours() async throws {
        let world = try SessionWorld()
        try await world.run { registry, _, _ in
            try await world.createOperator(registry, login: "anna")
            let login = try await world.login(registry, "anna")
            var token = login.sessionToken
            var renewals = 0
            // An operator's day: renewed every 4 minutes, the last token ends with the session.
            while world.clock.now + 4 * 60_000 < login.sessionExpiresUnixMs {
                world.clock.advance(ms: 4 * 60_000)
                let renewed = try await world.refresh(registry, token)
                #expect(renewed.expiresUnixMs <= login.sessionExpiresUnixMs)
                token = renewed.sessionToken
                renewals += 1
            }
            world.clock.advance(ms: login.sessionExpiresUnixMs - world.clock.now)
            let late = await rpcError { _ = try await world.refresh(registry, token) }
            #expect(late?.code == .unauthenticated)
            #expect(renewals == 179)
        }
    }

    @Test func aTokenMintedFromTheSecretHasNoSessionToRenewOrEnd() async throws {
        let world = try SessionWorld()
        try await world.run { registry, _, _ in
            let system = world.all.signer.sign(world.all.claims(.system, login: "loader"))
            #expect(await world.refusal(registry, SessionWorld.registryMethod, system) == nil)
            let refresh = await rpcError { _ = try await world.refresh(registry, system) }
            #expect(refresh?.code == .unauthenticated)
        }
    }
}
