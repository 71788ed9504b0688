import ArgumentParser
import Auth
import ClientRegistry
import CRMAPI
import Foundation
import Logging
import RPCCore
import RPCTransportTCP
import ServiceLifecycle
import UnixSignals

/// The client registry: cards, edits with history, loans, operators and the login.
@main
struct RegistryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "registry")

    @Option var host = "127.0.0.1"
    @Option var port = 7101
    @Option(help: "SQLite database file (WAL).") var database = "registry.sqlite"
    @Option(help: "Token secret (or env CRM_AUTH_SECRET).") var authSecret: String?
    @Option(help: "Scheduling service HOST:PORT for login codes; without it codes go to the local outbox table.")
    var scheduling: String?
    @Option(help: "Create an ADMINISTRATOR account LOGIN:MOBILE if it does not exist.") var bootstrapAdmin: String?

    func run() async throws {
        let logger = Logger(label: "registry")
        guard let secret = authSecret ?? ProcessInfo.processInfo.environment["CRM_AUTH_SECRET"] else {
            throw ValidationError("--auth-secret or CRM_AUTH_SECRET is required")
        }
        let signer = try SessionTokenSigner(secret: secret)
        let store = try RegistryStore.open(path: database)
        let environment = RegistryEnvironment(store: store)
        if let bootstrapAdmin {
            let parts = bootstrapAdmin.split(separator: ":").map(String.init)
            guard parts.count == 2, let mobile = PhoneNumber.normalize(parts[1]) else {
                throw ValidationError("--bootstrap-admin takes LOGIN:MOBILE")
            }
            try await store.ensureAdministrator(login: parts[0], mobile: mobile, nowMs: SystemClockMs.now())
        }
        let codeSender: any LoginCodeSender
        if let scheduling {
            let address = scheduling.split(separator: ":")
            guard address.count == 2, let schedulingPort = Int(address[1]) else { throw ValidationError("--scheduling takes HOST:PORT") }
            let transport = TCPClientTransport(host: String(address[0]), port: schedulingPort)
            codeSender = SchedulingLoginCodeSender(client: RPCClient(transport: transport), signer: signer)
        } else {
            codeSender = DatabaseLoginCodeOutbox(writer: store.writer)
        }
        let services: [any RegistrableRPCService] = [
            ClientRegistryService(environment: environment),
            AuthService(environment: environment, signer: signer, codeSender: codeSender),
            OperatorsService(environment: environment),
        ]
        let server = RPCServer(
            transport: TCPServerTransport(TCPServerTransport.Configuration(host: host, port: port)),
            services: BuiltinServices.adding(to: services),
            interceptors: [LoggingInterceptor(logger: logger), MetricsInterceptor(), AuthInterceptor(signer: signer)],
            logger: logger
        )
        logger.info("registry listening", metadata: ["host": "\(host)", "port": "\(port)", "database": "\(database)"])
        let group = ServiceGroup(services: [server], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        try await group.run()
    }
}
