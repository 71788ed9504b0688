import ArgumentParser
import CRMAPI
import Gateway
import Wire

struct Health: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Состояние сервисов.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Какие сервисы проверить (registry, contacts, scheduling); по умолчанию все.")
    var services: [String] = []

    func run() async throws {
        let endpoints = try global.endpoints()
        var failed = false
        var report: [ServiceHealth] = []
        let all = [endpoints.registry, endpoints.contacts, endpoints.scheduling]
        for name in services where !all.contains(where: { $0.service == name }) {
            throw ValidationError("Нет сервиса «\(name)»: registry, contacts, scheduling")
        }
        for endpoint in all where services.isEmpty || services.contains(endpoint.service) {
            let client = endpoint.client(timeout: .seconds(3))
            do {
                let answer = try await client.call { rpc in
                    try await RPCV1.Health.Client(wrapping: rpc).check(RPCV1.HealthCheckRequest())
                }
                report.append(.init(service: endpoint.service, address: "\(endpoint)", serving: answer.status == .serving, error: nil))
                failed = failed || answer.status != .serving
            } catch {
                report.append(.init(service: endpoint.service, address: "\(endpoint)", serving: false, error: "\(error)"))
                failed = true
            }
        }
        if global.json {
            try Console.printJSON(report)
        } else {
            for row in report {
                print("\(row.service) (\(row.address)): \(row.error ?? (row.serving ? "работает" : "не готов"))")
            }
        }
        if failed { throw ExitCode(1) }
    }
}

/// One service's answer, as `crm health --json` prints it.
struct ServiceHealth: Encodable {
    var service: String
    var address: String
    var serving: Bool
    var error: String?
}

struct Methods: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Методы, которые отвечает сервис (для отладки и нагрузочных тестов).")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Сервис: registry, contacts или scheduling.")
    var service: String

    func run() async throws {
        let endpoints = try global.endpoints()
        guard let endpoint = [endpoints.registry, endpoints.contacts, endpoints.scheduling].first(where: { $0.service == service }) else {
            throw ValidationError("Сервис: registry, contacts или scheduling")
        }
        // Reflection answers operators only: the saved session's token, renewed if need be.
        let session = try SessionStore.standard().require()
        let keeper = SessionKeeper(session: session, store: SessionStore.standard(), registry: endpoints.registry)
        let answer = try await endpoint.client(session: keeper).call { rpc in
            try await RPCV1.Reflection.Client(wrapping: rpc).listMethods(RPCV1.ListMethodsRequest())
        }
        if global.json { return try Console.printJSON(answer) }
        print(TextTable(headers: ["МЕТОД", "ЗАПРОС", "ОТВЕТ"], rows: answer.methods.map { [$0.name, $0.inputType, $0.outputType] }).render())
    }
}
