import CRMAPI
import Foundation
import Gateway
import RPCCore
import Wire

/// The demo's steps at the prompts: the real `crm call` and `crm collect incoming`, their
/// answers typed through `Console.input` (and shown after each question, as an operator
/// would see them), the results then checked in the services.
struct PromptsDemo {
    let run: DemoRun
    let endpoints: ServiceEndpoints
    let smsFile: URL
    let directory: URL

    /// Answers typed in turn, each echoed after its question.
    final class TypedAnswers: ConsoleInput, @unchecked Sendable {
        private var lines: [String]
        init(_ lines: [String]) { self.lines = lines }
        var isInteractive: Bool { true }
        var remaining: Int { lines.count }
        func line() -> String? {
            guard !lines.isEmpty else { return nil }
            let typed = lines.removeFirst()
            FileHandle.standardError.write(Data("\(typed.isEmpty ? "⏎" : typed)\n".utf8))
            return typed
        }
    }

    func perform() async {
        let store = SessionStore(path: directory.appendingPathComponent("prompts-session.json").path)
        setenv("CRM_SESSION_FILE", store.path, 1)
        let flags = ["--registry", "\(endpoints.registry)", "--contacts", "\(endpoints.contacts)", "--scheduling", "\(endpoints.scheduling)"]

        func atPrompts(_ arguments: [String], _ answers: [String]) async throws {
            let input = TypedAnswers(answers)
            let saved = Console.input
            Console.input = input
            defer { Console.input = saved }
            try await InProcess.run(arguments + flags)
            run.expect(input.remaining == 0, "не все ответы спрошены: осталось \(input.remaining)")
        }

        /// How many calls of `kind` the card's history holds.
        func saved(_ kind: ContactsV1.CallResultKind, card: Int64, _ session: Session) async throws -> Int {
            try await history(card, session).filter { entry in
                if case .call(let call)? = entry.details { return call.kind == kind }
                return false
            }.count
        }

        func history(_ card: Int64, _ session: Session) async throws -> [ContactsV1.HistoryEntry] {
            var metadata = Metadata()
            metadata.bearerToken = session.token
            let client = endpoints.contacts.client(metadata: metadata)
            let history = ContactsV1.ContactHistory.Client(wrapping: client.rpc)
            return try await client.call { _ in try await history.listContactHistory(.init(cardID: card, pageSize: 100)) }.entries
        }

        await run.step("У подсказок: «Согласился» с двумя ошибками (31.02 и время без приёма) — каждая спрошена снова, звонок сохранён") {
            let session = try await OperatorLogin.login("vcc.ivanova", mobile: "9161234567", registry: endpoints.registry, smsFile: smsFile)
            try store.save(session)
            let before = try await saved(.agreed, card: 6, session)
            try await atPrompts(["call", "6", "--campaign", "rcp"], [
                "удобно", "интересно", "встреча назначена", "дозвонились", "согласился", "Татарстан", "Казань", "Баумана",
                "31.02.2027", "+5", "03:00", "16:00", "кредитный", "дк под залог", "н", "", "", "",
            ])
            let after = try await saved(.agreed, card: 6, session)
            run.expect(after == before + 1, "«Согласился» не сохранён: было \(before), стало \(after)")
        }

        await run.step("У подсказок: «Отказался» — копилка возражений, две разные попытки, «назад» на причине") {
            let session = try store.require()
            let before = try await saved(.refused, card: 3, session)
            try await atPrompts(["call", "3", "--campaign", "announcement_marking"], [
                "дальше", "дозвонились", "отказался", "дорого", "подумать", "назад", "подумать", "высокая", "Дорого для него", "",
            ])
            let after = try await saved(.refused, card: 3, session)
            run.expect(after == before + 1, "«Отказался» не сохранён")
        }

        await run.step("У подсказок: входящий звонок должника — неверный номер спрошен снова, «назад» с «Кто звонит» к номеру, «Перезвонить»") {
            let session = try await OperatorLogin.login("collector.volkov", mobile: "9161234573", registry: endpoints.registry, smsFile: smsFile)
            try store.save(session)
            try await atPrompts(["collect", "incoming"], ["12345", "9372888099", "назад", "9372888099", "клиент", "перезвонить", "+7", ""])
        }
    }
}
