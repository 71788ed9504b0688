import Auth
import CRMAPI
import Foundation
import Gateway
import NIOCore
import NIOPosix
import RPCCore
import RPCTesting
import RPCTransportTCP
import Synchronization
import Testing
import TestSupport
import Wire

/// The secret the tests hand every service they start (the services verify tokens with it).
let sharedSecret = "process-fault-tests-secret-0123456789"
let tokens = try! TestTokens(secret: sharedSecret, operatorID: 7, fullName: "Сбоев Тест Тестович", nowMs: { SystemClockMs.now() })
let signer = tokens.signer

func metadata(_ role: Role, login: String = "faults", key: String? = nil) -> Metadata {
    tokens.metadata(role, login: login, key: key)
}

/// A service executable started as its own process (the built product beside the test
/// bundle in .build/debug), on a fixed port and database, that a test can SIGKILL and start
/// again on the same port and database.
final class ServiceProcess: @unchecked Sendable {
    let service: String
    let port: Int
    let directory: URL
    let extraArguments: [String]
    private var process: Process?
    private(set) var starts = 0

    var database: String { directory.appendingPathComponent("\(service).sqlite").path }

    init(_ service: String, extraArguments: [String] = []) throws {
        self.service = service
        self.port = try freePort()
        directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("crm-faults-\(service)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        self.extraArguments = extraArguments
    }

    /// The folder of the built executables: the test bundle sits beside them.
    static let binDirectory: URL = {
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.isExecutableFile(atPath: url.appendingPathComponent("registry").path) { return url }
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(".build/debug")
    }()

    func start() async throws {
        let binary = Self.binDirectory.appendingPathComponent(service)
        try #require(FileManager.default.isExecutableFile(atPath: binary.path), "build the services first: swift build (looked in \(binary.path))")
        let process = Process()
        process.executableURL = binary
        process.arguments = ["--host", "127.0.0.1", "--port", "\(port)", "--database", database] + extraArguments
        var environment = ProcessInfo.processInfo.environment
        environment["CRM_AUTH_SECRET"] = sharedSecret
        // A crashed test run leaves no service behind.
        environment["CRM_EXIT_WITH_PARENT"] = "1"
        process.environment = environment
        let log = directory.appendingPathComponent("\(service).log")
        if !FileManager.default.fileExists(atPath: log.path) { FileManager.default.createFile(atPath: log.path, contents: nil) }
        let handle = try FileHandle(forWritingTo: log)
        handle.seekToEndOfFile()
        process.standardOutput = handle
        process.standardError = handle
        try process.runWithSignalsUnblocked()
        self.process = process
        starts += 1
        try await waitUntilServing()
    }

    private func waitUntilServing() async throws {
        let reason = await RPCTesting.waitUntilServing(port: port) {
            process?.isRunning == true ? nil : "exited at start: \(log())"
        }
        guard let reason else { return }
        Issue.record("\(service) \(reason)")
        throw CancellationError()
    }

    /// SIGKILL: no graceful stop, no flush, no chance to finish anything.
    func kill9() {
        guard let process, process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGKILL)
    }

    /// Sends a signal; for SIGSTOP, returns once the kernel shows the process stopped.
    func signal(_ number: Int32) async throws {
        guard let process, process.isRunning else { return }
        kill(process.processIdentifier, number)
        guard number == SIGSTOP else { return }
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline {
            let stat = (try? String(contentsOfFile: "/proc/\(process.processIdentifier)/stat", encoding: .utf8)) ?? ""
            // The state is the field after the command name in parentheses.
            if let close = stat.lastIndex(of: ")"), stat[close...].dropFirst(2).first == "T" { return }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// SIGTERM and wait; then the folder goes.
    func stop() {
        if let process, process.isRunning {
            kill(process.processIdentifier, SIGCONT)
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }

    func log() -> String {
        (try? String(contentsOf: directory.appendingPathComponent("\(service).log"), encoding: .utf8)) ?? ""
    }

    func client() -> RPCClient {
        RPCClient(transport: TCPClientTransport(host: "127.0.0.1", port: port), defaultTimeout: .seconds(20))
    }

    /// A running registry whose cards include ids 1…1,200 (the demo anchors, then random
    /// cards): contacts opens call sessions only on cards the registry has.
    static func registryWithCards() async throws -> ServiceProcess {
        let registry = try ServiceProcess("registry", extraArguments: ["--seed-clients", "1200"])
        try await registry.start()
        return registry
    }
}

/// A port nobody listens on right now, below the kernel's ephemeral range (see `FreePort`).
func freePort() throws -> Int {
    guard let port = FreePort.find() else { throw POSIXError(.EADDRINUSE) }
    return port
}

/// What the writers were told: answered (acknowledged) writes by key, and the writes whose
/// outcome is unknown because the process died under them.
final class Ledger<Request: Sendable, Response: Sendable & Equatable>: Sendable {
    private struct State {
        var acknowledged: [String: (request: Request, response: Response)] = [:]
        var unknown: [String: Request] = [:]
    }
    private let state = Mutex(State())

    func acknowledge(_ key: String, _ request: Request, _ response: Response) {
        state.withLock { $0.acknowledged[key] = (request, response) }
    }

    func lost(_ key: String, _ request: Request) {
        state.withLock { $0.unknown[key] = request }
    }

    var acknowledgedCount: Int { state.withLock { $0.acknowledged.count } }
    var acknowledged: [String: (request: Request, response: Response)] { state.withLock { $0.acknowledged } }
    var unknown: [String: Request] { state.withLock { $0.unknown } }
}

/// Runs `writers` concurrent loops of `write(writer, index)` until each fails (the kill),
/// SIGKILLs the process once `killAfter` writes were acknowledged, and returns when every
/// writer has stopped.
func streamAndKill<Request: Sendable, Response: Sendable & Equatable>(
    _ service: ServiceProcess, ledger: Ledger<Request, Response>, writers: Int, killAfter: Int,
    write: @escaping @Sendable (_ writer: Int, _ index: Int) async throws -> Void
) async throws {
    try await withThrowingTaskGroup(of: Void.self) { group in
        for writer in 0..<writers {
            group.addTask {
                var index = 0
                while true {
                    do {
                        try await write(writer, index)
                    } catch {
                        return
                    }
                    index += 1
                }
            }
        }
        let deadline = ContinuousClock.now + .seconds(120)
        while ledger.acknowledgedCount < killAfter, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
        service.kill9()
        try await group.waitForAll()
    }
}

/// Every suite that starts service processes, one at a time: together they would load the
/// machine enough to upset the timing of other tests running beside them.
@Suite(.serialized) enum ProcessFaults {}
