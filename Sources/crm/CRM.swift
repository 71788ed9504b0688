import ArgumentParser
import Foundation
import Gateway
import RPCCore

/// The operators' command line: every workflow of the contact centre, composed from the
/// three services over RPC. It keeps nothing but the operator's session token.
@main
struct CRM: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crm",
        abstract: "Контакт-центр: клиенты, звонки, визиты и SMS из командной строки.",
        subcommands: [Up.self, DemoCommand.self, Health.self, Methods.self, Login.self, Logout.self, WhoAmI.self, Search.self, Card.self, Apd.self, Call.self, Collect.self, CallList.self, Sms.self, Bki.self, Edit.self, Recommend.self]
    )

    /// An operator's error is one line in their words on stderr and exit code 1 (the
    /// parser's: its message in Russian, the usage, and its own exit code); never a stack
    /// trace. With --json the same error is a JSON object on stdout, with the same exit code.
    static func main() async {
        Progress.installForServiceCalls()
        let json = CommandLine.arguments.dropFirst().contains("--json")
        if let said = CommandLineErrors.unknownCommand(Array(CommandLine.arguments.dropFirst()), root: CRM.self) {
            report(CommandFailure(code: "INVALID_ARGUMENT", message: said.message, usage: said.usage), json: json, exitCode: ExitCode.validationFailure.rawValue)
        }
        do {
            var command = try parseAsRoot()
            if var asynchronous = command as? any AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
        } catch let error as GatewayError {
            report(CommandFailure(error), json: json, exitCode: 1)
        } catch let error as ValidationError {
            // Thrown by a command's run (a flag that needs another): the parser would prefix
            // it with «Error:» and the root's usage.
            report(CommandFailure(code: "INVALID_ARGUMENT", message: error.message), json: json, exitCode: ExitCode.validationFailure.rawValue)
        } catch let exit as ExitCode {
            // A command that has said all it had to (`health` with a service down): only the code.
            fflush(nil)
            Foundation.exit(exit.rawValue)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                // --help, or a command's clean exit: help goes to stdout, as the parser does.
                // Narrower than the terminal: the Russian words are longer than the English.
                print(CommandLineErrors.russianHelp(fullMessage(for: error, columns: max(40, TextTable.terminalWidth() - 8))))
                Foundation.exit(0)
            }
            if let said = CommandLineErrors.russian(error, root: CRM.self) {
                report(CommandFailure(code: "INVALID_ARGUMENT", message: said.message, usage: said.usage), json: json, exitCode: code.rawValue)
            }
            report(CommandFailure(code: "ERROR", message: fullMessage(for: error)), json: json, exitCode: code.rawValue)
        }
    }

    static func report(_ failure: CommandFailure, json: Bool, exitCode: Int32) -> Never {
        if json {
            try? Console.printJSON(failure)
        } else {
            let text = failure.message + (failure.usage.map { "\n" + $0 } ?? "")
            FileHandle.standardError.write(Data((text + "\n").utf8))
        }
        fflush(nil)
        Foundation.exit(exitCode)
    }
}

/// An error as `--json` prints it: the RPC status code (or INVALID_ARGUMENT for the command
/// line, ERROR for the console's own), the message as the operator reads it, the request field
/// it is about, and the reason code may decide by.
struct CommandFailure: Encodable {
    var code: String
    var message: String
    var field: String?
    var reason: String?
    var usage: String?

    init(code: String, message: String, field: String? = nil, reason: String? = nil, usage: String? = nil) {
        self.code = code
        self.message = message
        self.field = field
        self.reason = reason
        self.usage = usage
    }

    init(_ error: GatewayError) {
        self.init(
            code: error.code.map { "\($0)" } ?? (error.field == nil ? "ERROR" : "INVALID_ARGUMENT"),
            message: error.message, field: error.field, reason: error.reason?.rawValue
        )
    }

    enum CodingKeys: String, CodingKey { case code, message, field, reason }

    /// Every key present (null when absent), so a script reads `field` without guessing.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(code, forKey: .code)
        try container.encode(message, forKey: .message)
        try container.encode(field, forKey: .field)
        try container.encode(reason, forKey: .reason)
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
