import CRMAPI
import Foundation
import Gateway
import RPCCore
import Testing
import Wire

/// The data folder holds passports, debts and login codes: with the real executables, every
/// file and folder the services (and `crm up`'s supervisor) create is private to the user.
@Suite(.serialized) struct FileModeTests {
    @Test func everythingAServiceCreatesIsPrivate() async throws {
        let root = try temporaryFolder("modes")
        defer { try? FileManager.default.removeItem(at: root) }
        let data = root.appendingPathComponent("data")
        let smsFile = data.appendingPathComponent("sms.jsonl").path
        let registry = try ServiceSupervisor.Plan(
            service: "registry", endpoint: .init(service: "registry", host: "127.0.0.1", port: freePort()),
            extraArguments: ["--bootstrap-admin", "admin:9161234599", "--sms-file", smsFile]
        )
        let supervisor = ServiceSupervisor(dataDirectory: data, binDirectory: binDirectory, authSecret: sharedSecret)
        defer { supervisor.stop() }
        try await supervisor.start([registry]) { _ in }
        let auth = RegistryV1.Auth.Client(wrapping: registry.endpoint.client(timeout: .seconds(20)).rpc)
        _ = try await auth.startLogin(RegistryV1.StartLoginRequest(login: "admin"))
        let backup = try runTool("registry", ["--backup-to", data.appendingPathComponent("backup.sqlite").path], environment: [
            "CRM_DATABASE": data.appendingPathComponent("registry.sqlite").path,
        ])
        try #require(backup.status == 0, "\(backup.output)")

        let modes = try Self.modes(under: data)
        print("file modes under a fresh data folder: " + modes.map { "\($0.key) \(String($0.value, radix: 8))" }.sorted().joined(separator: ", "))
        for name in ["", "logs", "logs/registry.log", "registry.sqlite", "registry.sqlite-wal", "sms.jsonl", "backup.sqlite"] {
            #expect(modes[name] != nil, "\(name) was not created")
        }
        for (name, mode) in modes {
            #expect(mode & 0o077 == 0, "\(name) is \(String(mode, radix: 8)): others may read it")
        }
    }

    @Test func aServiceOnADatabaseOthersCanReadSaysSo() async throws {
        let folder = try temporaryFolder("shared-db")
        defer { try? FileManager.default.removeItem(at: folder) }
        let shared = folder.appendingPathComponent("shared.sqlite").path
        let seed = try ServiceProcess("contacts", database: shared)
        try await seed.start()
        await seed.terminate()
        #expect(!seed.logText().contains("database readable by other users"))
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: shared)

        let exposed = try ServiceProcess("contacts", database: shared)
        defer { exposed.stop() }
        try await exposed.start()
        await exposed.terminate()
        let warnings = exposed.logText().split(separator: "\n").filter { $0.contains("database readable by other users") }
        print("world-readable database: \(warnings.first ?? "no warning")")
        #expect(warnings.count == 1)
    }

    /// Path relative to `folder` ("" for itself) → permission bits.
    static func modes(under folder: URL) throws -> [String: UInt16] {
        var modes: [String: UInt16] = [:]
        let manager = FileManager.default
        func mode(_ path: String) throws -> UInt16 {
            (try manager.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.uint16Value ?? 0o777
        }
        modes[""] = try mode(folder.path)
        for relative in try manager.subpathsOfDirectory(atPath: folder.path) {
            modes[relative] = try mode(folder.appendingPathComponent(relative).path)
        }
        return modes
    }
}
