import CRMDomain
import GRDB
import CRMAPI
import Auth
import Foundation
import RPCCore
import RPCTesting
@testable import Scheduling
import Synchronization
import Testing
import Wire
import TestSupport

/// A clock the tests move.
final class TestClock: Sendable {
    let value: Mutex<Int64>
    init(_ start: Int64) { value = Mutex(start) }
    var now: Int64 { value.withLock { $0 } }
    func set(_ ms: Int64) { value.withLock { $0 = ms } }
    func advance(ms: Int64) { value.withLock { $0 += ms } }
}

func date(_ y: Int, _ m: Int, _ d: Int) -> LocalDate { LocalDate(year: y, month: m, day: d)! }

/// Tuesday 10 March 2026, 09:00 Moscow time.
let tuesday = date(2026, 3, 10)
let fixedNow = tuesday.unixMs(atMinute: 9 * 60, utcOffsetMinutes: 180)

func wireDate(_ d: LocalDate) -> TypesV1.Date { TypesV1.Date(year: Int32(d.year), month: Int32(d.month), day: Int32(d.day)) }
func at(_ hour: Int, _ minute: Int = 0) -> TypesV1.TimeOfDay { TypesV1.TimeOfDay(hour: Int32(hour), minute: Int32(minute)) }

/// A scheduling server over an in-memory database with a fixed clock and a file SMS provider.
struct Fixture {
    let clock = TestClock(fixedNow)
    let store: any SchedulingStore
    let environment: SchedulingEnvironment
    let tokens: TestTokens
    var signer: SessionTokenSigner { tokens.signer }
    let smsFile: String
    let worker: OutboxWorker

    init(provider: (any SmsProvider)? = nil) throws {
        try self.init(store: SQLiteSchedulingStore.inMemory(), provider: provider)
    }

    /// A fixture over a fresh store of `engine`.
    init(_ engine: Engine, provider: (any SmsProvider)? = nil) async throws {
        try self.init(store: await engine.store(), provider: provider)
    }

    init(store: any SchedulingStore, provider: (any SmsProvider)? = nil) throws {
        self.store = store
        let clock = self.clock
        environment = SchedulingEnvironment(store: store, nowMs: { clock.now })
        tokens = try TestTokens(secret: "scheduling-tests-secret-0123456789", lifetime: .seconds(10 * 365 * 86_400), nowMs: { fixedNow })
        smsFile = NSTemporaryDirectory() + "sms-\(UUID().uuidString).jsonl"
        let chosen = provider ?? FileSmsProvider(path: smsFile, nowMs: { clock.now })
        worker = OutboxWorker(store: store, provider: chosen, nowMs: { clock.now })
    }

    var services: [any RegistrableRPCService] { [OfficesService(environment: environment), SmsService(environment: environment)] }
    var interceptors: [any ServerInterceptor] { [AuthInterceptor(signer: signer, nowMs: { fixedNow })] }

    func metadata(_ role: Role, login: String = "vafinana", key: String? = nil) -> Metadata {
        tokens.metadata(role, login: login, key: key)
    }

    func run<T: Sendable>(_ transport: TestTransport = .inProcess, _ body: (SchedulingV1.Offices.Client, SchedulingV1.Sms.Client) async throws -> T) async throws -> T {
        try await withTestServer(transport, services: services, interceptors: interceptors) { client in
            try await body(SchedulingV1.Offices.Client(wrapping: client), SchedulingV1.Sms.Client(wrapping: client))
        }
    }

    func count(_ table: String, where condition: String = "TRUE") async throws -> Int {
        try await countRows(store, table, where: condition)
    }

    /// The SQLite store of a fixture made over one (tests of what only SQLite has).
    var sqlite: SQLiteSchedulingStore {
        get throws { try #require(store as? SQLiteSchedulingStore) }
    }

    func smsLines() -> [String] {
        ((try? String(contentsOfFile: smsFile, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }
}

func book(
    _ offices: SchedulingV1.Offices.Client, _ fixture: Fixture, office: String = "msk-do11", on day: LocalDate = tuesday,
    at start: TypesV1.TimeOfDay = at(12), card: Int64 = 1, key: String = UUID().uuidString
) async throws -> SchedulingV1.Booking {
    try await offices.bookVisit(
        SchedulingV1.BookVisitRequest(
            officeID: office, date: wireDate(day), start: start, cardID: card,
            clientName: TypesV1.FullName(surname: "Иванов", name: "Иван", patronymic: "Иванович")
        ),
        metadata: fixture.metadata(.vcc, key: key)
    ).booking!
}
