import Auth
@testable import ClientRegistry
import CRMAPI
import CRMDomain
import GRDB
import RPCCore
import RPCTesting
import Testing
import Wire
import TestSupport

/// 2025-06-15 12:00 UTC.
let fixedNow: Int64 = 1_749_988_800_000

/// A registry over an in-memory database with a fixed clock, a few operators and cards.
struct Fixture {
    let store: RegistryStore
    let environment: RegistryEnvironment
    let tokens: TestTokens
    var signer: SessionTokenSigner { tokens.signer }
    let outbox: DatabaseLoginCodeOutbox

    init(now: @escaping @Sendable () -> Int64 = { fixedNow }) throws {
        store = try RegistryStore.inMemory()
        environment = RegistryEnvironment(store: store, nowMs: now)
        tokens = try TestTokens(secret: "registry-tests-secret-0123456789", lifetime: .seconds(365 * 86_400), fullName: "Тестов Тест", nowMs: { fixedNow })
        outbox = DatabaseLoginCodeOutbox(writer: store.writer, nowMs: now)
    }

    var services: [any RegistrableRPCService] {
        [
            ClientRegistryService(environment: environment),
            AuthService(environment: environment, signer: signer, codeSender: outbox),
            OperatorsService(environment: environment),
        ]
    }

    var interceptors: [any ServerInterceptor] { [AuthInterceptor(signer: signer, sessions: environment.sessions, nowMs: environment.nowMs)] }

    func token(_ role: Role, login: String = "tester") -> Metadata {
        tokens.metadata(role, login: login)
    }

    func run<T: Sendable>(_ transport: TestTransport = .inProcess, _ body: (RPCClient) async throws -> T) async throws -> T {
        try await withTestServer(transport, services: services, interceptors: interceptors, body: body)
    }

    /// Inserts a card directly (as the loaders of other systems would).
    @discardableResult
    func seedCard(
        _ kind: CardKind, surname: String = "Иванов", name: String = "Иван", patronymic: String = "Иванович",
        birth: LocalDate? = LocalDate(year: 1985, month: 3, day: 7), region: String = "25",
        passport: (String, String)? = nil, phones: [(ContactKind, String)] = [(.mobile, "9372888099")],
        recommendedBy: Int64? = nil
    ) async throws -> Int64 {
        let card = CardRecord(
            type: kind, surname: surname, name: name, patronymic: patronymic, birthDate: birth, regionCode: region,
            settlement: "Владивосток", passportSeries: passport?.0, passportNumber: passport?.1,
            scriptNames: ["РЦГ_ХАЛВА_АКТИВАЦИЯ"], recommendedByCardId: recommendedBy, createdMs: fixedNow - 86_400_000
        )
        let contacts = phones.map { (kind: $0.0, value: $0.1) }
        return try await store.write { db in
            try db.insertCard(NewCard(card: card, contacts: contacts), by: Actor(login: "loader", fullName: "Загрузка данных"), nowMs: fixedNow - 86_400_000)
        }
    }

    func seedOperator(login: String, role: Role, mobile: String = "9510187060") async throws {
        try await store.write { db in
            try OperatorRecord(
                id: nil, login: login, surname: "Вафина", name: "Наталья", patronymic: "Александровна",
                role: role.rawValue, mobile: mobile, createdMs: fixedNow
            ).insert(db)
        }
    }

    func count(_ table: String) async throws -> Int {
        try await store.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table)") ?? 0 }
    }
}

func registry(_ client: RPCClient) -> RegistryV1.ClientRegistry.Client { RegistryV1.ClientRegistry.Client(wrapping: client) }
