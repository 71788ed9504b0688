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
