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
        abstract: "Load-test one method of one service, or the operators' mix across all three, over this project's RPC.",
        subcommands: [Run.self, Mix.self, List.self, Scenarios.self],
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
    @OptionGroup(title: "TLS") var tls: ClientTLSOptions

    @Option(help: "A method (either spelling): print its request's fields, their types and an example JSON for --data.")
    var describe: String?

    @Option(help: "Mint the token reflection needs from the services' secret (default: env CRM_AUTH_SECRET, else the session saved by crm login).")
    var authSecret: String?

    func run() async throws {
        if let describe {
            guard let entry = APICatalog.method(named: APICatalog.canonicalName(describe)) else {
                throw ValidationError("Unknown method \(describe); `crm-load list --target \(target.target)` shows what the server answers")
            }
            print(entry.descriptor.fullName)
            print(MessageDescription.describe(entry.input))
            return
        }
        var endpoint = try target.endpoint()
        endpoint.tls = try tls.credentials()
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
