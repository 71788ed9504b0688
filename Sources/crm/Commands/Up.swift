import ArgumentParser
import Foundation
import Gateway
import UnixSignals

struct Up: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Запустить сервисы отдельными процессами на 127.0.0.1 с базами SQLite в папке данных; Ctrl-C — остановить."
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "Папка данных: базы SQLite и журналы сервисов.")
    var data: String = "data"

    @Option(help: "Какие сервисы запустить, через запятую.")
    var services: String = "scheduling,contacts,registry"

    @Option(help: "Сколько демонстрационных клиентов загрузить в пустой registry.")
    var seedClients: Int = 2000

    @Option(help: "Сколько секунд ждать, пока запущенный сервис станет готов.")
    var readyTimeout: Int = 60

    func validate() throws {
        guard (1...3600).contains(readyTimeout) else { throw ValidationError("--ready-timeout: от 1 до 3600 секунд") }
    }

    func run() async throws {
        let directory = URL(fileURLWithPath: data, isDirectory: true)
        let secret = try AuthSecret.load(in: directory)
        let supervisor = ServiceSupervisor(
            dataDirectory: directory,
            binDirectory: ServiceSupervisor.ownDirectory(),
            authSecret: secret
        )
        supervisor.readyTimeout = .seconds(readyTimeout)
        let freshContacts = !FileManager.default.fileExists(atPath: directory.appendingPathComponent("contacts.sqlite").path)
        let plans = try servicePlans(
            global.endpoints(), names: services, seedClients: seedClients,
            smsFile: directory.appendingPathComponent("sms.jsonl").path
        )
        // With --json stdout carries one JSON line per state (running, stopped); progress goes to stderr.
        let json = global.json
        let say: @Sendable (String) -> Void = { json ? FileHandle.standardError.write(Data(($0 + "\n").utf8)) : print($0) }
        try await supervisor.start(plans) { say($0) }
        let names = Set(plans.map(\.service))
        if freshContacts, names.isSuperset(of: ["registry", "contacts"]) {
            do {
                let feed = try ContactsFeed(endpoints: global.endpoints(), authSecret: secret)
                let contracts = try await feed.loadPortfolio(ContactsFeed.demoPortfolio)
                let listed = try await feed.loadCallLists(ContactsFeed.demoCallLists)
                say("contacts: загружено договоров в портфель: \(contracts), клиентов в списки обзвона: \(listed)")
            } catch {
                supervisor.stop()
                throw error
            }
        }
        // Trapped before «running» is announced: a stop asked right after it is not lost.
        let signals = await UnixSignalsSequence(trapping: .sigint, .sigterm)
        // A child that dies is said at once and started again; with --json, as a JSON line.
        supervisor.supervise { event in
            if json {
                try? Console.printJSONLine(UpEvent(event))
                fflush(nil)
            } else {
                print(event.text)
                fflush(nil)
            }
        }
        if json {
            try Console.printJSONLine(UpState(state: "running", dataDirectory: directory.path, services: Dictionary(uniqueKeysWithValues: plans.map { ($0.service, "\($0.endpoint)") })))
        } else {
            print("Сервисы работают. Ctrl-C — остановить.")
        }
        fflush(nil)
        for await _ in signals { break }
        say("Останавливаю сервисы…")
        supervisor.stop()
        if json {
            try Console.printJSONLine(UpState(state: "stopped", dataDirectory: directory.path, services: [:]))
        } else {
            print("Сервисы остановлены")
        }
        fflush(nil)
    }
}

/// `crm up --json`: one line when the services answer, one when they are stopped.
struct UpState: Encodable {
    var state: String
    var dataDirectory: String
    /// Service name → address.
    var services: [String: String]
}

/// `crm up --json`: a child's end and its restart, one line each.
struct UpEvent: Encodable {
    var state: String
    var service: String
    var pid: Int32
    var exitStatus: Int32?
    var signal: Int32?
    var restartInSeconds: Int?
    var message: String

    init(_ event: ServiceSupervisor.Event) {
        message = event.text
        switch event {
        case .exited(let service, let pid, let status, let signalled, let delay):
            state = "exited"
            self.service = service
            self.pid = pid
            if signalled { signal = status } else { exitStatus = status }
            restartInSeconds = Int(delay.components.seconds)
        case .restarted(let service, let pid):
            state = "restarted"
            self.service = service
            self.pid = pid
        case .restartFailed(let service, _):
            state = "restartFailed"
            self.service = service
            pid = 0
        }
    }
}

/// What to start for each named service, with its own flags.
/// Login codes go through the scheduling service's SMS outbox when it runs, else to the
/// development SMS file. Contacts and scheduling always know the registry's address (they
/// check cards and debtors there, and refuse while it is down); the registry writes bureau
/// decisions into contacts when it runs.
func servicePlans(_ endpoints: ServiceEndpoints, names: String, seedClients: Int, smsFile: String) throws -> [ServiceSupervisor.Plan] {
    let names = names.split(separator: ",").map(String.init)
    return try names.map { name in
        switch name {
        case "registry":
            let codes = names.contains("scheduling")
                ? ["--scheduling", "\(endpoints.scheduling)"]
                : ["--sms-file", smsFile]
            let history = names.contains("contacts") ? ["--contacts", "\(endpoints.contacts)"] : []
            return ServiceSupervisor.Plan(
                service: "registry", endpoint: endpoints.registry,
                extraArguments: ["--seed-clients", "\(seedClients)"] + codes + history
            )
        case "contacts":
            return ServiceSupervisor.Plan(service: "contacts", endpoint: endpoints.contacts, extraArguments: ["--registry", "\(endpoints.registry)"])
        case "scheduling":
            // SMS states go to the contact history (tab 3) when contacts runs too.
            let history = names.contains("contacts") ? ["--contacts", "\(endpoints.contacts)"] : []
            return ServiceSupervisor.Plan(
                service: "scheduling", endpoint: endpoints.scheduling,
                extraArguments: ["--sms-file", smsFile, "--registry", "\(endpoints.registry)"] + history
            )
        default:
            throw ValidationError("Нет сервиса «\(name)»: registry, contacts, scheduling")
        }
    }
}

/// The secret the services sign session tokens with: `$CRM_AUTH_SECRET`, else a random one
/// kept in the data folder (0600) so restarts keep sessions valid.
enum AuthSecret {
    static func load(in directory: URL) throws -> String {
        if let secret = ProcessInfo.processInfo.environment["CRM_AUTH_SECRET"], !secret.isEmpty {
            // Said here, once, rather than by each of the three services as it dies.
            try ServiceSupervisor.check(secret: secret)
            return secret
        }
        let file = directory.appendingPathComponent("auth-secret")
        if let data = FileManager.default.contents(atPath: file.path), let secret = String(data: data, encoding: .utf8), !secret.isEmpty {
            return secret.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        var generator = SystemRandomNumberGenerator()
        let secret = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
        _ = FileManager.default.createFile(atPath: file.path, contents: Data(secret.utf8), attributes: [.posixPermissions: 0o600])
        return secret
    }
}
