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
        let ports = (0..<3).compactMap { _ in FreePort.find() }
        guard Set(ports).count == 3 else {
            throw GatewayError("Нет свободного порта на 127.0.0.1")
        }
        let registry = ServiceEndpoints.Endpoint(service: "registry", host: "127.0.0.1", port: ports[0])
        let scheduling = ServiceEndpoints.Endpoint(service: "scheduling", host: "127.0.0.1", port: ports[1])
        let contacts = ServiceEndpoints.Endpoint(service: "contacts", host: "127.0.0.1", port: ports[2])
        let secret = (0..<4).map { _ in UUID().uuidString }.joined()
        let supervisor = ServiceSupervisor(
            dataDirectory: directory, binDirectory: ServiceSupervisor.ownDirectory(), authSecret: secret
        )
        print("Демонстрация: сервисы в \(directory.path)")
        // Login codes travel registry → scheduling's SMS outbox → the development SMS file.
        try await supervisor.start([
            // SMS states go to the contact history (tab 3), as in a deployment.
            .init(service: "scheduling", endpoint: scheduling, extraArguments: [
                "--sms-file", smsFile.path, "--contacts", "\(contacts)", "--registry", "\(registry)",
            ]),
            .init(service: "contacts", endpoint: contacts, extraArguments: ["--durability", "normal", "--registry", "\(registry)"]),
            .init(service: "registry", endpoint: registry, extraArguments: [
                "--seed-clients", "\(seedClients)", "--scheduling", "\(scheduling)", "--contacts", "\(contacts)",
            ]),
        ]) { print("  " + $0) }

        let endpoints = ServiceEndpoints(registry: registry, contacts: contacts, scheduling: scheduling)
        do {
            let feed = try ContactsFeed(endpoints: endpoints, authSecret: secret)
            let contracts = try await feed.loadPortfolio(ContactsFeed.demoPortfolio)
            let listed = try await feed.loadCallLists(ContactsFeed.demoCallLists)
            print("  contacts: договоров в портфеле взыскания: \(contracts), клиентов в списках обзвона: \(listed)")
        } catch {
            supervisor.stop()
            throw error
        }
        let run = await Demo.perform(endpoints: endpoints, smsFile: smsFile)
        await PromptsDemo(run: run, endpoints: endpoints, smsFile: smsFile, directory: directory).perform()
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
