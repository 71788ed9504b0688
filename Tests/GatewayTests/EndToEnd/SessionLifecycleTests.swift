import CRMAPI
import Foundation
import Gateway
import RPCCore
import Testing
import Wire

/// The operator's session against the real service processes: `crm` renews the access token
/// through the registry, and `crm logout` ends the session there.
@Suite(.serialized) struct SessionLifecycleTests {
    @Test func theGatewayRenewsTheTokenAndLogoutEndsTheSession() async throws {
        try await ServicesHarness.with { h in
            try h.crmLogin("vcc.ivanova")
            let file = h.directory.appendingPathComponent("sessions/vcc.ivanova.json").path
            let store = SessionStore(path: file)
            let saved = try #require(try store.load())
            let sessionEnd = try #require(saved.sessionExpiresUnixMilliseconds)
            #expect(sessionEnd - saved.expiresUnixMilliseconds >= 11 * 3_600_000, "a 12-hour session, a 5-minute token")

            // A keeper whose clock is 4½ minutes on renews against the registry and saves.
            let later: @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) + 270_000 }
            let keeper = SessionKeeper(session: saved, store: store, registry: h.endpoints.registry, nowMs: later)
            let renewed = try await keeper.token()
            #expect(renewed != saved.token)
            let reread = try #require(try store.load())
            #expect(reread.token == renewed && reread.sessionExpiresUnixMilliseconds == sessionEnd)
            // The command line carries on with the renewed token.
            let search = try h.crm(["search", "--phone", "9372888099"], as: "vcc.ivanova")
            #expect(search.status == 0, "\(search.stderr)")

            let logout = try h.crm(["logout"], as: "vcc.ivanova")
            #expect(logout.status == 0, "\(logout.stderr)")
            #expect(logout.stdout.contains("Сессия завершена"))
            #expect(try store.load() == nil)

            // Both tokens of the session: refused by the registry at once, and not renewable.
            for token in [saved.token, renewed] {
                var metadata = Metadata()
                metadata.bearerToken = token
                let registry = h.endpoints.registry.client(metadata: metadata)
                let refused = await gatewayError { _ = try await registry.call { try await RegistryV1.Auth.Client(wrapping: $0).getSession(.init()) } }
                #expect(refused?.code == .unauthenticated)
                let renewal = await gatewayError { _ = try await registry.call { try await RegistryV1.Auth.Client(wrapping: $0).refreshSession(.init()) } }
                #expect(renewal?.code == .unauthenticated)
            }
            // The CLI without a session says so.
            let after = try h.crm(["search", "--phone", "9372888099"], as: "vcc.ivanova")
            #expect(after.status != 0)
        }
    }

    func gatewayError(_ body: () async throws -> Void) async -> GatewayError? {
        do {
            try await body()
            return nil
        } catch let error as GatewayError {
            return error
        } catch {
            return GatewayError("\(error)")
        }
    }
}
