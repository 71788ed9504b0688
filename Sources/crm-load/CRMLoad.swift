import ArgumentParser
import Auth
import CRMAPI
import Foundation
import Gateway
import LoadTest
import RPCCore
import RPCTransportTCP
import Wire

/// Load-tests one service: one method, closed or open loop, with a summary people read and
/// JSON or CSV machines read, and an exit code CI can gate on.
@main
struct CRMLoad: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crm-load",
        abstract: "Load-test one method of one service over this project's RPC.",
        subcommands: [Run.self, List.self, Scenarios.self],
        defaultSubcommand: Run.self
    )
}

struct Target: ParsableArguments {
    @Option(help: "The service, HOST:PORT.")
    var target: String

    func endpoint() throws -> ServiceEndpoints.Endpoint {
        guard let endpoint = ServiceEndpoints.Endpoint(service: "target", address: target) else {
            throw ValidationError("--target is HOST:PORT")
        }
        return endpoint
    }
}

struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the methods the server answers, with their message types.")

    @OptionGroup var target: Target

    @Option(help: "Mint the token reflection needs from the services' secret (default: env CRM_AUTH_SECRET, else the session saved by crm login).")
    var authSecret: String?

    func run() async throws {
        let endpoint = try target.endpoint()
        var metadata = Metadata()
        if let secret = authSecret ?? ProcessInfo.processInfo.environment["CRM_AUTH_SECRET"] {
            let signer = try SessionTokenSigner(secret: secret, lifetime: .seconds(60))
            metadata.bearerToken = signer.sign(
                signer.claims(operatorID: 0, login: "load.test", role: .system, fullName: "Нагрузочный тест", nowMs: SystemClockMs.now())
            )
        } else if let session = try SessionStore.standard().load() {
            metadata.bearerToken = session.token
        }
        let answer = try await endpoint.client(metadata: metadata).call { rpc in
            try await RPCV1.Reflection.Client(wrapping: rpc).listMethods(RPCV1.ListMethodsRequest())
        }
        for method in answer.methods {
            print("\(method.name)  (\(method.inputType) → \(method.outputType))")
        }
    }
}

struct Scenarios: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the named scenarios of each service's main calls (run one with --scenario).")

    func run() async throws {
        for scenario in LoadScenario.all {
            print("\(scenario.name)  [\(scenario.service), role \(scenario.role.rawValue)]")
            print("    \(scenario.summary)")
        }
    }
}

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run load against one method.")

    @OptionGroup var target: Target

    @Option(help: "The method, package.Service/Method (see `crm-load list`).")
    var call: String?

    @Option(help: "A named scenario instead of --call (see `crm-load scenarios`).")
    var scenario: String?

    @Option(help: "Calls in flight at once.")
    var concurrency: Int = 16

    @Option(help: "TCP connections, shared by the concurrent callers.")
    var connections: Int = 1

    @Option(help: "Seconds to measure (after the warm-up).")
    var duration: Double?

    @Option(help: "Measured calls to make (instead of --duration).")
    var total: Int?

    @Option(help: "Open loop at this many calls/s; latency counts from when each call was due.")
    var rps: Double?

    @Option(help: "Seconds of warm-up before measuring.")
    var warmup: Double = 1

    @Option(help: "Deadline of each call, in milliseconds.")
    var timeoutMs: Int = 5000

    @Option(help: "The request as JSON (message fields, lowerCamelCase), with {{name}} placeholders.")
    var data: String?

    @Option(help: "A file holding the JSON request template.")
    var dataFile: String?

    @Option(help: "A CSV file with a header line; each column fills {{column}} in the template.")
    var csv: String?

    @Option(help: "Session token sent as authorization: Bearer <token>.")
    var token: String?

    @Flag(help: "Use the session of `crm login` (its saved token).")
    var session = false

    @Option(help: "Mint a session token from the services' shared secret (or env CRM_AUTH_SECRET with --mint-token), for a service tested alone.")
    var authSecret: String?

    @Flag(help: "Mint the token from env CRM_AUTH_SECRET.")
    var mintToken = false

    @Option(help: "The role of a minted token (default: the scenario's, else VCC).")
    var role: String?

    @Option(help: "Log in first as this operator (two-stage login through --registry, the code read from --sms-file).")
    var login: String?

    @Option(help: "The operator's mobile, for --login.")
    var mobile: String?

    @Option(help: "The registry, HOST:PORT, for --login (default: --target) and for renewing the --session token (default: CRM_REGISTRY, else 127.0.0.1:7101).")
    var registry: String?

    @Option(help: "The development SMS file the code arrives in, for --login.")
    var smsFile: String?

    @Option(help: "text, json or csv.")
    var format: String = "text"

    @Option(help: "Fail (exit 2) when true, e.g. 'p99>5ms', 'error-rate>1%', 'rps<1000'. Repeatable.")
    var failIf: [String] = []

    func validate() throws {
        guard concurrency > 0, connections > 0 else { throw ValidationError("--concurrency and --connections must be positive") }
        guard duration == nil || total == nil else { throw ValidationError("Give --duration or --total, not both") }
        guard ["text", "json", "csv"].contains(format) else { throw ValidationError("--format is text, json or csv") }
        if let rps, rps <= 0 { throw ValidationError("--rps must be positive") }
        guard (call == nil) != (scenario == nil) else { throw ValidationError("Give --call METHOD or --scenario NAME (one of them)") }
        if login != nil, mobile == nil || smsFile == nil { throw ValidationError("--login needs --mobile and --sms-file") }
    }

    /// The session token: given, saved by `crm login`, minted from the secret, or logged in.
    func sessionToken(defaultRole: Role) async throws -> String? {
        if let token { return token }
        if session {
            // Renewed once, now: the run then has the access token's whole 5 minutes (longer
            // runs: --auth-secret).
            let store = SessionStore.standard()
            let registry = try ServiceEndpoints.resolve(
                registry: registry, contacts: nil, scheduling: nil, environment: ProcessInfo.processInfo.environment
            ).registry
            let keeper = SessionKeeper(session: try store.require(), store: store, registry: registry)
            return try await keeper.token()
        }
        if let secret = authSecret ?? (mintToken ? ProcessInfo.processInfo.environment["CRM_AUTH_SECRET"] : nil) {
            let chosen: Role
            if let role {
                guard let parsed = Role(rawValue: role.uppercased()) else {
                    throw ValidationError("--role: one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                chosen = parsed
            } else {
                chosen = defaultRole
            }
            let signer = try SessionTokenSigner(secret: secret, lifetime: .seconds(24 * 3600))
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            return signer.sign(signer.claims(operatorID: 0, login: "load.test", role: chosen, fullName: "Нагрузочный тест", nowMs: now))
        }
        if let login, let mobile, let smsFile {
            guard let endpoint = ServiceEndpoints.Endpoint(service: "registry", address: registry ?? target.target) else {
                throw ValidationError("--registry is HOST:PORT")
            }
            return try await OperatorLogin.login(login, mobile: mobile, registry: endpoint, smsFile: URL(fileURLWithPath: smsFile)).token
        }
        return nil
    }

    func run() async throws {
        let endpoint = try target.endpoint()
        let conditions = try failIf.map { try FailCondition(parsing: $0) }
        let chosenScenario = try scenario.map { name in
            guard let found = LoadScenario.named(name) else {
                throw ValidationError("Unknown scenario \(name); `crm-load scenarios` lists them")
            }
            return found
        }
        var metadata = Metadata()
        if let token = try await sessionToken(defaultRole: chosenScenario?.role ?? .vcc) { metadata.bearerToken = token }

        let method: String
        var bodies: [[UInt8]] = []
        var iteration: LoadScenario.Iteration?
        if let chosenScenario {
            method = chosenScenario.name
            let prepareClient = RPCClient(transport: TCPClientTransport(host: endpoint.host, port: endpoint.port))
            FileHandle.standardError.write(Data("preparing \(chosenScenario.name)…\n".utf8))
            iteration = try await chosenScenario.prepare(prepareClient, metadata)
        } else {
            let call = call ?? ""
            guard let entry = APICatalog.method(named: call) else {
                throw ValidationError("Unknown method \(call); `crm-load list --target \(target.target)` shows what the server answers")
            }
            method = call
            let template = try dataFile.map { try String(contentsOfFile: $0, encoding: .utf8) } ?? data ?? "{}"
            let rows = try csv.map { RequestTemplate.csvRows(try String(contentsOfFile: $0, encoding: .utf8)) } ?? []
            bodies = try RequestTemplate(text: template).render(as: entry.input, count: max(rows.count, 1024), rows: rows)
        }

        let plan = LoadRunner.Plan(
            host: endpoint.host, port: endpoint.port, method: method, bodies: bodies, metadata: metadata,
            concurrency: concurrency, connections: connections,
            duration: total == nil ? .milliseconds(Int((duration ?? 10) * 1000)) : nil, total: total,
            rate: rps, warmup: .milliseconds(Int(warmup * 1000)), timeout: .milliseconds(timeoutMs),
            iteration: iteration
        )
        let runner = LoadRunner(plan)
        // Ctrl-C stops the run and still prints what ran.
        let running = Task { try await runner.run { progress in
            let line = String(format: "%4.0fs  %8.0f calls/s  errors %d  p99 %.0fµs\n",
                              progress.elapsed.components.seconds > 0 ? Double(progress.elapsed.components.seconds) : 0,
                              progress.callsPerSecond, progress.errors, progress.p99Micros)
            FileHandle.standardError.write(Data(line.utf8))
        } }
        signal(SIGINT, SIG_IGN)
        let interrupt = DispatchSource.makeSignalSource(signal: SIGINT)
        interrupt.setEventHandler { running.cancel() }
        interrupt.resume()
        let report = try await running.value
        interrupt.cancel()

        switch format {
        case "json": print(try report.json())
        case "csv": print(report.csv())
        default: print(report.text())
        }
        let broken = conditions.filter { $0.isViolated(by: report) }
        if !broken.isEmpty {
            FileHandle.standardError.write(Data("FAILED: \(broken.map(\.description).joined(separator: ", "))\n".utf8))
            throw ExitCode(2)
        }
    }
}
