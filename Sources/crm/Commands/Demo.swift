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

    @Flag(help: "Не запускать сервисы, а пройти сценарий на уже работающих (адреса — --registry, --contacts, --scheduling или CRM_*; реестр запущен с --seed-clients на пустой базе, на каждую базу — один раз).")
    var running = false

    @Option(help: "С --running: файл, куда приходят SMS операторов с кодами входа (файл SMS-шлюза разработки или расшифрованный вывод тестового SMS-центра Kannel).")
    var smsFile: String?

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        let addresses = [global.registry, global.contacts, global.scheduling].contains { $0 != nil }
        if !running, addresses || smsFile != nil {
            throw ValidationError("Адреса сервисов и --sms-file — только вместе с --running: без него демонстрация запускает свои сервисы")
        }
        if global.json { throw ValidationError("У демонстрации нет ответа в JSON: она показывает шаги оператора") }
        if running, smsFile == nil { throw ValidationError("С --running укажите --sms-file: откуда брать коды входа из SMS") }
    }

    func run() async throws {
        if running { return try await runAgainstRunningServices() }
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

    /// The same workflow against services someone else started (the containers of
    /// scripts/images-smoke): the data they keep is the demo's, so it runs once per database.
    private func runAgainstRunningServices() async throws {
        // The secret signs the token that loads the portfolio and call lists into contacts;
        // from the environment only, so it never shows in the process list.
        guard let secret = ProcessInfoEnvironmentValues.all["CRM_AUTH_SECRET"], !secret.isEmpty else {
            throw ValidationError("С --running задайте CRM_AUTH_SECRET — секрет, с которым запущены сервисы")
        }
        let endpoints = try global.endpoints()
        print("Демонстрация на работающих сервисах: registry \(endpoints.registry), contacts \(endpoints.contacts), scheduling \(endpoints.scheduling)")
        let feed = try ContactsFeed(endpoints: endpoints, authSecret: secret)
        let contracts = try await feed.loadPortfolio(ContactsFeed.demoPortfolio)
        let listed = try await feed.loadCallLists(ContactsFeed.demoCallLists)
        print("  contacts: договоров в портфеле взыскания: \(contracts), клиентов в списках обзвона: \(listed)")
        let run = await Demo.perform(endpoints: endpoints, smsFile: URL(fileURLWithPath: smsFile ?? ""))
        print(run.summary)
        if !run.failures.isEmpty { throw ExitCode(1) }
    }
}
