import ArgumentParser
import Auth
import CRMAPI
import CRMDomain
import Foundation
import HTTPEndpoint
import Logging
import RPCCore
import RPCTransportTCP
import Scheduling
import ServiceKit
import ServiceLifecycle
import UnixSignals

/// The scheduling service: offices, visit calendars and bookings, SMS templates and the
/// durable SMS outbox with its delivery worker, Kannel's delivery reports, and the reports
/// of SMS states to the contacts service.
@main
struct SchedulingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "scheduling")

    /// Every flag also from its `CRM_*` environment variable (`--auth-secret` ← `CRM_AUTH_SECRET`).
    static func main() async { await mainWithEnvironment() }

    @OptionGroup var operations: ServiceOptions

    @Option var host = "127.0.0.1"
    @Option var port = 7103
    @Option(help: "SQLite database file (WAL), or postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE for several replicas over PostgreSQL.")
    var database = "scheduling.sqlite"
    @Option(help: "Token secret shared by every service (env CRM_AUTH_SECRET).") var authSecret: String?
    @Option(help: "SMS provider: file (JSON lines, the development phone) or kannel.") var smsProvider = "file"
    @Option(help: "The file provider's file (default: sms.jsonl next to the database).") var smsFile: String?
    @Option(help: "Kannel's sendsms URL (or env CRM_KANNEL_URL), e.g. http://kannel:13013/cgi-bin/sendsms.") var kannelUrl: String?
    @Option(help: "Kannel's sendsms-user (or env CRM_KANNEL_USER).") var kannelUser: String?
    @Option(help: "Kannel's sendsms password (or env CRM_KANNEL_PASSWORD).") var kannelPassword: String?
    @Option(help: "The sender name Kannel puts in `from` (optional).") var kannelFrom: String?
    @Option(help: "Where the delivery-report listener binds, HOST:PORT (kannel only).") var dlrListen = "127.0.0.1:7190"
    @Option(help: "The URL Kannel calls with delivery reports (default: http://<dlr-listen>/dlr).") var dlrPublicUrl: String?
    @Option(help: "The contacts service, HOST:PORT: SMS states go to the contact history.") var contacts: String?
    @Option(help: "The client registry HOST:PORT: a collection SMS goes only to the debtor's own phone (without it, none goes).")
    var registry: String?
    @Option(help: "On SIGTERM, seconds the SMS hand-off in flight may take before it is cancelled (it then goes again after the restart).")
    var outboxDrainTimeout = 5.0
    @Option(help: "Hours a sent SMS waits for its delivery report before it shows as «Нет отчёта о доставке» (0: never).")
    var smsReportTimeout = 48.0
    @Option(help: "A production calendar file replacing the built-in one (`YYYY-MM-DD off|work` lines).") var productionCalendar: String?

    func run() async throws {
        let location = try DatabaseLocation(parsing: database)
        if case .sqlite(let path) = location, try operations.backupIfAsked(database: path) { return }
        if case .postgres = location, operations.backupTo != nil {
            throw ValidationError("--backup-to copies an SQLite file; back a PostgreSQL database up with its own tools (pg_dump, base backups)")
        }
        let operationServices = try operations.bootstrap()
        let logger = Logger(label: "scheduling")
        let env = ProcessInfo.processInfo.environment
        guard let secret = authSecret ?? env["CRM_AUTH_SECRET"] else {
            throw ValidationError("--auth-secret or CRM_AUTH_SECRET is required")
        }
        let signer = try SessionTokenSigner(secret: secret)
        let tls = try operations.tls(logger: logger)
        let calendar = try productionCalendar.map { try ProductionCalendar(parsing: String(contentsOfFile: $0, encoding: .utf8)) } ?? .shipped
        let store: any SchedulingStore
        // The SQLite file's own operations (idle memory release, the storage watchdog) need it.
        let sqlite: (path: String, store: SQLiteSchedulingStore)?
        switch location {
        case .sqlite(let path):
            PrivateFiles.warnIfShared(database: path, logger: logger)
            let file = try SQLiteSchedulingStore.open(path: path)
            sqlite = (path, file)
            store = file
        case .postgres(let url):
            sqlite = nil
            store = try await PostgresSchedulingStore.connect(
                host: url.host, port: url.port, user: url.user, password: url.password, database: url.database,
                logger: Logger(label: "scheduling.postgres")
            )
        }
        let now: @Sendable () -> Int64 = { SystemClockMs.now() }

        var services: [any Service] = []
        let reporter: ContactsReporter? = try contacts.map { address in
            let (peerHost, peerPort) = try { let a = try HostPort(parsing: address, flag: "--contacts"); return (a.host, a.port) }()
            let client = RPCClient(transport: TCPClientTransport(host: peerHost, port: peerPort, tls: tls))
            return ContactsReporter(store: store, client: client, signer: signer, nowMs: now)
        }
        let stateChanged: @Sendable () -> Void = { reporter?.notify() }

        let provider: any SmsProvider
        var dlrEndpoint: HTTPEndpoint?
        var described = ""
        switch smsProvider {
        case "file":
            let file = smsFile ?? URL(fileURLWithPath: sqlite?.path ?? "scheduling").deletingLastPathComponent().appendingPathComponent("sms.jsonl").path
            provider = FileSmsProvider(path: file, nowMs: now)
            described = "file \(file)"
        case "kannel":
            guard let urlText = kannelUrl ?? env["CRM_KANNEL_URL"], let url = URL(string: urlText), url.host != nil else {
                throw ValidationError("--sms-provider kannel needs --kannel-url (or CRM_KANNEL_URL), e.g. http://kannel:13013/cgi-bin/sendsms")
            }
            guard let user = kannelUser ?? env["CRM_KANNEL_USER"], let password = kannelPassword ?? env["CRM_KANNEL_PASSWORD"] else {
                throw ValidationError("--sms-provider kannel needs --kannel-user and --kannel-password (or CRM_KANNEL_USER, CRM_KANNEL_PASSWORD)")
            }
            let (dlrHost, dlrPort) = try { let a = try HostPort(parsing: dlrListen, flag: "--dlr-listen"); return (a.host, a.port) }()
            let reportSigner = DeliveryReportSigner(secret: secret)
            var kannel = KannelSmsProvider.Configuration(
                sendsmsURL: url, username: user, password: password, dlrURL: dlrPublicUrl ?? "http://\(dlrHost):\(dlrPort)/dlr"
            )
            kannel.sender = kannelFrom ?? ""
            provider = KannelSmsProvider(kannel, signer: reportSigner)
            let reports = KannelDeliveryReports(store: store, signer: reportSigner, nowMs: now, onChange: stateChanged)
            dlrEndpoint = HTTPEndpoint(.init(host: dlrHost, port: dlrPort), routes: reports.routes, logger: Logger(label: "scheduling.dlr"))
            described = "kannel \(url) dlr \(kannel.dlrURL)"
        default:
            throw ValidationError("--sms-provider: file or kannel")
        }

        var outbox = OutboxWorker.Configuration()
        outbox.calendar = calendar
        guard outboxDrainTimeout > 0 else { throw ValidationError("--outbox-drain-timeout takes seconds > 0") }
        outbox.drainTimeout = .milliseconds(Int64(outboxDrainTimeout * 1000))
        guard smsReportTimeout >= 0 else { throw ValidationError("--sms-report-timeout takes hours >= 0") }
        outbox.reportTimeoutMs = smsReportTimeout == 0 ? nil : Int64(smsReportTimeout * 3_600_000)
        let worker = OutboxWorker(
            store: store, provider: provider, configuration: outbox, nowMs: now, logger: Logger(label: "scheduling.outbox"),
            onStateChange: stateChanged
        )
        let debtors: any DebtorDirectory
        if let registry {
            let (peerHost, peerPort) = try { let a = try HostPort(parsing: registry, flag: "--registry"); return (a.host, a.port) }()
            debtors = RegistryDebtorDirectory(client: RPCClient(transport: TCPClientTransport(host: peerHost, port: peerPort, tls: tls)), signer: signer, nowMs: now)
        } else {
            logger.warning("no --registry: collection SMS are refused (the debtor's phone cannot be checked)")
            debtors = NoDebtorDirectory()
        }
        let environment = SchedulingEnvironment(
            store: store, calendar: calendar, providerName: provider.name, wakeOutbox: { worker.notify(); stateChanged() }, debtors: debtors
        )
        let memory = sqlite.flatMap { operations.idleMemoryRelease(database: $0.store.writer, logger: logger) }
        let retention = IdempotencyRetention(nowMs: { SystemClockMs.now() }, logger: logger) { cutoff, limit in
            try await store.deleteIdempotency(createdBefore: cutoff, limit: limit)
        }
        let storage = sqlite.map { StorageWatchdog(database: $0.path, writer: $0.store.writer, logger: logger) }
        let server = RPCServer(
            transport: operations.serverTransport(host: host, port: port, tls: tls),
            services: BuiltinServices.adding(to: [OfficesService(environment: environment), SmsService(environment: environment)], readiness: { storage?.isServing ?? true }),
            interceptors: (memory.map { [$0] } ?? []) + [LoggingInterceptor(logger: logger), MetricsInterceptor(), AuthInterceptor(signer: signer)] + (storage.map { [$0] } ?? []),
            logger: logger
        )
        logger.info("scheduling listening", metadata: [
            "host": "\(host)", "port": "\(port)", "database": "\(location.described)", "sms": "\(described)", "contacts": "\(contacts ?? "-")", "registry": "\(registry ?? "-")",
        ])
        // Shutdown runs in reverse order: the server stops taking calls first, then the
        // outbox drains its hand-off in flight; the DLR listener outlives it (reports of the
        // last hand-offs still land) and the contacts reporter outlives both.
        if let reporter { services.append(reporter) }
        if let dlrEndpoint { services.append(dlrEndpoint) }
        services.append(worker)
        services.append(server)
        services += operationServices
        services.append(retention)
        if let storage { services.append(storage) }
        if let memory { services.append(memory) }
        services.append(OutboxMetrics(store: store, nowMs: now, logger: logger))
        let group = ServiceGroup(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        try await group.run()
    }

}
