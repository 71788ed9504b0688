import CRMAPI
import Foundation
import Gateway
import RPCCore
import Wire

/// The three real services as processes on ephemeral ports over a throw-away folder, fed
/// like `crm demo` feeds them; and the `crm` executable to drive as a subprocess.
final class ServicesHarness: @unchecked Sendable {
    let directory: URL
    let endpoints: ServiceEndpoints
    let smsFile: URL
    let supervisor: ServiceSupervisor
    let bin: URL

    static func start() async throws -> ServicesHarness {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("crm-e2e-\(UUID().uuidString.prefix(8))")
        var ports: [Int] = []
        while ports.count < 3, let port = FreePort.find() { if !ports.contains(port) { ports.append(port) } }
        let endpoints = ServiceEndpoints(
            registry: .init(service: "registry", host: "127.0.0.1", port: ports[0]),
            contacts: .init(service: "contacts", host: "127.0.0.1", port: ports[1]),
            scheduling: .init(service: "scheduling", host: "127.0.0.1", port: ports[2])
        )
        let bin = ServiceSupervisor.ownDirectory()
        let secret = (0..<4).map { _ in UUID().uuidString }.joined()
        let supervisor = ServiceSupervisor(dataDirectory: directory, binDirectory: bin, authSecret: secret)
        let smsFile = directory.appendingPathComponent("sms.jsonl")
        try await supervisor.start([
            .init(service: "scheduling", endpoint: endpoints.scheduling, extraArguments: [
                "--sms-file", smsFile.path, "--registry", "\(endpoints.registry)",
            ]),
            .init(service: "contacts", endpoint: endpoints.contacts, extraArguments: ["--durability", "normal", "--registry", "\(endpoints.registry)"]),
            .init(service: "registry", endpoint: endpoints.registry, extraArguments: [
                "--seed-clients", "20", "--scheduling", "\(endpoints.scheduling)", "--contacts", "\(endpoints.contacts)",
            ]),
        ]) { _ in }
        let feed = try ContactsFeed(endpoints: endpoints, authSecret: secret)
        try await feed.loadPortfolio(ContactsFeed.demoPortfolio)
        try await feed.loadCallLists(ContactsFeed.demoCallLists)
        return ServicesHarness(directory: directory, endpoints: endpoints, smsFile: smsFile, supervisor: supervisor, bin: bin)
    }

    private init(directory: URL, endpoints: ServiceEndpoints, smsFile: URL, supervisor: ServiceSupervisor, bin: URL) {
        self.directory = directory
        self.endpoints = endpoints
        self.smsFile = smsFile
        self.supervisor = supervisor
        self.bin = bin
    }

    func stop() {
        supervisor.stop()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Runs `body` with the services up, stopping them whatever happens.
    static func with(_ body: (ServicesHarness) async throws -> Void) async throws {
        let harness = try await start()
        defer { harness.stop() }
        try await body(harness)
    }

    static let mobiles = [
        "vcc.ivanova": "9161234567", "sales.petrov": "9161234568", "smb.sidorov": "9161234569",
        "office.smirnova": "9161234570", "collector.volkov": "9161234573",
    ]

    func login(_ login: String) async throws -> Session {
        try await OperatorLogin.login(login, mobile: Self.mobiles[login]!, registry: endpoints.registry, smsFile: smsFile)
    }

    func clients(_ session: Session) -> (registry: ServiceClient, contacts: ServiceClient, scheduling: ServiceClient) {
        var metadata = Metadata()
        metadata.bearerToken = session.token
        // 30 s, not the operator's 10: the whole suite shares two cores with these processes.
        let timeout = Duration.seconds(30)
        return (endpoints.registry.client(metadata: metadata, timeout: timeout), endpoints.contacts.client(metadata: metadata, timeout: timeout),
                endpoints.scheduling.client(metadata: metadata, timeout: timeout))
    }

    // MARK: the CLI as a subprocess

    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// `crm <arguments>` with this harness's services and a session file of `login`'s own.
    func crm(_ arguments: [String], as login: String) throws -> Run {
        let sessionFile = directory.appendingPathComponent("sessions/\(login).json").path
        let process = Process()
        process.executableURL = bin.appendingPathComponent("crm")
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["CRM_REGISTRY"] = "\(endpoints.registry)"
        environment["CRM_CONTACTS"] = "\(endpoints.contacts)"
        environment["CRM_SCHEDULING"] = "\(endpoints.scheduling)"
        environment["CRM_SESSION_FILE"] = sessionFile
        environment["COLUMNS"] = "200"
        process.environment = environment
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.runWithSignalsUnblocked()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self))
    }

    /// `crm <arguments>` at a pseudo-terminal (script(1)), with `input` typed in; stdout and
    /// stderr arrive together, as on a screen.
    func crmAtTerminal(_ arguments: [String], as login: String, input: String) throws -> Run {
        let command = ([bin.appendingPathComponent("crm").path] + arguments).map { "'\($0)'" }.joined(separator: " ")
        let process = Process()
        // A prompt the input does not answer would wait forever: 30 s is the limit.
        process.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
        process.arguments = ["30", "/usr/bin/script", "-qec", command, "/dev/null"]
        var environment = ProcessInfo.processInfo.environment
        environment["CRM_REGISTRY"] = "\(endpoints.registry)"
        environment["CRM_CONTACTS"] = "\(endpoints.contacts)"
        environment["CRM_SCHEDULING"] = "\(endpoints.scheduling)"
        environment["CRM_SESSION_FILE"] = directory.appendingPathComponent("sessions/\(login).json").path
        environment["COLUMNS"] = "200"
        process.environment = environment
        let out = Pipe(), stdin = Pipe()
        process.standardOutput = out
        process.standardError = out
        process.standardInput = stdin
        try process.runWithSignalsUnblocked()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try? stdin.fileHandleForWriting.close()
        let output = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, stdout: String(decoding: output, as: UTF8.self), stderr: "")
    }

    /// Logs `login` in through the CLI (the code from the development SMS file).
    func crmLogin(_ login: String) throws {
        let run = try crm(["login", "--login", login, "--mobile", Self.mobiles[login]!, "--sms-file", smsFile.path], as: login)
        guard run.status == 0 else { throw GatewayError("login \(login): \(run.stderr)") }
    }
}
