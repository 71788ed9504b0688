import Auth
import Foundation
import Gateway
import Testing

/// Each service executable refuses at start a secret anyone could know or guess: a short one
/// and the placeholder docker-compose.yml used to substitute. Run as a deployer runs them,
/// configured by the environment only.
@Suite struct AuthSecretTests {
    static let services = ["registry", "contacts", "scheduling"]

    @Test(arguments: services)
    func shortSecretIsRefusedAtStart(service: String) async throws {
        let folder = try temporaryFolder("secret-\(service)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let secret = String(repeating: "k", count: SessionTokenSigner.minimumSecretBytes - 1)
        let (status, output) = try await runBounded(service, environment: environment(folder, service, secret: secret))
        #expect(status != 0, "\(service) started with a \(secret.utf8.count)-byte secret: \(output)")
        #expect(output.contains("is 31 bytes; at least 32 are required"), "\(output)")
    }

    @Test(arguments: services)
    func placeholderSecretIsRefusedAtStart(service: String) async throws {
        let folder = try temporaryFolder("placeholder-\(service)")
        defer { try? FileManager.default.removeItem(at: folder) }
        for secret in [SessionTokenSigner.placeholderSecret, "change-me-to-a-long-random-secret"] {
            let (status, output) = try await runBounded(service, environment: environment(folder, service, secret: secret))
            #expect(status != 0, "\(service) started with «\(secret)»: \(output)")
            #expect(output.contains("is the documented placeholder"), "\(output)")
        }
    }

    @Test func aSecretOfThirtyTwoBytesIsAccepted() throws {
        #expect(throws: Never.self) { try SessionTokenSigner.validate(secret: String(repeating: "k", count: 32)) }
        #expect(throws: SessionTokenSigner.ConfigurationError.secretTooShort(minimum: 32, actual: 31)) {
            try SessionTokenSigner.validate(secret: String(repeating: "k", count: 31))
        }
    }

    /// The service run until it exits; one still running after 15 s accepted the secret
    /// (it is stopped, and the status says so).
    private func runBounded(_ service: String, environment extra: [String: String]) async throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = binDirectory.appendingPathComponent(service)
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("CRM_") }
        environment.merge(extra) { _, new in new }
        process.environment = environment
        let log = URL(fileURLWithPath: extra["CRM_DATABASE"]! + ".log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.runWithSignalsUnblocked()
        let deadline = ContinuousClock.now + .seconds(15)
        while process.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        let stillRunning = process.isRunning
        if stillRunning {
            process.terminate()
            process.waitUntilExit()
        }
        let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        return (stillRunning ? 0 : process.terminationStatus, output)
    }

    private func environment(_ folder: URL, _ service: String, secret: String) throws -> [String: String] {
        [
            "CRM_AUTH_SECRET": secret,
            "CRM_HOST": "127.0.0.1",
            "CRM_PORT": "\(try freePort())",
            "CRM_DATABASE": folder.appendingPathComponent("\(service).sqlite").path,
            "CRM_EXIT_WITH_PARENT": "1",
        ]
    }
}
