import ArgumentParser
import Foundation
import CRMAPI
import Gateway
import RPCCore
import Wire

struct Login: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Вход: логин, затем пароль из 10 цифр — последние 4 цифры вашего мобильного и 6-значный код из SMS."
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "Логин оператора.")
    var login: String?

    @Option(help: "Пароль из 10 цифр (без него спросит, если вы за терминалом).")
    var password: String?

    @Option(help: "Только для разработки: файл SMS-шлюза разработки, из которого взять код (вместе с --mobile).")
    var smsFile: String?

    @Option(help: "Ваш мобильный (10 цифр) — с --sms-file.")
    var mobile: String?

    func run() async throws {
        if let smsFile {
            guard let login, let mobile else { throw ValidationError("С --sms-file укажите --login и --mobile") }
            let session = try await OperatorLogin.login(
                login, mobile: mobile, registry: global.endpoints().registry, smsFile: URL(fileURLWithPath: smsFile)
            )
            try SessionStore.standard().save(session)
            print("Вы вошли: \(session.fullName), \(session.role)")
            return
        }
        let registry = try global.endpoints().registry.client()
        let auth = RegistryV1.Auth.Client(wrapping: registry.rpc)
        let login = try self.login ?? Console.ask("Логин", flag: "--login")

        let start = { () async throws -> RegistryV1.StartLoginResponse in
            try await registry.call { _ in try await auth.startLogin(RegistryV1.StartLoginRequest(login: login)) }
        }
        let started = try await start()
        if !global.json {
            print("Код отправлен в SMS на \(started.maskedMobile)")
            fflush(nil)
        }
        let complete = { (password: String) async throws -> RegistryV1.CompleteLoginResponse in
            try await registry.call { _ in
                try await auth.completeLogin(RegistryV1.CompleteLoginRequest(login: login, password: password))
            }
        }
        let completed: RegistryV1.CompleteLoginResponse
        if let password {
            // A script's password: one try.
            completed = try await complete(password)
        } else {
            completed = try await askPassword(complete: complete, resend: {
                let again = try await start()
                say("Новый код отправлен в SMS на \(again.maskedMobile)")
            })
        }
        let session = Session(
            token: completed.sessionToken,
            login: login,
            fullName: Labels.fullName(completed.operator?.fullName),
            role: completed.operator.map { Labels.role($0.role) } ?? "—",
            expiresUnixMilliseconds: completed.expiresUnixMs,
            sessionExpiresUnixMilliseconds: completed.sessionExpiresUnixMs
        )
        try SessionStore.standard().save(session)
        if global.json {
            try Console.printJSON(session.redacted)
        } else {
            print("Вы вошли: \(session.fullName), \(session.role)")
        }
    }
}

extension Login {
    static let passwordQuestion = "Пароль (4 последние цифры мобильного и код из SMS)"

    /// The password at the prompt, not echoed, until the registry accepts it: a mistyped
    /// password is asked again without spending a try, a wrong one is asked again, and the
    /// registry's lock (5 wrong tries from an address) ends the command with its time.
    func askPassword(
        complete: (String) async throws -> RegistryV1.CompleteLoginResponse, resend: () async throws -> Void
    ) async throws -> RegistryV1.CompleteLoginResponse {
        // Echo stays off from the first prompt to the last, so nothing typed ahead shows.
        try await TerminalEcho.off { () async throws -> RegistryV1.CompleteLoginResponse in
            while true {
                let answer = Result { try Console.ask(Self.passwordQuestion, flag: "--password") }
                if TerminalEcho.isSilent { FileHandle.standardError.write(Data("\n".utf8)) }
                let typed = try answer.get().trimmingCharacters(in: .whitespaces)
                if typed.lowercased() == "новый код" {
                    try await resend()
                    continue
                }
                guard typed.count == 10, typed.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                    say("Пароль — 10 цифр: 4 последние цифры мобильного и 6 цифр кода из SMS; введите ещё раз")
                    continue
                }
                do {
                    return try await complete(typed)
                } catch let error as GatewayError where error.code == .unauthenticated {
                    say("Неверный пароль, или код устарел: введите ещё раз, или «новый код»")
                }
            }
        }
    }

    func say(_ text: String) { FileHandle.standardError.write(Data((text + "\n").utf8)) }
}

struct Logout: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Выход: завершить сессию в реестре (токен больше не примет ни один сервис) и забыть её здесь."
    )

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let store = SessionStore.standard()
        guard let session = try store.load() else {
            print("Вы не вошли в систему")
            return
        }
        // Forgotten here whatever the registry answers: the file must not outlive a logout.
        defer { store.clear() }
        var metadata = Metadata()
        metadata.bearerToken = session.token
        let registry = try global.endpoints().registry.client(metadata: metadata)
        do {
            _ = try await registry.call { rpc in try await RegistryV1.Auth.Client(wrapping: rpc).logout(RegistryV1.LogoutRequest()) }
        } catch let error where error.code == .unauthenticated {
            // Already ended or expired: nothing left to end.
        } catch {
            throw GatewayError(
                "Сессия удалена с этого компьютера, но реестр не завершил её: \(error.message)"
            )
        }
        print("Сессия завершена")
    }
}

struct WhoAmI: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "whoami", abstract: "Кто вошёл в систему.")

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let session = try SessionStore.standard().require()
        if global.json {
            try Console.printJSON(session.redacted)
        } else {
            print("\(session.fullName) (\(session.login)), \(session.role)")
        }
    }
}

extension Session {
    /// The session without its token, for printing.
    var redacted: [String: String] {
        ["login": login, "fullName": fullName, "role": role]
    }
}
