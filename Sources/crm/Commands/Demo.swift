import ArgumentParser
import Foundation
import Gateway

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Запустить сервисы на временной папке с демо-данными и пройти весь сценарий оператора; код 0 — только если каждый шаг дал ожидаемый ответ."
    )

    @Option(help: "Сколько случайных клиентов загрузить кроме опорных.")
    var seedClients: Int = 300

    @Flag(help: "Не удалять временную папку (базы и журналы сервисов) после демонстрации.")
    var keep = false

    func run() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("crm-demo-\(UUID().uuidString.prefix(8))")
        let smsFile = directory.appendingPathComponent("sms.jsonl")
        guard let registryPort = FreePort.find() else { throw GatewayError("Нет свободного порта на 127.0.0.1") }
        let registry = ServiceEndpoints.Endpoint(service: "registry", host: "127.0.0.1", port: registryPort)
        let supervisor = ServiceSupervisor(
            dataDirectory: directory, binDirectory: ServiceSupervisor.ownDirectory(),
            authSecret: (0..<4).map { _ in UUID().uuidString }.joined()
        )
        print("Демонстрация: сервисы в \(directory.path)")
        try await supervisor.start([
            .init(service: "registry", endpoint: registry, extraArguments: [
                "--seed-clients", "\(seedClients)", "--sms-file", smsFile.path,
            ]),
        ]) { print("  " + $0) }

        let run = await Demo.perform(registry: registry, smsFile: smsFile)
        supervisor.stop()
        print(run.summary)
        if keep {
            print("Папка сохранена: \(directory.path)")
        } else {
            try? FileManager.default.removeItem(at: directory)
        }
        if !run.failures.isEmpty { throw ExitCode(1) }
    }
}
