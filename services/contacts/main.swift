import ArgumentParser
import Auth
import CRMAPI
import ContactOutcome
import CRMDomain
import Foundation
import Logging
import RPCCore
import RPCTransportTCP
import ServiceKit
import ServiceLifecycle
import UnixSignals

/// The contacts service: campaigns and scripts, call sessions and results, call lists,
/// the contact history.
@main
struct ContactsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "contacts")

    /// Every flag also from its `CRM_*` environment variable (`--auth-secret` ← `CRM_AUTH_SECRET`).
    static func main() async { await mainWithEnvironment() }

    @OptionGroup var operations: ServiceOptions

    @Option var host = "127.0.0.1"
    @Option var port = 7102
    @Option(help: "SQLite database file (WAL).") var database = "contacts.sqlite"
    @Option(help: "Token secret shared by every service (env CRM_AUTH_SECRET).") var authSecret: String?
    @Option(help: "Commit durability: full (fsync every save) or normal (survives a process crash only).")
    var durability = "full"
    @Option(help: "A production calendar file replacing the shipped one (`YYYY-MM-DD off|work` lines).") var productionCalendar: String?
    @Option(help: "The client registry HOST:PORT: a call session opens only on a card it has (without it, none opens).")
    var registry: String?

    @Option(help: "Benchmark data: seed N debtor contracts with a year of calls into a fresh database.") var seedBenchContracts = 0
    @Option(help: "Benchmark data: collectors the contracts are dealt to (the first is collector.volkov).") var seedBenchCollectors = 20
    @Option(help: "Seed of the benchmark data (the same seed gives the same rows).") var seedBenchSeed: UInt64 = 1
    @Flag(help: "Seed the benchmark data and exit.") var seedOnly = false

    func run() async throws {
        if case .postgres = try DatabaseLocation(parsing: database) {
            throw ValidationError("--database: the contacts runs on an SQLite file only so far; PostgreSQL serves scheduling")
        }
        if try operations.backupIfAsked(database: database) { return }
        let operationServices = try operations.bootstrap()
        let logger = Logger(label: "contacts")
        let calendar = try productionCalendar.map { try ProductionCalendar(parsing: String(contentsOfFile: $0, encoding: .utf8)) } ?? .shipped
        guard let durability = ContactsStore.Durability(rawValue: durability.uppercased()) else {
            throw ValidationError("--durability: full or normal")
        }
        PrivateFiles.warnIfShared(database: database, logger: logger)
        let store = try ContactsStore.open(path: database, durability: durability)
        if seedBenchContracts > 0 {
            let plan = BenchData.Plan(contracts: seedBenchContracts, collectors: seedBenchCollectors, seed: seedBenchSeed)
            try BenchData.seed(store.writer, plan, nowMs: Int64(Date().timeIntervalSince1970 * 1000)) { print($0) }
        }
        if seedOnly { return }
        guard let secret = authSecret ?? ProcessInfo.processInfo.environment["CRM_AUTH_SECRET"] else {
            throw ValidationError("--auth-secret or CRM_AUTH_SECRET is required")
        }
        let signer = try SessionTokenSigner(secret: secret)
        let tls = try operations.tls(logger: logger)
        let cards: any CardDirectory
        if let registry {
            let peer = try HostPort(parsing: registry, flag: "--registry")
            cards = RegistryCardDirectory(client: RPCClient(transport: TCPClientTransport(host: peer.host, port: peer.port, tls: tls)), signer: signer)
        } else {
            logger.warning("no --registry: call sessions are refused (the card cannot be checked)")
            cards = NoCardDirectory()
        }
        let environment = ContactsEnvironment(store: store, calendar: calendar, cards: cards)
        let memory = operations.idleMemoryRelease(database: store.writer, logger: logger)
        let retention = IdempotencyRetention(writer: store.writer, nowMs: { SystemClockMs.now() }, logger: logger)
        let storage = StorageWatchdog(database: database, writer: store.writer, logger: logger)
        let server = RPCServer(
            transport: operations.serverTransport(host: host, port: port, tls: tls),
            services: BuiltinServices.adding(to: ContactsServices.all(environment), readiness: { storage.isServing }),
            interceptors: (memory.map { [$0] } ?? []) + [LoggingInterceptor(logger: logger), MetricsInterceptor(), AuthInterceptor(signer: signer), storage],
            logger: logger
        )
        logger.info("contacts listening", metadata: ["host": "\(host)", "port": "\(port)", "database": "\(database)", "registry": "\(registry ?? "-")"])
        try await ServiceGroup(services: [server, retention, storage] + operationServices + (memory.map { [$0] } ?? []), gracefulShutdownSignals: [.sigterm, .sigint], logger: logger).run()
    }
}
