import Auth
import CRMAPI
import Foundation
import RPCCore
import RPCTesting
import Testing
import Wire
import TestSupport

/// Every method of every service, taken from the generated catalog (a new method is covered
/// the day it is generated), refuses a caller without a genuine, unexpired token of an
/// allowed role. The exceptions are listed here by name.
@Suite("Every method refuses bad tokens and wrong roles")
struct EveryMethodAuthTests {
    /// Need no token: the two login stages, and health (for probes; it touches no database).
    /// Reflection needs one (docs/API.md): it lists the surface an attacker would probe.
    static let open: Set<String> = [
        "crm.registry.v1.Auth/StartLogin",
        "crm.registry.v1.Auth/CompleteLogin",
        "crm.rpc.v1.Health/Check",
    ]
    /// In the catalog but served by no service (the RPC benchmark's echo).
    static let notServed: Set<String> = ["crm.rpc.v1.Echo/Echo"]
    /// Any signed-in role may call these: its own session (renew, end), the outbox depth,
    /// the list of methods.
    static let anyRole: Set<String> = [
        "crm.registry.v1.Auth/GetSession",
        "crm.registry.v1.Auth/RefreshSession",
        "crm.registry.v1.Auth/Logout",
        "crm.scheduling.v1.Sms/GetOutboxStatus",
        "crm.rpc.v1.Reflection/ListMethods",
    ]

    /// A role the method never allows: operator accounts are ADMINISTRATOR-only, everything
    /// else refuses ADMINISTRATOR.
    static func wrongRole(_ method: String) -> Role {
        method.hasPrefix("crm.registry.v1.Operators/") ? .vcc : .administrator
    }

    static var guarded: [APICatalog.Entry] {
        APICatalog.methods.filter { !open.contains($0.descriptor.fullName) && !notServed.contains($0.descriptor.fullName) }
    }

    /// Bearer values that must not get in, by what is wrong with them.
    static func badTokens(_ services: AllServices) throws -> [(String, String?)] {
        let genuine = services.signer.sign(services.claims(.vcc))
        let parts = genuine.split(separator: ".", omittingEmptySubsequences: false)
        var expiredClaims = services.claims(.vcc)
        expiredClaims.expiresUnixMs = fixedNow - 1
        // The payload rewritten (a better role, a later expiry) under the old signature.
        var claims = try JSONDecoder().decode(SessionClaims.self, from: Base64URL.decode(parts[1])!)
        claims.role = .administrator
        claims.expiresUnixMs += 86_400_000
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let forgedPayload = Base64URL.encode(try encoder.encode(claims))
        var flipped = Array(parts[2])
        flipped[0] = flipped[0] == "A" ? "B" : "A"
        let otherSecret = try SessionTokenSigner(secret: "a-different-secret-0123456789abc")
        return [
            ("missing", nil),
            ("empty", ""),
            ("expired", services.signer.sign(expiredClaims)),
            ("forged payload", "v1.\(forgedPayload).\(parts[2])"),
            ("flipped signature", "v1.\(parts[1]).\(String(flipped))"),
            ("no signature", "v1.\(parts[1])."),
            ("two parts", "v1.\(parts[1])"),
            ("other version", "v2.\(parts[1]).\(parts[2])"),
            ("wrong secret", otherSecret.sign(services.claims(.vcc))),
            ("garbage", "not-a-token"),
            ("signature over nothing", "v1..\(parts[2])"),
        ]
    }

    @Test func theCatalogIsServedAndTheExceptionsExist() async throws {
        let services = try AllServices()
        let names = Set(APICatalog.methods.map(\.descriptor.fullName))
        #expect(Self.open.union(Self.notServed).isSubset(of: names), "an exception names a method that no longer exists")
        #expect(Self.anyRole.isSubset(of: names))
        #expect(Self.guarded.count >= 60, "the catalog lost methods: \(Self.guarded.count)")
        // Open methods really answer without a token (otherwise the list above is stale).
        try await services.run { client in
            for method in Self.open.sorted() where method != "crm.registry.v1.Auth/CompleteLogin" && method != "crm.registry.v1.Auth/StartLogin" {
                _ = try await client.unary(RPCRequestParts(method: method, metadata: [:], payload: []))
            }
        }
    }

    @Test func everyGuardedMethodRefusesEveryBadToken() async throws {
        let services = try AllServices()
        let tokens = try Self.badTokens(services)
        var refusals = 0
        try await services.run { client in
            for entry in Self.guarded {
                let method = entry.descriptor.fullName
                let payload = try entry.input.init().serializedBytes()
                for (what, token) in tokens {
                    let metadata = services.metadata(token: token, key: "k-\(method)")
                    let error = await rpcError { _ = try await client.unary(RPCRequestParts(method: method, metadata: metadata, payload: payload)) }
                    #expect(error?.code == .unauthenticated, "\(method) with a \(what) token: \(String(describing: error))")
                    refusals += 1
                }
                // Another scheme in the header is no bearer token at all.
                let basic: Metadata = ["authorization": "Basic dXNlcjpwYXNz"]
                let error = await rpcError { _ = try await client.unary(RPCRequestParts(method: method, metadata: basic, payload: payload)) }
                #expect(error?.code == .unauthenticated, "\(method) with Basic auth")
            }
        }
        print("security: \(Self.guarded.count) guarded methods × \(tokens.count) bad tokens = \(refusals) refusals, all UNAUTHENTICATED")
    }

    @Test func everyGuardedMethodRefusesAWrongRoleBeforeLookingAtTheRequest() async throws {
        let services = try AllServices()
        var checked = 0
        try await services.run { client in
            for entry in Self.guarded where !Self.anyRole.contains(entry.descriptor.fullName) {
                let method = entry.descriptor.fullName
                let role = Self.wrongRole(method)
                // An empty request: the role is refused before any field is looked at, so a
                // caller of the wrong role learns nothing about the data.
                let metadata = services.metadata(role, key: "k-\(method)")
                let error = await rpcError {
                    _ = try await client.unary(RPCRequestParts(method: method, metadata: metadata, payload: entry.input.init().serializedBytes()))
                }
                #expect(error?.code == .permissionDenied, "\(method) as \(role): \(String(describing: error))")
                #expect(error?.message.isEmpty == false, "\(method): the refusal names no rule")
                checked += 1
            }
        }
        print("security: \(checked) methods refuse a wrong-role token with PERMISSION_DENIED")
    }
}
