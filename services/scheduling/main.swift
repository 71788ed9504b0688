import ArgumentParser
import Auth
import CRMAPI
import Foundation
import Logging
import RPCCore
import RPCTransportTCP
import Scheduling
import ServiceKit
import ServiceLifecycle
import UnixSignals

/// The scheduling service: offices, visit calendars and bookings, SMS templates and the
/// durable SMS outbox with its delivery worker.
@main
struct SchedulingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "scheduling")

    /// Every flag also from its `CRM_*` environment variable (`--auth-secret` ← `CRM_AUTH_SECRET`).
    static func main() async { await mainWithEnvironment() }

    @OptionGroup var operations: ServiceOptions

    @Option var host = "127.0.0.1"
    @Option var port = 7103
    @Option(help: "SQLite database file (WAL).") var database = "scheduling.sqlite"
    @Option(help: "Token secret shared by every service (env CRM_AUTH_SECRET).") var authSecret: String?
    @Option(help: "SMS provider: file (JSON lines, the development phone).") var smsProvider = "file"
    @Option(help: "The file provider's file (default: sms.jsonl next to the database).") var smsFile: String?
    @Option(help: "A production calendar file replacing the built-in one (`YYYY-MM-DD off|work` lines).") var productionCalendar: String?

    func run() async throws {
        if try operations.backupIfAsked(database: database) { return }
        let operationServices = try operations.bootstrap()
        let logger = Logger(label: "scheduling")
        guard let secret = authSecret ?? ProcessInfo.processInfo.environment["CRM_AUTH_SECRET"] else {
            throw ValidationError("--auth-secret or CRM_AUTH_SECRET is required")
        }
        guard smsProvider == "file" else { throw ValidationError("--sms-provider: only «file» is available") }
        let signer = try SessionTokenSigner(secret: secret)
        let calendar = try productionCalendar.map { try ProductionCalendar(parsing: String(contentsOfFile: $0, encoding: .utf8)) } ?? .russia
        let store = try SchedulingStore.open(path: database)
        let file = smsFile ?? URL(fileURLWithPath: database).deletingLastPathComponent().appendingPathComponent("sms.jsonl").path
        let provider = FileSmsProvider(path: file, nowMs: { SystemClockMs.now() })
        let worker = OutboxWorker(store: store, provider: provider, nowMs: { SystemClockMs.now() }, logger: Logger(label: "scheduling.outbox"))
        let environment = SchedulingEnvironment(store: store, calendar: calendar, providerName: provider.name, wakeOutbox: { worker.notify() })
        let server = RPCServer(
            transport: TCPServerTransport(TCPServerTransport.Configuration(host: host, port: port)),
            services: BuiltinServices.adding(to: [OfficesService(environment: environment), SmsService(environment: environment)]),
            interceptors: [LoggingInterceptor(logger: logger), MetricsInterceptor(), AuthInterceptor(signer: signer)],
            logger: logger
        )
        logger.info("scheduling listening", metadata: ["host": "\(host)", "port": "\(port)", "database": "\(database)", "sms": "\(smsProvider) \(file)"])
        // Dependency order: the worker outlives the server on shutdown (reverse order).
        let group = ServiceGroup(services: [worker, server] + operationServices + [OutboxMetrics(store: store, nowMs: { SystemClockMs.now() }, logger: logger)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        try await group.run()
    }
}
