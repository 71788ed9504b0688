import Auth
import ClientRegistry
import ContactOutcome
import CRMAPI
import Foundation
import RPCCore
import RPCTesting
import Scheduling
import Testing
import Wire
import TestSupport

/// 2026-03-10 09:00 Moscow time (a Tuesday).
let fixedNow: Int64 = 1_773_122_400_000

/// The three services on one server, as an attacker with a network path sees them: real
/// stores (in memory), the real interceptor, one shared secret.
struct AllServices {
    static let secret = "security-tests-secret-0123456789"
    let tokens: TestTokens
    var signer: SessionTokenSigner { tokens.signer }
    let registry: RegistryStore
    let contacts: ContactsStore
    let scheduling: SQLiteSchedulingStore

    init() throws {
        tokens = try TestTokens(secret: Self.secret, fullName: "Тестов Тест Тестович", nowMs: { fixedNow })
        registry = try RegistryStore.inMemory()
        contacts = try ContactsStore.inMemory()
        scheduling = try SQLiteSchedulingStore.inMemory()
    }

    var services: [any RegistrableRPCService] {
        let now: @Sendable () -> Int64 = { fixedNow }
        let registryEnvironment = RegistryEnvironment(store: registry, nowMs: now)
        return [
            ClientRegistryService(environment: registryEnvironment),
            AuthService(environment: registryEnvironment, signer: signer, codeSender: DatabaseLoginCodeOutbox(writer: registry.writer, nowMs: now)),
            OperatorsService(environment: registryEnvironment),
        ] + ContactsServices.all(ContactsEnvironment(store: contacts, nowMs: now)) + [
            OfficesService(environment: SchedulingEnvironment(store: scheduling, nowMs: now)),
            SmsService(environment: SchedulingEnvironment(store: scheduling, nowMs: now)),
        ]
    }

    func run<T: Sendable>(_ transport: TestTransport = .inProcess, _ body: (RPCClient) async throws -> T) async throws -> T {
        try await withTestServer(
            transport, services: services, interceptors: [AuthInterceptor(signer: signer, nowMs: { fixedNow })], body: body
        )
    }

    func claims(_ role: Role, login: String = "tester") -> SessionClaims {
        tokens.claims(role, login: login)
    }

    func metadata(_ role: Role, login: String = "tester", key: String? = nil) -> Metadata {
        metadata(token: signer.sign(claims(role, login: login)), key: key)
    }

    func metadata(token: String?, key: String? = nil) -> Metadata {
        var metadata = Metadata()
        metadata.bearerToken = token
        if let key { metadata.idempotencyKey = key }
        return metadata
    }
}

enum Base64URL {
    static func encode(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ text: Substring) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64)
    }
}
