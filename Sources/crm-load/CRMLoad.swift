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
    static let configuration = CommandConfiguration(
        abstract: "List the methods the server answers, with their message types; --describe shows one request's fields."
    )

    @OptionGroup var target: Target

    @Option(help: "A method (either spelling): print its request's fields, their types and an example JSON for --data.")
    var describe: String?

    func run() async throws {
        if let describe {
            guard let entry = APICatalog.method(named: APICatalog.canonicalName(describe)) else {
                throw ValidationError("Unknown method \(describe); `crm-load list --target \(target.target)` shows what the server answers")
            }
            print(entry.descriptor.fullName)
            print(MessageDescription.describe(entry.input))
            return
        }
        let endpoint = try target.endpoint()
        let answer = try await endpoint.client().call { rpc in
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
    static let configuration = CommandConfiguration(
        abstract: "Run load against one method.",
        discussion: RequestTemplate.placeholderHelp + "\n" + """
            Before the run, one call checks the request, the token and the method: a
            failure stops there with the server's status and message (exit 3). A run
            whose errors exceed --max-errors (default 0), or that breaks a --fail-if,
            exits 2; Ctrl-C prints the report of what ran and exits 130.
            """
    )

    @OptionGroup var target: Target

    @Option(help: "The method, package.Service/Method or package.Service.Method (see `crm-load list`).")
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

    @Option(help: "The request as JSON (message fields, lowerCamelCase; `crm-load list --describe METHOD` shows them), with {{placeholders}}.")
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

    @Option(help: "The registry, HOST:PORT, for --login (default: --target).")
    var registry: String?

    @Option(help: "The development SMS file the code arrives in, for --login.")
    var smsFile: String?

    @Option(name: [.customShort("m"), .customLong("metadata")], help: "Request metadata KEY=VALUE, sent with every call. Repeatable.")
    var metadata: [String] = []

    @Option(help: "A JSON object of request metadata (string values), sent with every call.")
    var metadataFile: String?

    @Option(help: "Open-loop rate schedule: const (the --rps rate), step or line (see --load-start).")
    var loadSchedule: String = "const"

    @Option(help: "Schedule start (calls/s); step: change by --load-step every --load-step-duration; line: by --load-step every second.")
    var loadStart: Double?

    @Option(help: "Schedule step (calls/s; negative goes down).")
    var loadStep: Double = 0

    @Option(help: "Schedule end (calls/s): held there once reached.")
    var loadEnd: Double?

    @Option(help: "Seconds per step of a step schedule.")
    var loadStepDuration: Double = 10

    @Option(help: "Stop the run this many seconds after the measured start, whatever else is set.")
    var loadMaxDuration: Double?

    @Option(help: "Concurrency schedule: const (--concurrency), step or line; --concurrency is then the most callers.")
    var concurrencySchedule: String = "const"

    @Option(help: "Concurrency schedule start (callers).")
    var concurrencyStart: Double?

    @Option(help: "Concurrency schedule step (callers).")
    var concurrencyStep: Double = 0

    @Option(help: "Concurrency schedule end (callers).")
    var concurrencyEnd: Double?

    @Option(help: "Seconds per step of a concurrency step schedule.")
    var concurrencyStepDuration: Double = 10

    @Option(help: "Stop the run this many seconds after the measured start (concurrency schedule).")
    var concurrencyMaxDuration: Double?

    @Flag(help: "Skip the one call made before the run to check the request, the token and the method.")
    var noPreflight = false

    @Option(help: "text, json or csv.")
    var format: String = "text"

    @Option(help: "Fail (exit 2) when true, e.g. 'p99>5ms', 'error-rate>1%', 'rps<1000'. Repeatable.")
    var failIf: [String] = []

    @Option(help: "Fail (exit 2) when the share of errors (codes the scenario does not expect) exceeds this, e.g. 0, 0.5%, 2%.")
    var maxErrors: String = "0%"

    func validate() throws {
        guard concurrency > 0, connections > 0 else { throw ValidationError("--concurrency and --connections must be positive") }
        _ = try maxErrorShare()
        _ = try schedules()
        _ = try requestMetadata()
        guard duration == nil || total == nil else { throw ValidationError("Give --duration or --total, not both") }
        guard ["text", "json", "csv"].contains(format) else { throw ValidationError("--format is text, json or csv") }
        if let rps, rps <= 0 { throw ValidationError("--rps must be positive") }
        guard (call == nil) != (scenario == nil) else { throw ValidationError("Give --call METHOD or --scenario NAME (one of them)") }
        if login != nil, mobile == nil || smsFile == nil { throw ValidationError("--login needs --mobile and --sms-file") }
    }

    /// The session token: given, saved by `crm login`, minted from the secret, or logged in.
    func sessionToken(defaultRole: Role) async throws -> String? {
        if let token { return token }
        if session { return try SessionStore.standard().require().token }
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

    /// `0`, `0.5%`, `2%` as a fraction of calls.
    func maxErrorShare() throws -> Double {
        let text = maxErrors.trimmingCharacters(in: .whitespaces)
        let percent: Double? = text.hasSuffix("%") ? Double(text.dropLast()) : Double(text)
        guard let percent, percent >= 0, percent <= 100 else { throw ValidationError("--max-errors is a percentage, e.g. 0, 0.5%, 2%") }
        return percent / 100
    }

    /// The rate and concurrency schedules, nil where constant.
    func schedules() throws -> (rate: LoadSchedule?, concurrency: LoadSchedule?) {
        func make(_ kind: String, flag: String, start: Double?, step: Double, end: Double?, stepSeconds: Double, max: Double?) throws -> LoadSchedule? {
            guard let kind = LoadSchedule.Kind(rawValue: kind) else {
                throw ValidationError("--\(flag)-schedule is const, step or line")
            }
            guard kind != .const else {
                if start != nil || end != nil || step != 0 { throw ValidationError("--\(flag)-start/-step/-end need --\(flag)-schedule step or line") }
                return nil
            }
            guard let start else { throw ValidationError("--\(flag)-schedule \(kind.rawValue) needs --\(flag)-start") }
            guard stepSeconds > 0, stepSeconds.isFinite else { throw ValidationError("--\(flag)-step-duration must be positive") }
            do {
                return try LoadSchedule(
                    kind: kind, start: start, step: step, end: end, stepDuration: .milliseconds(Int(stepSeconds * 1000)),
                    maxDuration: max.map { .milliseconds(Int($0 * 1000)) }
                )
            } catch {
                throw ValidationError("--\(flag)-schedule: \(error.description)")
            }
        }
        let rate = try make(loadSchedule, flag: "load", start: loadStart, step: loadStep, end: loadEnd, stepSeconds: loadStepDuration, max: loadMaxDuration)
        let callers = try make(
            concurrencySchedule, flag: "concurrency", start: concurrencyStart, step: concurrencyStep, end: concurrencyEnd,
            stepSeconds: concurrencyStepDuration, max: concurrencyMaxDuration
        )
        if rate != nil, rps != nil { throw ValidationError("Give --rps or --load-schedule, not both") }
        if let callers, callers.value(atStep: 0) > Double(concurrency) || (callers.end ?? 0) > Double(concurrency) {
            throw ValidationError("--concurrency is the most callers a concurrency schedule may reach: raise it to the schedule's end")
        }
        if let callers, rate == nil, duration == nil, total == nil, callers.maxDuration == nil {
            throw ValidationError("A concurrency schedule needs --duration, --total or --concurrency-max-duration")
        }
        return (rate, callers)
    }

    /// `-m key=value` and `--metadata-file`, on top of the session token.
    func requestMetadata() throws -> [(String, String)] {
        var pairs: [(String, String)] = []
        if let metadataFile {
            let data = try Data(contentsOf: URL(fileURLWithPath: metadataFile))
            guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw ValidationError("--metadata-file holds a JSON object of string values")
            }
            for (key, value) in object.sorted(by: { $0.key < $1.key }) {
                guard let text = value as? String else { throw ValidationError("--metadata-file: «\(key)» is not a string") }
                pairs.append((key.lowercased(), text))
            }
        }
        for item in metadata {
            guard let equals = item.firstIndex(of: "="), equals != item.startIndex else {
                throw ValidationError("-m is KEY=VALUE, e.g. -m x-request-id=load-1")
            }
            pairs.append((item[..<equals].lowercased(), String(item[item.index(after: equals)...])))
        }
        return pairs
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
        for (key, value) in try requestMetadata() { metadata.add(key, value) }
        let (rateSchedule, concurrencySchedule) = try schedules()

        let method: String
        var bodies: [[UInt8]] = []
        var iteration: LoadScenario.Iteration?
        if let chosenScenario {
            method = chosenScenario.name
            let prepareClient = RPCClient(transport: TCPClientTransport(host: endpoint.host, port: endpoint.port))
            FileHandle.standardError.write(Data("preparing \(chosenScenario.name)…\n".utf8))
            iteration = try await chosenScenario.prepare(prepareClient, metadata)
        } else {
            let call = APICatalog.canonicalName(call ?? "")
            guard let entry = APICatalog.method(named: call) else {
                throw ValidationError("Unknown method \(call); `crm-load list --target \(target.target)` shows what the server answers")
            }
            method = call
            let template = try dataFile.map { try String(contentsOfFile: $0, encoding: .utf8) } ?? data ?? "{}"
            let rows = try csv.map { RequestTemplate.csvRows(try String(contentsOfFile: $0, encoding: .utf8)) } ?? []
            bodies = try RequestTemplate(text: template).render(as: entry.input, count: max(rows.count, 1024), rows: rows)
        }

        // A schedule that ends by itself runs to its end; otherwise 10 s unless told.
        let scheduleEnds = rateSchedule?.maxDuration != nil || concurrencySchedule?.maxDuration != nil
        var plan = LoadRunner.Plan(
            host: endpoint.host, port: endpoint.port, method: method, bodies: bodies, metadata: metadata,
            concurrency: concurrency, connections: connections,
            duration: total == nil ? (duration ?? (scheduleEnds ? nil : 10)).map { .milliseconds(Int($0 * 1000)) } : nil, total: total,
            rate: rps, warmup: .milliseconds(Int(warmup * 1000)), timeout: .milliseconds(timeoutMs),
            iteration: iteration, preflight: !noPreflight
        )
        plan.rateSchedule = rateSchedule
        plan.concurrencySchedule = concurrencySchedule
        let runner = LoadRunner(plan)
        // Ctrl-C stops the run and still prints what ran.
        let running = Task { try await runner.run { progress in
            // What the last second did, not the run so far: a stall shows in the line it happens.
            let line = String(format: "%5.0fs  %8.0f calls/s  errors %d  p50 %@  p99 %@  (total %d)\n",
                              Double(progress.elapsed.components.seconds), progress.callsPerSecond, progress.errors,
                              LoadReport.format(progress.p50Micros), LoadReport.format(progress.p99Micros), progress.totalCalls)
            FileHandle.standardError.write(Data(line.utf8))
        } }
        signal(SIGINT, SIG_IGN)
        let interrupt = DispatchSource.makeSignalSource(signal: SIGINT)
        interrupt.setEventHandler { running.cancel() }
        interrupt.resume()
        let report: LoadReport
        do {
            report = try await running.value
        } catch let error as PreflightError {
            interrupt.cancel()
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            throw ExitCode(3)
        }
        interrupt.cancel()

        switch format {
        case "json": print(try report.json())
        case "csv": print(report.csv())
        default: print(report.text())
        }
        // As a shell expects of a program stopped by Ctrl-C (128 + SIGINT), after the report.
        if report.interrupted { throw ExitCode(130) }
        var broken = conditions.filter { $0.isViolated(by: report) }.map(\.description)
        if report.errorRate > (try maxErrorShare()) {
            broken.append(String(format: "errors %.2f %% > --max-errors %@", report.errorRate * 100, maxErrors))
        }
        if !broken.isEmpty {
            FileHandle.standardError.write(Data("FAILED: \(broken.joined(separator: ", "))\n".utf8))
            throw ExitCode(2)
        }
    }
}
