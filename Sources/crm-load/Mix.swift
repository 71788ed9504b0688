import ArgumentParser
import Auth
import Foundation
import Gateway
import LoadTest
import RPCCore
import RPCTransportTCP

/// The operators' mix: searches, card reads, saved results, work-list reads, bookings and
/// SMS across all three services at once, each with a token of the role that does it.
struct Mix: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Drive all three services with an operator's day of calls, reporting per method and overall.",
        discussion: """
            The weights (per 100 calls) default to an operator's day: \(LoadMix.operatorDayWeights.map { "\($0.0)=\($0.1)" }.joined(separator: ", ")).
            Searches and card reads start every call; one result is saved per call; some
            calls end in a booking or an SMS; collectors read their work list between calls.
            Each scenario gets a token of its own role, minted from the services' secret.
            """
    )

    @Option(help: "The registry, HOST:PORT.")
    var registry: String = "127.0.0.1:7101"

    @Option(help: "The contacts service, HOST:PORT.")
    var contacts: String = "127.0.0.1:7102"

    @Option(help: "The scheduling service, HOST:PORT.")
    var scheduling: String = "127.0.0.1:7103"

    @Option(help: "NAME=WEIGHT,… over the scenarios (`crm-load scenarios`), instead of the operator's day.")
    var weights: String?

    @Option(help: "The services' shared secret, to mint a token per role (or env CRM_AUTH_SECRET).")
    var authSecret: String?

    @OptionGroup(title: "Load") var shape: LoadShape

    @OptionGroup(title: "Report") var reporting: ReportOptions

    @OptionGroup(title: "TLS") var tls: ClientTLSOptions

    func validate() throws {
        _ = try LoadMix.parse(weights)
        for (flag, address) in [("registry", registry), ("contacts", contacts), ("scheduling", scheduling)] {
            guard ServiceEndpoints.Endpoint(service: flag, address: address) != nil else { throw ValidationError("--\(flag) is HOST:PORT") }
        }
        if (authSecret ?? ProcessInfo.processInfo.environment["CRM_AUTH_SECRET"]) == nil {
            throw ValidationError("--auth-secret (or env CRM_AUTH_SECRET) is needed to give each scenario a token of its role")
        }
    }

    func run() async throws {
        let mix = try LoadMix.parse(weights)
        let endpoints = [
            "registry": ServiceEndpoints.Endpoint(service: "registry", address: registry)!,
            "contacts": ServiceEndpoints.Endpoint(service: "contacts", address: contacts)!,
            "scheduling": ServiceEndpoints.Endpoint(service: "scheduling", address: scheduling)!,
        ]
        let timeout = Duration.milliseconds(shape.timeoutMs)
        // One set of connections per service, shared by every scenario on it.
        var clients: [String: [RPCClient]] = [:]
        let credentials = try tls.credentials()
        for (service, endpoint) in endpoints {
            clients[service] = (0..<shape.connections).map { _ in
                var client = RPCClient(transport: TCPClientTransport(host: endpoint.host, port: endpoint.port, tls: credentials))
                client.defaultTimeout = timeout
                return client
            }
        }
        let signer = try SessionTokenSigner(secret: authSecret ?? ProcessInfo.processInfo.environment["CRM_AUTH_SECRET"]!, lifetime: .seconds(24 * 3600))
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let tokens = Dictionary(uniqueKeysWithValues: Role.allCases.enumerated().map { index, role in
            var metadata = Metadata()
            metadata.bearerToken = signer.sign(signer.claims(
                operatorID: Int64(900_000 + index), login: "load.\(role.rawValue.lowercased())", role: role,
                fullName: "Нагрузочный тест", nowMs: now
            ))
            return (role, metadata)
        })
        let frozenClients = clients
        let prepared: (iteration: LoadScenario.Iteration, name: @Sendable (Int) -> String)
        do {
            prepared = try await mix.prepare(
                clients: { frozenClients[$0]! }, metadata: { tokens[$0]! },
                log: { FileHandle.standardError.write(Data("\($0)\n".utf8)) }
            )
        } catch let error as PreflightError {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            throw ExitCode(3)
        }
        let registryEndpoint = endpoints["registry"]!
        var plan = try shape.plan(
            host: registryEndpoint.host, port: registryEndpoint.port, method: "mix", bodies: [], metadata: [:],
            iteration: prepared.iteration
        )
        // Each part was checked while preparing.
        plan.preflight = false
        plan.classify = prepared.name
        plan.target = "registry \(registry), contacts \(contacts), scheduling \(scheduling)"
        try await execute(plan, report: reporting)
    }
}
