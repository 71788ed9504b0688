import Auth
import CRMAPI
import RPCCore
import RPCTesting
import Synchronization
import Testing
import Wire

/// A protected method that answers with the caller's login and requires role OFFICE.
struct WhoAmI: RegistrableRPCService {
    static let descriptor = MethodDescriptor(service: "test.v1.Secure", method: "WhoAmI")

    func registerMethods(with router: inout RPCRouter) {
        router.registerHandler(
            forMethod: Self.descriptor, inputType: RPCV1.EchoMessage.protoMessageName,
            outputType: RPCV1.EchoMessage.protoMessageName,
            deserializer: WireDeserializer<RPCV1.EchoMessage>(), serializer: WireSerializer<RPCV1.EchoMessage>()
        ) { _, context in
            let claims = try context.requireRole([.office], rule: "Только сотрудники офиса")
            var message = RPCV1.EchoMessage()
            message.payload = Array(claims.login.utf8)
            return message
        }
    }
}

let now: Int64 = 1_750_000_000_000
let signer = try! SessionTokenSigner(secret: "test-secret-of-enough-length-0123456789", lifetime: .seconds(3600))

func token(_ role: Role, issuedAt: Int64 = now, with tokenSigner: SessionTokenSigner = signer) -> String {
    tokenSigner.sign(tokenSigner.claims(operatorID: 7, login: "vafinana", role: role, fullName: "Вафина Наталья Александровна", nowMs: issuedAt))
}

func call(_ client: RPCClient, token: String?) async throws -> String {
    var metadata = Metadata()
    if let token { metadata.bearerToken = token }
    let answer = try await client.unary(
        request: RPCV1.EchoMessage(), descriptor: WhoAmI.descriptor,
        serializer: WireSerializer<RPCV1.EchoMessage>(), deserializer: WireDeserializer<RPCV1.EchoMessage>(),
        metadata: metadata
    )
    return String(decoding: answer.payload, as: UTF8.self)
}

func code(of body: () async throws -> Void) async -> StatusCode? {
    do {
        try await body()
        return nil
    } catch let error as RPCError {
        return error.code
    } catch {
        return .unknown
    }
}

@Suite struct AuthInterceptorTests {
    let interceptor = AuthInterceptor(signer: signer, nowMs: { now })

    @Test func signedTokenRoundTrips() throws {
        let claims = try signer.verify(token(.collector), nowMs: now + 1000)
        #expect(claims.login == "vafinana")
        #expect(claims.role == .collector)
        #expect(claims.fullName == "Вафина Наталья Александровна")
        #expect(claims.expiresUnixMs == now + 3_600_000)
    }

    @Test func validTokenWithAllowedRolePasses() async throws {
        try await withTestServer(.inProcess, services: [WhoAmI()], interceptors: [interceptor]) { client in
            let login = try await call(client, token: token(.office))
            #expect(login == "vafinana")
        }
    }

    @Test func missingTokenIsUnauthenticated() async throws {
        try await withTestServer(.inProcess, services: [WhoAmI()], interceptors: [interceptor]) { client in
            #expect(await code { _ = try await call(client, token: nil) } == .unauthenticated)
        }
    }

    @Test func expiredTokenIsUnauthenticated() async throws {
        try await withTestServer(.inProcess, services: [WhoAmI()], interceptors: [interceptor]) { client in
            let old = token(.office, issuedAt: now - 3_600_000)
            #expect(await code { _ = try await call(client, token: old) } == .unauthenticated)
        }
    }

    @Test func tamperedTokenIsUnauthenticated() async throws {
        let genuine = token(.vcc)
        let parts = genuine.split(separator: ".").map(String.init)
        // Swap in the payload of an OFFICE token, keeping the VCC signature.
        let officePayload = token(.office).split(separator: ".")[1]
        let tampered = "\(parts[0]).\(officePayload).\(parts[2])"
        let otherSecret = try SessionTokenSigner(secret: "another-secret-entirely-0123456789")
        try await withTestServer(.inProcess, services: [WhoAmI()], interceptors: [interceptor]) { client in
            #expect(await code { _ = try await call(client, token: tampered) } == .unauthenticated)
            #expect(await code { _ = try await call(client, token: token(.office, with: otherSecret)) } == .unauthenticated)
            #expect(await code { _ = try await call(client, token: "garbage") } == .unauthenticated)
        }
    }

    @Test func wrongRoleIsPermissionDeniedNamingTheRule() async throws {
        try await withTestServer(.inProcess, services: [WhoAmI()], interceptors: [interceptor]) { client in
            do {
                _ = try await call(client, token: token(.vcc))
                Issue.record("expected PERMISSION_DENIED")
            } catch let error as RPCError {
                #expect(error.code == .permissionDenied)
                #expect(error.message == "Только сотрудники офиса")
            }
        }
    }

    @Test func healthAndLoginAreExemptReflectionIsNot() async throws {
        #expect(interceptor.isExempt("crm.rpc.v1.Health/Check"))
        #expect(!interceptor.isExempt("crm.rpc.v1.Reflection/ListMethods"))
        #expect(interceptor.isExempt("crm.registry.v1.Auth/StartLogin"))
        #expect(interceptor.isExempt("crm.registry.v1.Auth/CompleteLogin"))
        #expect(!interceptor.isExempt("crm.registry.v1.Auth/GetSession"))
        #expect(!interceptor.isExempt("crm.registry.v1.ClientRegistry/SearchByPhone"))
        try await withTestServer(.inProcess, services: [WhoAmI()], interceptors: [interceptor]) { client in
            let health = RPCV1.Health.Client(wrapping: client)
            _ = try await health.check(RPCV1.HealthCheckRequest())
            let reflection = RPCV1.Reflection.Client(wrapping: client)
            await #expect(throws: RPCError.self) { _ = try await reflection.listMethods(RPCV1.ListMethodsRequest()) }
        }
    }

    @Test func aTokenAcceptedOnceIsStillRefusedOnceExpiredOrTampered() async throws {
        // One interceptor (one cache) whose clock moves: the genuine token is verified and
        // remembered, then every variant must still fail, and the remembered one must expire.
        let clock = Mutex(now)
        let moving = AuthInterceptor(signer: signer, nowMs: { clock.withLock { $0 } })
        let genuine = token(.office)
        let parts = genuine.split(separator: ".").map(String.init)
        let otherSecret = try SessionTokenSigner(secret: "another-secret-entirely-0123456789")
        try await withTestServer(.inProcess, services: [WhoAmI()], interceptors: [moving]) { client in
            let first = try await call(client, token: genuine)
            let second = try await call(client, token: genuine)
            #expect(first == "vafinana" && second == "vafinana")
            let variants = [
                "\(parts[0]).\(token(.office, issuedAt: now + 1).split(separator: ".")[1]).\(parts[2])",
                "\(parts[0]).\(parts[1]).\(parts[2].dropLast())",
                genuine + "x",
                token(.office, with: otherSecret),
            ]
            for variant in variants {
                #expect(await code { _ = try await call(client, token: variant) } == .unauthenticated)
            }
            clock.withLock { $0 = now + 3_600_000 }
            #expect(await code { _ = try await call(client, token: genuine) } == .unauthenticated)
        }
    }

    @Test func shortSecretIsRefused() {
        #expect(throws: SessionTokenSigner.ConfigurationError.self) { try SessionTokenSigner(secret: "short") }
    }
}
