import ArgumentParser
import Auth
import ClientRegistry
import CRMAPI
import Foundation
import LoadTest
import Logging
import RPCCore
import RPCTransportInProcess

/// The registry's search by phone without sockets: the service's own handlers, interceptors
/// and SQLite file behind an in-process transport, driven by crm-load's runner and
/// scenarios. Beside a `crm-load` run over TCP on the same file it shows what the network
/// and the framing cost.
@main
struct RegistryBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "registry-bench",
        abstract: "Search by phone in-process (no sockets) on a seeded registry database."
    )

    @Option(help: "A registry database seeded by `registry --seed-clients N --seed-only`.")
    var database: String

    @Option(help: "Scenario: registry.search-by-phone (numbers it holds) or registry.search-by-phone-miss.")
    var scenario = "registry.search-by-phone"

    @Option(help: "Calls in flight.") var concurrency = 64
    @Option(help: "Open loop at this many calls/s (omit for a closed loop).") var rps: Double?
    @Option(help: "Seconds measured.") var duration: Double = 10
    @Option(help: "Seconds of warm-up.") var warmup: Double = 2
    @Option(help: "text or json.") var format = "text"

    func run() async throws {
        guard FileManager.default.fileExists(atPath: database) else { throw ValidationError("No database at \(database)") }
        guard let chosen = LoadScenario.named(scenario), chosen.service == "registry" else {
            throw ValidationError("--scenario: a registry scenario (crm-load scenarios)")
        }
        let secret = UUID().uuidString + UUID().uuidString
        let signer = try SessionTokenSigner(secret: secret)
        let store = try RegistryStore.open(path: database)
        let environment = RegistryEnvironment(store: store)
        var logger = Logger(label: "registry")
        logger.logLevel = .warning
        let pair = InProcessTransport()
        let server = RPCServer(
            transport: pair.server,
            services: BuiltinServices.adding(to: [
                ClientRegistryService(environment: environment),
                AuthService(environment: environment, signer: signer, codeSender: DatabaseLoginCodeOutbox(writer: store.writer)),
                OperatorsService(environment: environment),
            ]),
            // The interceptors the service runs with, so only the transport differs.
            interceptors: [LoggingInterceptor(logger: logger), MetricsInterceptor(), AuthInterceptor(signer: signer)],
            logger: logger
        )
        let serving = Task { try await server.run() }
        defer { serving.cancel() }

        var metadata = Metadata()
        metadata.bearerToken = signer.sign(signer.claims(
            operatorID: 0, login: "load.test", role: chosen.role, fullName: "Нагрузочный тест", nowMs: Int64(Date().timeIntervalSince1970 * 1000)
        ))
        let iteration = try await chosen.prepare(RPCClient(transport: pair.client), metadata)
        let client: InProcessTransport.Client = pair.client
        let measured: Duration = .milliseconds(Int(duration * 1000))
        let warmupDuration: Duration = .milliseconds(Int(warmup * 1000))
        var plan = LoadRunner.Plan(
            host: "in-process", port: 0, method: chosen.name, bodies: [], metadata: metadata,
            concurrency: concurrency, duration: measured, rate: rps, warmup: warmupDuration, iteration: iteration
        )
        plan.makeTransport = { client }
        let report = try await LoadRunner(plan).run()
        print(format == "json" ? try report.json() : report.text())
    }
}
