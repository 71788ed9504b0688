import Foundation
import Gateway
import RPCCore
import Testing

@Suite struct SessionStoreTests {
    @Test func theSessionFileIsReadableByItsOwnerOnly() throws {
        let path = NSTemporaryDirectory() + "crm-test-\(UUID().uuidString)/session.json"
        let store = SessionStore(path: path)
        let session = Session(token: "t", login: "ivanov", fullName: "Иванов Иван", role: "VCC", expiresUnixMilliseconds: .max)
        try store.save(session)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        #expect(try store.load() == session)
        store.clear()
        #expect(try store.load() == nil)
    }

    @Test func anExpiredSessionIsRefusedWithAClearMessage() throws {
        let store = SessionStore(path: NSTemporaryDirectory() + "crm-test-\(UUID().uuidString).json")
        try store.save(Session(token: "t", login: "l", fullName: "", role: "", expiresUnixMilliseconds: 0))
        let error = try #require(throws: GatewayError.self) { try store.require() }
        #expect(error.message.contains("crm login"))
        store.clear()
    }
}

@Suite struct EndpointTests {
    @Test func flagsWinOverEnvironmentWhichWinsOverDefaults() throws {
        let endpoints = try ServiceEndpoints.resolve(
            registry: "10.0.0.1:9000", contacts: nil, scheduling: nil,
            environment: ["CRM_REGISTRY": "10.0.0.2:9000", "CRM_CONTACTS": "db:7000"]
        )
        #expect(endpoints.registry.description == "10.0.0.1:9000")
        #expect(endpoints.contacts.description == "db:7000")
        #expect(endpoints.scheduling.port == ServiceEndpoints.defaultPorts.scheduling)
    }

    @Test(arguments: ["nohost", ":80", "host:", "host:70000", "host:x"])
    func malformedAddressesAreRefused(address: String) {
        #expect(throws: GatewayError.self) {
            _ = try ServiceEndpoints.resolve(registry: address, contacts: nil, scheduling: nil, environment: [:])
        }
    }

    @Test func anUnreachableServiceIsNamedWithItsAddress() async throws {
        // Port 1 on loopback refuses connections.
        let endpoint = ServiceEndpoints.Endpoint(service: "registry", host: "127.0.0.1", port: 1)
        let error = try await #require(throws: GatewayError.self) {
            _ = try await endpoint.client().call { rpc in
                try await rpc.unary(RPCRequestParts(method: "crm.rpc.v1.Health/Check", metadata: [:], payload: []))
            }
        }
        #expect(error.code == .unavailable)
        #expect(error.message.contains("registry (127.0.0.1:1) недоступен"))
    }
}

@testable import Gateway

@Suite struct OperatorLoginTests {
    @Test func theNewestCodeForThatMobileIsRead() {
        let file = """
        {"phone":"9161234567","login":"vcc.ivanova","text":"Код для входа в CRM: 111111"}
        {"phone":"9161234570","login":"office.smirnova","text":"Код для входа в CRM: 222222"}
        {"phone":"9161234567","login":"vcc.ivanova","text":"Код для входа в CRM: 333333"}
        """
        #expect(OperatorLogin.latestCode(to: "9161234567", in: file) == "333333")
        #expect(OperatorLogin.latestCode(to: "9161234570", in: file) == "222222")
        #expect(OperatorLogin.latestCode(to: "9000000000", in: file) == nil)
    }
}
