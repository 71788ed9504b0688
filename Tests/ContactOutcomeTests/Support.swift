import Auth
import CRMAPI
@testable import ContactOutcome
import CRMDomain
import Foundation
import GRDB
import RPCCore
import RPCTesting
import Synchronization
import Testing
import Wire
import TestSupport

/// A clock the tests move.
final class TestClock: Sendable {
    let value: Mutex<Int64>
    init(_ start: Int64) { value = Mutex(start) }
    var now: Int64 { value.withLock { $0 } }
    func advance(ms: Int64) { value.withLock { $0 += ms } }
}

func date(_ y: Int, _ m: Int, _ d: Int) -> LocalDate { LocalDate(year: y, month: m, day: d)! }

/// Tuesday 10 March 2026, 09:00 Moscow time.
let tuesday = date(2026, 3, 10)
let fixedNow = tuesday.unixMs(atMinute: 9 * 60, utcOffsetMinutes: 180)

/// A local date-time at an offset (Moscow by default).
func local(_ d: LocalDate, _ hour: Int? = nil, _ minute: Int = 0, offset: Int = 180) -> TypesV1.LocalDateTime {
    TypesV1.LocalDateTime(
        date: TypesV1.Date(year: Int32(d.year), month: Int32(d.month), day: Int32(d.day)),
        time: hour.map { TypesV1.TimeOfDay(hour: Int32($0), minute: Int32(minute)) }, utcOffsetMinutes: Int32(offset)
    )
}

func reached(_ result: ContactsV1.ReachedResult.Result, comment: String = "") -> ContactsV1.CallResult {
    ContactsV1.CallResult(comment: comment, firstLevel: .reached(ContactsV1.ReachedResult(result: result)))
}

let moscow = TypesV1.RegionRef(code: "77", name: "Москва", moscowOffsetHours: 0)
let primorye = TypesV1.RegionRef(code: "25", name: "Приморский край", moscowOffsetHours: 7)

let validVisit = ContactsV1.Visit(
    region: moscow, settlement: "г. Москва", officeID: "msk-mini160", officeName: "Мини-офис №160",
    at: local(tuesday.adding(days: 1), 18), bookingID: "booking-1"
)
let validAgreed = reached(.agreed(ContactsV1.AgreedResult(
    visit: validVisit, products: [ContactsV1.OfferedProduct(category: .credit, productID: "dk_bid_cardholders", productName: "ДК «БИД - Держателям КК»")]
)))

/// A contacts server over an in-memory database with a moving clock.
struct Fixture {
    let clock = TestClock(fixedNow)
    let store: ContactsStore
    let environment: ContactsEnvironment
    let tokens: TestTokens
    var signer: SessionTokenSigner { tokens.signer }

    init(store: ContactsStore? = nil) throws {
        if let store { self.store = store } else { self.store = try ContactsStore.inMemory() }
        let clock = self.clock
        environment = ContactsEnvironment(store: self.store, nowMs: { clock.now })
        tokens = try TestTokens(secret: "contacts-tests-secret-0123456789", lifetime: .seconds(10 * 365 * 86_400), nowMs: { fixedNow })
    }

    var services: [any RegistrableRPCService] { ContactsServices.all(environment) }
    var interceptors: [any ServerInterceptor] { [AuthInterceptor(signer: signer, nowMs: { fixedNow })] }

    func metadata(_ role: Role, login: String = "vafinana", key: String? = nil) -> Metadata {
        tokens.metadata(role, login: login, key: key)
    }

    struct Clients: Sendable {
        let calls: ContactsV1.Calls.Client
        let campaigns: ContactsV1.Campaigns.Client
        let lists: ContactsV1.CallLists.Client
        let history: ContactsV1.ContactHistory.Client
        let collection: ContactsV1.Collection.Client
        let incoming: ContactsV1.IncomingCalls.Client
    }

    func run<T: Sendable>(_ transport: TestTransport = .inProcess, _ body: (Clients) async throws -> T) async throws -> T {
        try await withTestServer(transport, services: services, interceptors: interceptors) { client in
            try await body(Clients(
                calls: ContactsV1.Calls.Client(wrapping: client), campaigns: ContactsV1.Campaigns.Client(wrapping: client),
                lists: ContactsV1.CallLists.Client(wrapping: client), history: ContactsV1.ContactHistory.Client(wrapping: client),
                collection: ContactsV1.Collection.Client(wrapping: client), incoming: ContactsV1.IncomingCalls.Client(wrapping: client)
            ))
        }
    }

    func count(_ table: String, where condition: String = "1") async throws -> Int {
        try await store.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table) WHERE \(condition)") ?? 0 }
    }

    /// Opens a session as `role` and returns its id.
    func open(
        _ calls: ContactsV1.Calls.Client, role: Role = .vcc, login: String = "vafinana", card: Int64 = 1001,
        campaign: String = "announcement_marking", cardType: TypesV1.CardType = .client, lease: String = ""
    ) async throws -> ContactsV1.CallSession {
        try await calls.openCallSession(
            ContactsV1.OpenCallSessionRequest(
                cardID: card, campaignID: campaign, direction: .outgoing, cardType: cardType, clientRegion: moscow, leaseID: lease
            ),
            metadata: metadata(role, login: login)
        ).session!
    }

    /// Sets a draft and saves it in one go.
    @discardableResult
    func save(
        _ calls: ContactsV1.Calls.Client, _ session: String, _ result: ContactsV1.CallResult, role: Role = .vcc,
        login: String = "vafinana", key: String = UUID().uuidString
    ) async throws -> ContactsV1.SaveCallResultResponse {
        _ = try await calls.setDraftResult(
            ContactsV1.SetDraftResultRequest(sessionID: session, result: result), metadata: metadata(role, login: login)
        )
        return try await calls.saveCallResult(
            ContactsV1.SaveCallResultRequest(sessionID: session), metadata: metadata(role, login: login, key: key)
        )
    }
}

