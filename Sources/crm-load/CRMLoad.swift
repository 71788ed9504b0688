import ArgumentParser
import CRMAPI
import Foundation
import Gateway
import LoadTest
import RPCCore
import Wire

/// Load-tests one service: one method, closed or open loop, with a summary people read and
/// JSON or CSV machines read, and an exit code CI can gate on.
@main
struct CRMLoad: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crm-load",
        abstract: "Load-test one method of one service over this project's RPC.",
        subcommands: [Run.self, List.self],
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

    func run() async throws {
        let endpoint = try target.endpoint()
        let answer = try await endpoint.client().call { rpc in
            try await RPCV1.Reflection.Client(wrapping: rpc).listMethods(RPCV1.ListMethodsRequest())
        }
        for method in answer.methods {
            print("\(method.name)  (\(method.inputType) → \(method.outputType))")
        }
    }
}

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run load against one method.")

    @OptionGroup var target: Target

    @Option(help: "The method, package.Service/Method (see `crm-load list`).")
    var call: String

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

    @Option(help: "text, json or csv.")
    var format: String = "text"

    @Option(help: "Fail (exit 2) when true, e.g. 'p99>5ms', 'error-rate>1%', 'rps<1000'. Repeatable.")
    var failIf: [String] = []

    func validate() throws {
        guard concurrency > 0, connections > 0 else { throw ValidationError("--concurrency and --connections must be positive") }
        guard duration == nil || total == nil else { throw ValidationError("Give --duration or --total, not both") }
        guard ["text", "json", "csv"].contains(format) else { throw ValidationError("--format is text, json or csv") }
        if let rps, rps <= 0 { throw ValidationError("--rps must be positive") }
    }

    func run() async throws {
        let endpoint = try target.endpoint()
        guard let entry = APICatalog.method(named: call) else {
            throw ValidationError("Unknown method \(call); `crm-load list --target \(target.target)` shows what the server answers")
        }
        let conditions = try failIf.map { try FailCondition(parsing: $0) }
        let template = try dataFile.map { try String(contentsOfFile: $0, encoding: .utf8) } ?? data ?? "{}"
        let rows = try csv.map { RequestTemplate.csvRows(try String(contentsOfFile: $0, encoding: .utf8)) } ?? []
        let bodies = try RequestTemplate(text: template).render(as: entry.input, count: max(rows.count, 1024), rows: rows)
        var metadata = Metadata()
        if let token { metadata.bearerToken = token }
        if session { metadata.bearerToken = try SessionStore.standard().require().token }

        let plan = LoadRunner.Plan(
            host: endpoint.host, port: endpoint.port, method: call, bodies: bodies, metadata: metadata,
            concurrency: concurrency, connections: connections,
            duration: total == nil ? .milliseconds(Int((duration ?? 10) * 1000)) : nil, total: total,
            rate: rps, warmup: .milliseconds(Int(warmup * 1000)), timeout: .milliseconds(timeoutMs)
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
