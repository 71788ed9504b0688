import ArgumentParser
import Auth
import ClientRegistry
import CRMAPI
import CRMDomain
import Foundation
import Logging
import RPCCore
import RPCTransportTCP
import ServiceKit
import ServiceLifecycle
import UnixSignals

/// The client registry: cards, edits with history, loans, operators and the login.
@main
struct RegistryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "registry")

    /// Every flag also from its `CRM_*` environment variable (`--auth-secret` ← `CRM_AUTH_SECRET`).
    static func main() async { await mainWithEnvironment() }

    @OptionGroup var operations: ServiceOptions

    @Option var host = "127.0.0.1"
    @Option var port = 7101
    @Option(help: "SQLite database file (WAL).") var database = "registry.sqlite"
    @Option(help: "Token secret shared by every service (env CRM_AUTH_SECRET).") var authSecret: String?
    @Option(help: "Scheduling service HOST:PORT for login codes; without it codes go to --sms-file or else the local outbox table.")
    var scheduling: String?
    @Option(help: "Create an ADMINISTRATOR account LOGIN:MOBILE if it does not exist.") var bootstrapAdmin: String?
    @Option(help: "On a registry with no cards, load the demo anchors and N random cards first.") var seedClients: Int?
    @Option(help: "Seed of the demo data (the same seed and day give the same data).") var demoSeed: UInt64 = 1
    @Flag(help: "Load the demo data (anchors and --seed-clients N) and exit.") var seedOnly = false
    @Option(help: "Without --scheduling: append login codes as JSON lines to this file (the development SMS phone).")
    var smsFile: String?
    @Option(help: "The contacts service HOST:PORT: bureau decisions go into the contact history (only from here).")
    var contacts: String?

    func run() async throws {
        if case .postgres = try DatabaseLocation(parsing: database) {
            throw ValidationError("--database: the registry runs on an SQLite file only so far; PostgreSQL serves scheduling")
        }
        if try operations.backupIfAsked(database: database) { return }
        let operationServices = try operations.bootstrap()
        let logger = Logger(label: "registry")
        // Refused before anything is opened or seeded: a weak secret lets anyone mint tokens.
        let secret = authSecret ?? ProcessInfo.processInfo.environment["CRM_AUTH_SECRET"]
        guard seedOnly || secret != nil else { throw ValidationError("--auth-secret or CRM_AUTH_SECRET is required") }
        let validSigner = try secret.map { try SessionTokenSigner(secret: $0) }
        PrivateFiles.warnIfShared(database: database, logger: logger)
        let store = try RegistryStore.open(path: database)
        if seedClients != nil || seedOnly {
            let today = LocalDate.of(unixMs: SystemClockMs.now(), utcOffsetMinutes: 180)
            _ = try DemoData.seedOnStart(store.writer, clients: seedClients ?? 0, seed: demoSeed, today: today) { print($0) }
            // malloc keeps what the load freed for reuse: a service that seeded itself would
            // otherwise idle with it.
            ProcessMemory.returnFreedMemory()
            if seedOnly {
                print("seed: database \(database): \(DemoData.databaseBytes(path: database) / 1_048_576) MiB")
                return
            }
        }
        guard let signer = validSigner else { return }
        let tls = try operations.tls(logger: logger)
        let environment = RegistryEnvironment(store: store)
        // Codes that expired while the registry was down go now, not at the next login.
        try await store.write { db in try db.pruneLoginState(nowMs: SystemClockMs.now()) }
        if let bootstrapAdmin {
            let parts = bootstrapAdmin.split(separator: ":").map(String.init)
            guard parts.count == 2, let mobile = NationalPhone(parts[1])?.digits else {
                throw ValidationError("--bootstrap-admin takes LOGIN:MOBILE")
            }
            try await store.ensureAdministrator(login: parts[0], mobile: mobile, nowMs: SystemClockMs.now())
        }
        let codeSender: any LoginCodeSender
        if let scheduling {
            let address = try HostPort(parsing: scheduling, flag: "--scheduling")
            let transport = TCPClientTransport(host: address.host, port: address.port, tls: tls)
            codeSender = SchedulingLoginCodeSender(client: RPCClient(transport: transport), signer: signer)
        } else if let smsFile {
            codeSender = FileLoginCodeSender(path: smsFile)
        } else {
            codeSender = DatabaseLoginCodeOutbox(writer: store.writer)
        }
        let bureauHistory = try contacts.map { address in
            let peer = try HostPort(parsing: address, flag: "--contacts")
            return ContactsBureauHistory(client: RPCClient(transport: TCPClientTransport(host: peer.host, port: peer.port, tls: tls)), signer: signer)
        }
        if bureauHistory == nil { logger.warning("no --contacts: bureau decisions are not written into the contact history") }
        let services: [any RegistrableRPCService] = [
            ClientRegistryService(environment: environment, bureauHistory: bureauHistory),
            AuthService(environment: environment, signer: signer, codeSender: codeSender),
            OperatorsService(environment: environment),
        ]
        let memory = operations.idleMemoryRelease(database: store.writer, logger: logger)
        let retention = IdempotencyRetention(writer: store.writer, nowMs: { SystemClockMs.now() }, logger: logger)
        let storage = StorageWatchdog(database: database, writer: store.writer, logger: logger)
        let server = RPCServer(
            transport: operations.serverTransport(host: host, port: port, tls: tls),
            services: BuiltinServices.adding(to: services, readiness: { storage.isServing }),
            interceptors: (memory.map { [$0] } ?? []) + [
                LoggingInterceptor(logger: logger), MetricsInterceptor(), AuthInterceptor(signer: signer, sessions: environment.sessions), storage,
            ],
            logger: logger
        )
        logger.info("registry listening", metadata: ["host": "\(host)", "port": "\(port)", "database": "\(database)", "contacts": "\(contacts ?? "-")"])
        let group = ServiceGroup(services: [server, retention, storage] + operationServices + (memory.map { [$0] } ?? []), gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        try await group.run()
    }
}
