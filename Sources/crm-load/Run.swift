import ArgumentParser
import Auth
import CRMAPI
import Foundation
import Gateway
import LoadTest
import RPCCore
import RPCTransportTCP
import Wire

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
    @OptionGroup(title: "TLS") var tls: ClientTLSOptions

    @Option(help: "The method, package.Service/Method or package.Service.Method (see `crm-load list`).")
    var call: String?

    @Option(help: "A named scenario instead of --call (see `crm-load scenarios`).")
    var scenario: String?

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

    @Option(help: "The registry, HOST:PORT, for --login and {{card}} (default: --target), and for renewing the --session token (default: CRM_REGISTRY, else 127.0.0.1:7101).")
    var registry: String?

    @Option(help: "The development SMS file the code arrives in, for --login.")
    var smsFile: String?

    @Option(name: [.customShort("m"), .customLong("metadata")], help: "Request metadata KEY=VALUE, sent with every call. Repeatable.")
    var metadata: [String] = []

    @Option(help: "A JSON object of request metadata (string values), sent with every call.")
    var metadataFile: String?

    @OptionGroup(title: "Load") var shape: LoadShape

    @OptionGroup(title: "Report") var reporting: ReportOptions

    func validate() throws {
        guard (call == nil) != (scenario == nil) else { throw ValidationError("Give --call METHOD or --scenario NAME (one of them)") }
        if login != nil, mobile == nil || smsFile == nil { throw ValidationError("--login needs --mobile and --sms-file") }
        _ = try requestMetadata()
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
            guard var endpoint = ServiceEndpoints.Endpoint(service: "registry", address: registry ?? target.target) else {
                throw ValidationError("--registry is HOST:PORT")
            }
            endpoint.tls = try tls.credentials()
            return try await OperatorLogin.login(login, mobile: mobile, registry: endpoint, smsFile: URL(fileURLWithPath: smsFile)).token
        }
        return nil
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
        let credentials = try tls.credentials()
        var endpoint = try target.endpoint()
        endpoint.tls = credentials
        let chosenScenario = try scenario.map { name in
            guard let found = LoadScenario.named(name) else {
                throw ValidationError("Unknown scenario \(name); `crm-load scenarios` lists them")
            }
            return found
        }
        var metadata = Metadata()
        if let token = try await sessionToken(defaultRole: chosenScenario?.role ?? .vcc) { metadata.bearerToken = token }
        for (key, value) in try requestMetadata() { metadata.add(key, value) }

        let method: String
        var bodies: [[UInt8]] = []
        var iteration: LoadScenario.Iteration?
        if let chosenScenario {
            method = chosenScenario.name
            let prepareClient = RPCClient(transport: TCPClientTransport(host: endpoint.host, port: endpoint.port, tls: credentials))
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
            var request = RequestTemplate(text: template)
            if request.needsCards {
                guard let source = ServiceEndpoints.Endpoint(service: "registry", address: registry ?? target.target) else {
                    throw ValidationError("--registry is HOST:PORT")
                }
                FileHandle.standardError.write(Data("reading cards from the registry at \(source)…\n".utf8))
                var cardsMetadata = Metadata()
                cardsMetadata.bearerToken = metadata.bearerToken
                request.cards = try await PreparedCards.load(
                    RPCClient(transport: TCPClientTransport(host: source.host, port: source.port, tls: credentials)), metadata: cardsMetadata
                )
            }
            bodies = try request.render(as: entry.input, count: max(rows.count, 1024), rows: rows)
        }
        var plan = try shape.plan(
            host: endpoint.host, port: endpoint.port, method: method, bodies: bodies, metadata: metadata, iteration: iteration
        )
        if let credentials {
            let (host, port) = (endpoint.host, endpoint.port)
            plan.makeTransport = { TCPClientTransport(host: host, port: port, tls: credentials) }
        }
        try await execute(plan, report: reporting)
    }
}
