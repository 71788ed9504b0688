import ArgumentParser
import Gateway

/// The operators' command line: every workflow of the contact centre, composed from the
/// three services over RPC. It keeps nothing but the operator's session token.
@main
struct CRM: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crm",
        abstract: "Контакт-центр: клиенты, звонки, визиты и SMS из командной строки.",
        subcommands: [Up.self, DemoCommand.self, Health.self, Methods.self, Login.self, Logout.self, WhoAmI.self, Search.self, Card.self, Call.self, Collect.self]
    )
}

/// Where the services are and how to print: shared by every command.
struct GlobalOptions: ParsableArguments {
    @Option(help: "Адрес сервиса registry (хост:порт); иначе $CRM_REGISTRY или 127.0.0.1:7101.")
    var registry: String?

    @Option(help: "Адрес сервиса contacts (хост:порт); иначе $CRM_CONTACTS или 127.0.0.1:7102.")
    var contacts: String?

    @Option(help: "Адрес сервиса scheduling (хост:порт); иначе $CRM_SCHEDULING или 127.0.0.1:7103.")
    var scheduling: String?

    @Flag(help: "Ответ в JSON, для скриптов.")
    var json = false

    func endpoints() throws -> ServiceEndpoints {
        try ServiceEndpoints.resolve(
            registry: registry, contacts: contacts, scheduling: scheduling,
            environment: ProcessInfoEnvironmentValues.all
        )
    }
}
