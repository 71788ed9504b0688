import Auth
import CRMAPI
import Foundation
import Gateway
import NIOCore
import NIOPosix
import RPCCore
import RPCTesting
import RPCTransportTCP
import Testing
import TestSupport
import Wire

let sharedSecret = "operations-tests-secret-0123456789"
let tokens = try! TestTokens(secret: sharedSecret, operatorID: 7, fullName: "Опсов Тест Тестович", nowMs: { SystemClockMs.now() })
let signer = tokens.signer

func metadata(_ role: Role, key: String? = nil) -> Metadata {
    tokens.metadata(role, login: "ops", key: key)
}

/// The built service executables (the test bundle sits beside them in .build/debug).
let binDirectory: URL = {
    var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    while url.path != "/" {
        url.deleteLastPathComponent()
        if FileManager.default.isExecutableFile(atPath: url.appendingPathComponent("registry").path) { return url }
    }
    return URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(".build/debug")
}()

/// A temporary folder that goes when the test ends.
func temporaryFolder(_ name: String) throws -> URL {
    let url = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("crm-ops-\(name)-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// A service executable run as its own process, configured by `CRM_*` environment
/// variables only (as in a container), on a free port.
final class ServiceProcess: @unchecked Sendable {
    let service: String
    let port: Int
    let database: String
    let log: URL
    let process = Process()

    init(_ service: String, database: String, port chosen: Int? = nil, environment extra: [String: String] = [:]) throws {
        self.service = service
        self.database = database
        port = try chosen ?? freePort()
        log = URL(fileURLWithPath: database + ".\(self.port).log")
        let binary = binDirectory.appendingPathComponent(service)
        try #require(FileManager.default.isExecutableFile(atPath: binary.path), "build the services first: swift build (looked in \(binary.path))")
        process.executableURL = binary
        process.arguments = []
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("CRM_") }
        environment["CRM_AUTH_SECRET"] = sharedSecret
        environment["CRM_HOST"] = "127.0.0.1"
        environment["CRM_PORT"] = "\(self.port)"
        environment["CRM_DATABASE"] = database
        // A crashed test run leaves no service behind.
        environment["CRM_EXIT_WITH_PARENT"] = "1"
        environment.merge(extra) { _, new in new }
        process.environment = environment
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
    }

    func start() async throws {
        try process.runWithSignalsUnblocked()
        try await waitUntilServing(service, port: port) { process.isRunning ? nil : "\(service) exited at start: \(logText())" }
    }

    /// SIGTERM, then wait for the exit.
    func terminate() async {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
        await waitForExit()
    }

    func waitForExit() async {
        while process.isRunning { try? await Task.sleep(for: .milliseconds(20)) }
    }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }

    func logText() -> String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

    func client() -> RPCClient {
        RPCClient(transport: TCPClientTransport(host: "127.0.0.1", port: port), defaultTimeout: .seconds(20))
    }
}

/// Runs a service executable's one-shot subcommand (such as `backup`) and returns its exit
/// status and output.
func runTool(_ service: String, _ arguments: [String], environment extra: [String: String]) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = binDirectory.appendingPathComponent(service)
    process.arguments = arguments
    var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("CRM_") }
    environment.merge(extra) { _, new in new }
    process.environment = environment
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.runWithSignalsUnblocked()
    let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    return (process.terminationStatus, output)
}

/// A port nobody listens on right now, below the kernel's ephemeral range (see `FreePort`).
func freePort() throws -> Int {
    guard let port = FreePort.find() else { throw POSIXError(.EADDRINUSE) }
    return port
}

/// A card to write comments on, and the comments on it.
struct Comments {
    let client: RegistryV1.ClientRegistry.Client

    init(_ client: RPCClient) { self.client = RegistryV1.ClientRegistry.Client(wrapping: client) }

    func createCard() async throws -> Int64 {
        var request = RegistryV1.CreateCardRequest()
        request.fullName = TypesV1.FullName(surname: "Опсов", name: "Пётр", patronymic: "Ильич")
        request.regionCode = "77"
        var mobile = RegistryV1.NewContactData()
        mobile.kind = .mobilePhone
        mobile.value = "9161239999"
        request.contacts = [mobile]
        return try await client.createCard(request, metadata: metadata(.vcc, key: "card")).card!.cardID
    }

    func add(_ text: String, card: Int64) async throws {
        var request = RegistryV1.AddClientCommentRequest()
        request.cardID = card
        request.text = text
        _ = try await client.addClientComment(request, metadata: metadata(.vcc, key: text))
    }

    func all(card: Int64) async throws -> [String] {
        var texts: [String] = []
        var page = ""
        repeat {
            var list = RegistryV1.ListClientCommentsRequest()
            list.cardID = card
            list.pageSize = 500
            list.pageToken = page
            let answer = try await client.listClientComments(list, metadata: metadata(.vcc))
            texts += answer.comments.map(\.text)
            page = answer.nextPageToken
        } while !page.isEmpty
        return texts
    }
}

/// Waits (60 s at most) until the service on `port` answers its health check as serving;
/// `gone` says why to stop early (the process exited), or nil while it runs.
func waitUntilServing(_ service: String, port: Int, gone: () -> String?) async throws {
    guard let reason = await RPCTesting.waitUntilServing(port: port, gone: gone) else { return }
    Issue.record("\(service): \(reason)")
    throw CancellationError()
}
