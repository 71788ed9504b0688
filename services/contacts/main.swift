import ArgumentParser
import Auth
import CRMAPI
import ContactOutcome
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

    func run() async throws {
        if try operations.backupIfAsked(database: database) { return }
        let operationServices = try operations.bootstrap()
        let logger = Logger(label: "contacts")
        guard let secret = authSecret ?? ProcessInfo.processInfo.environment["CRM_AUTH_SECRET"] else {
            throw ValidationError("--auth-secret or CRM_AUTH_SECRET is required")
        }
        let signer = try SessionTokenSigner(secret: secret)
        let calendar = try productionCalendar.map { try ProductionCalendar(parsing: String(contentsOfFile: $0, encoding: .utf8)) } ?? .shipped
        guard let durability = ContactsStore.Durability(rawValue: durability.uppercased()) else {
            throw ValidationError("--durability: full or normal")
        }
        let environment = ContactsEnvironment(store: try ContactsStore.open(path: database, durability: durability), calendar: calendar)
        let server = RPCServer(
            transport: TCPServerTransport(TCPServerTransport.Configuration(host: host, port: port)),
            services: BuiltinServices.adding(to: ContactsServices.all(environment)),
            interceptors: [LoggingInterceptor(logger: logger), MetricsInterceptor(), AuthInterceptor(signer: signer)],
            logger: logger
        )
        logger.info("contacts listening", metadata: ["host": "\(host)", "port": "\(port)", "database": "\(database)"])
        try await ServiceGroup(services: [server] + operationServices, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger).run()
    }
}
