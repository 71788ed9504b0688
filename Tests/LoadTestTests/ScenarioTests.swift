import Auth
import Foundation
import Gateway
import LoadTest
import RPCCore
import RPCTransportTCP
import Testing

/// Every named scenario against the three real services (processes on ephemeral ports, fed
/// like `crm demo`): a scenario whose calls fail measures nothing, so each must run clean.
@Suite("Load scenarios", .serialized)
struct ScenarioTests {
    final class Services: @unchecked Sendable {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("crm-load-\(UUID().uuidString.prefix(8))")
        let secret = (0..<4).map { _ in UUID().uuidString }.joined()
        var endpoints: ServiceEndpoints!
        var supervisor: ServiceSupervisor!

        func start() async throws {
            var ports: [Int] = []
            while ports.count < 3, let port = FreePort.find() { if !ports.contains(port) { ports.append(port) } }
            endpoints = ServiceEndpoints(
                registry: .init(service: "registry", host: "127.0.0.1", port: ports[0]),
                contacts: .init(service: "contacts", host: "127.0.0.1", port: ports[1]),
                scheduling: .init(service: "scheduling", host: "127.0.0.1", port: ports[2])
            )
            supervisor = ServiceSupervisor(dataDirectory: directory, binDirectory: ServiceSupervisor.ownDirectory(), authSecret: secret)
            try await supervisor.start([
                .init(service: "scheduling", endpoint: endpoints.scheduling, extraArguments: [
                    "--sms-file", directory.appendingPathComponent("sms.jsonl").path, "--registry", "\(endpoints.registry)",
                ]),
                .init(service: "contacts", endpoint: endpoints.contacts, extraArguments: ["--durability", "normal", "--registry", "\(endpoints.registry)"]),
                .init(service: "registry", endpoint: endpoints.registry, extraArguments: [
                    "--seed-clients", "50", "--scheduling", "\(endpoints.scheduling)", "--contacts", "\(endpoints.contacts)",
                ]),
            ]) { _ in }
            let feed = try ContactsFeed(endpoints: endpoints, authSecret: secret)
            try await feed.loadPortfolio(ContactsFeed.demoPortfolio)
        }

        func stop() {
            supervisor?.stop()
            try? FileManager.default.removeItem(at: directory)
        }

        func endpoint(_ service: String) -> ServiceEndpoints.Endpoint {
            switch service {
            case "registry": endpoints.registry
            case "contacts": endpoints.contacts
            default: endpoints.scheduling
            }
        }

        func token(_ role: Role) throws -> Metadata {
            let signer = try SessionTokenSigner(secret: secret)
            var metadata = Metadata()
            metadata.bearerToken = signer.sign(signer.claims(operatorID: 0, login: "load.test", role: role, fullName: "Нагрузочный тест", nowMs: Int64(Date().timeIntervalSince1970 * 1000)))
            return metadata
        }
    }

    /// `crm-load` run as a user runs it, to its end: its exit status, standard output and error.
    static func crmLoad(_ arguments: [String]) async throws -> (status: Int32, stdout: Data, stderr: String) {
        let process = Process()
        process.executableURL = ServiceSupervisor.ownDirectory().appendingPathComponent("crm-load")
        process.arguments = arguments
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.runWithSignalsUnblocked()
        // Both pipes drained at once, so neither fills and blocks the child.
        let stderr = Task { errors.fileHandleForReading.readDataToEndOfFile() }
        let stdout = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, stdout, String(decoding: await stderr.value, as: UTF8.self))
    }

    @Test("each scenario prepares from the service's own data and runs without an error")
    func everyScenarioRunsClean() async throws {
        let services = Services()
        try await services.start()
        defer { services.stop() }
        #expect(Set(LoadScenario.all.map(\.service)) == ["registry", "contacts", "scheduling"])
        for scenario in LoadScenario.all {
            let endpoint = services.endpoint(scenario.service)
            let metadata = try services.token(scenario.role)
            let iteration = try await scenario.prepare(RPCClient(transport: TCPClientTransport(host: endpoint.host, port: endpoint.port)), metadata)
            let report = try await LoadRunner(.init(
                host: endpoint.host, port: endpoint.port, method: scenario.name, bodies: [], metadata: metadata,
                concurrency: 4, duration: nil, total: 40, iteration: iteration
            )).run()
            #expect(report.calls == 40, "\(scenario.name)")
            #expect(report.errorsByCode.isEmpty, "\(scenario.name): \(report.errorsByCode)")
        }
    }

    @Test("a scenario run with the wrong role reports PERMISSION_DENIED for every call, not success")
    func wrongRoleIsCounted() async throws {
        let services = Services()
        try await services.start()
        defer { services.stop() }
        let scenario = try #require(LoadScenario.named("contacts.work-list"))
        let endpoint = services.endpoint(scenario.service)
        let metadata = try services.token(.vcc)
        let iteration = try await scenario.prepare(RPCClient(transport: TCPClientTransport(host: endpoint.host, port: endpoint.port)), metadata)
        let report = try await LoadRunner(.init(
            host: endpoint.host, port: endpoint.port, method: scenario.name, bodies: [], metadata: metadata,
            concurrency: 2, duration: nil, total: 10, iteration: iteration, preflight: false
        )).run()
        #expect(report.errorsByCode == ["PERMISSION_DENIED": 10])
    }

    /// A wrong role used to run at 100 % errors and exit 0: the preflight stops it (exit 3,
    /// the server's status and message), and without it `--max-errors` fails the run (exit 2).
    @Test("crm-load: a wrong role stops at the preflight (exit 3); past it, errors over --max-errors exit 2")
    func wrongRoleFailsTheCommand() async throws {
        let services = Services()
        try await services.start()
        defer { services.stop() }
        let contacts = "\(services.endpoints.contacts.host):\(services.endpoints.contacts.port)"
        let common = ["run", "--target", contacts, "--scenario", "contacts.work-list", "--total", "10", "--concurrency", "2",
                      "--warmup", "0", "--format", "json", "--auth-secret", services.secret, "--role", "VCC"]
        for (extra, status, stderr) in [([String](), Int32(3), "PERMISSION_DENIED"), (["--no-preflight"], 2, "--max-errors")] {
            let run = try await Self.crmLoad(common + extra)
            #expect(run.status == status, "\(extra): \(run.stderr)")
            #expect(run.stderr.contains(stderr), "\(extra): \(run.stderr)")
        }
    }

    /// `crm-load` as a user runs it: a token minted from the secret, or a real two-stage login.
    @Test("crm-load runs a scenario with a minted token and after logging in, exit 0 and no errors")
    func commandLine() async throws {
        let services = Services()
        try await services.start()
        defer { services.stop() }
        let registry = "\(services.endpoints.registry.host):\(services.endpoints.registry.port)"
        let common = ["run", "--target", registry, "--scenario", "registry.search-by-phone", "--total", "20", "--concurrency", "2", "--warmup", "0", "--format", "json"]
        for extra in [
            ["--auth-secret", services.secret],
            ["--login", "vcc.ivanova", "--mobile", "9161234567", "--sms-file", services.directory.appendingPathComponent("sms.jsonl").path],
        ] {
            let run = try await Self.crmLoad(common + extra)
            let data = run.stdout
            #expect(run.status == 0, "\(extra.first ?? ""): \(run.stderr)")
            let report = try JSONSerialization.jsonObject(with: data) as? [String: Any]
            #expect(report?["calls"] as? Int == 20, "\(String(decoding: data, as: UTF8.self))")
            #expect((report?["errorsByCode"] as? [String: Any])?.isEmpty == true, "\(String(decoding: data, as: UTF8.self))")
        }
    }

    /// The operators' mix through the command, as a performance engineer runs it: every
    /// scenario of the operator's day on its own service with its own role, reported per
    /// method, none failing.
    @Test("crm-load mix drives all three services and reports each method, no errors")
    func mixCommand() async throws {
        let services = Services()
        try await services.start()
        defer { services.stop() }
        let run = try await Self.crmLoad([
            "mix", "--registry", "\(services.endpoint("registry"))", "--contacts", "\(services.endpoint("contacts"))",
            "--scheduling", "\(services.endpoint("scheduling"))", "--auth-secret", services.secret,
            "--total", "300", "--rps", "200", "--concurrency", "8", "--warmup", "0", "--format", "json",
        ])
        let data = run.stdout
        #expect(run.status == 0, "\(run.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(report["calls"] as? Int == 300)
        #expect(report["errors"] as? Int == 0)
        let methods = try #require(report["methods"] as? [[String: Any]])
        #expect(Set(methods.compactMap { $0["method"] as? String }) == Set(LoadMix.operatorDayWeights.map(\.0)))
        // 30 of 100 are card reads: 90 of 300.
        #expect(methods.first { $0["method"] as? String == "registry.get-card" }?["calls"] as? Int == 90)
    }

    /// Ctrl-C in an open-loop run used to trap (a negative latency for a call cut short while
    /// it waited for its due time): the report of what ran is printed and the exit is 130.
    @Test("Ctrl-C in --rps mode prints the report of what ran and exits 130")
    func interruptInOpenLoop() async throws {
        let services = Services()
        try await services.start()
        defer { services.stop() }
        let registry = "\(services.endpoints.registry.host):\(services.endpoints.registry.port)"
        let process = Process()
        process.executableURL = ServiceSupervisor.ownDirectory().appendingPathComponent("crm-load")
        process.arguments = [
            "run", "--target", registry, "--scenario", "registry.search-by-phone", "--rps", "50",
            "--duration", "60", "--concurrency", "4", "--warmup", "0", "--format", "json", "--auth-secret", services.secret,
        ]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.runWithSignalsUnblocked()
        // Past preparation and into the run, with workers asleep until their calls are due.
        try await Task.sleep(for: .seconds(3))
        kill(process.processIdentifier, SIGINT)
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 130)
        let report = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        #expect(report?["interrupted"] as? Bool == true, "\(String(decoding: data, as: UTF8.self))")
        #expect((report?["calls"] as? Int ?? 0) > 0, "\(String(decoding: data, as: UTF8.self))")
    }
}
