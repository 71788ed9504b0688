import ArgumentParser
import Foundation
import Gateway

/// The operators' command line: every workflow of the contact centre, composed from the
/// three services over RPC. It keeps nothing but the operator's session token.
@main
struct CRM: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crm",
        abstract: "Контакт-центр: клиенты, звонки, визиты и SMS из командной строки.",
        subcommands: [Up.self, DemoCommand.self, Health.self, Methods.self, Login.self, Logout.self, WhoAmI.self, Search.self, Card.self, Call.self, Collect.self, CallList.self, Sms.self, Bki.self, Edit.self, Recommend.self]
    )

    /// An operator's error is one line in their words on stderr and exit code 1; never a
    /// stack trace.
    static func main() async {
        Progress.installForServiceCalls()
        do {
            var command = try parseAsRoot()
            if var asynchronous = command as? any AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
        } catch let error as GatewayError {
            FileHandle.standardError.write(Data((error.message + "\n").utf8))
            Foundation.exit(1)
        } catch {
            exit(withError: error)
        }
    }
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

    @Option(help: ArgumentHelp("Сертификат удостоверяющего центра (PEM): подключаться к сервисам по TLS; иначе $CRM_TLS_CA.", valueName: "FILE"))
    var tlsCa: String?
    @Option(help: ArgumentHelp("Сертификат клиента (PEM) для сервисов, требующих его (mTLS); иначе $CRM_TLS_CERT.", valueName: "FILE"))
    var tlsCert: String?
    @Option(help: ArgumentHelp("Ключ сертификата клиента (PEM); иначе $CRM_TLS_KEY.", valueName: "FILE"))
    var tlsKey: String?

    func endpoints() throws -> ServiceEndpoints {
        let environment = ProcessInfoEnvironmentValues.all
        return try ServiceEndpoints.resolve(
            registry: registry, contacts: contacts, scheduling: scheduling,
            environment: environment
        ).with(
            tlsCA: tlsCa ?? environment["CRM_TLS_CA"], certificate: tlsCert ?? environment["CRM_TLS_CERT"],
            key: tlsKey ?? environment["CRM_TLS_KEY"]
        )
    }
}
