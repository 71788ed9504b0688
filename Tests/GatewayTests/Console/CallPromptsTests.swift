import Foundation
import Gateway
import Testing
import Wire
@testable import crm

/// One answer typed at a prompt. `free`: any text is a right answer there (an address, a
/// search string), so no wrong answer is typed before it.
struct Typed: ExpressibleByStringLiteral {
    var text: String
    var free = false
    init(stringLiteral text: String) { self.text = text }
    init(_ text: String, free: Bool) {
        self.text = text
        self.free = free
    }

    /// A wrong answer before every right one that has a wrong answer: «0» is no number in a
    /// list, no date, no time, no phone, no yes or no, and no count of employees.
    static func wrongFirst(_ answers: [Typed]) -> [String] {
        answers.flatMap { $0.free ? [$0.text] : ["0", $0.text] }
    }

    /// «назад» at every question after the first: the question before is asked again (and
    /// answered as before), then this one.
    static func backAtEach(_ answers: [Typed]) -> [String] {
        guard let first = answers.first else { return [] }
        var typed = [first.text]
        for index in answers.indices.dropFirst() {
            typed += ["назад", answers[index - 1].text, answers[index].text]
        }
        return typed
    }

    /// «отмена» at every question, declined: the same question is asked again.
    static func cancelDeclinedAtEach(_ answers: [Typed]) -> [String] {
        answers.flatMap { ["отмена", "н", $0.text] }
    }
}

/// The real prompts of `crm call` and `crm collect incoming`, driven through
/// `Console.input` in this process against the three real services: every CRM2 result and
/// every ВИВА frame completed without a flag, a wrong answer at each question asked again,
/// «назад» and «отмена» at each question, and the call saved in the end.
extension ConsoleTests {
    /// `crm <arguments>` with `answers` typed at its prompts, as `login`; every answer must
    /// be read (a flow that ended early, or asked more, fails the test).
    func atPrompts(_ h: ServicesHarness, as login: String, _ arguments: [String], _ answers: [String], sourceLocation: SourceLocation = #_sourceLocation) async throws {
        setenv("CRM_SESSION_FILE", h.directory.appendingPathComponent("sessions/\(login).json").path, 1)
        let input = ScriptedInput(answers)
        let saved = Console.input
        Console.input = input
        defer { Console.input = saved }
        try await InProcess.run(arguments + [
            "--registry", "\(h.endpoints.registry)", "--contacts", "\(h.endpoints.contacts)", "--scheduling", "\(h.endpoints.scheduling)",
        ])
        #expect(input.remaining == 0, "\(input.remaining) answers were not asked for", sourceLocation: sourceLocation)
    }

    /// How many entries of the card's history hold `label` (a result kind's wire name).
    func historyCount(_ h: ServicesHarness, card: Int, _ label: String, as login: String = "vcc.ivanova") throws -> Int {
        let run = try h.crm(["card", "\(card)", "--tab", "history", "--json"], as: login)
        // Each history entry (an object with a result label), as text: the label of a
        // second-level result may sit in the entry's details rather than its result label.
        func entries(_ value: Any) -> [String] {
            if let object = value as? [String: Any] {
                if object["resultLabel"] != nil {
                    return [(try? JSONSerialization.data(withJSONObject: object)).map { String(decoding: $0, as: UTF8.self) } ?? ""]
                }
                return object.values.flatMap(entries)
            }
            return (value as? [Any])?.flatMap(entries) ?? []
        }
        let parsed = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8))
        let found = entries(parsed)
        return found.filter { $0.contains(label) }.count
    }

    /// Runs one flow four ways — as answered, with a wrong answer before each, with «назад»
    /// at each question, with «отмена» declined at each — and expects four saved calls.
    func everyWay(
        _ h: ServicesHarness, as login: String = "vcc.ivanova", card: Int, campaign: String, saved label: String,
        _ answers: [Typed], ways: [([Typed]) -> [String]] = [{ $0.map(\.text) }, Typed.wrongFirst, Typed.backAtEach, Typed.cancelDeclinedAtEach],
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let before = try historyCount(h, card: card, label, as: login)
        for way in ways {
            try await atPrompts(h, as: login, ["call", "\(card)", "--campaign", campaign], way(answers), sourceLocation: sourceLocation)
        }
        let after = try historyCount(h, card: card, label, as: login)
        #expect(after == before + ways.count, "\(label): \(before) → \(after)", sourceLocation: sourceLocation)
    }

    @Test func everyCallResultAtThePromptsWithMistakesBackAndCancelOnTheWay() async throws {
        try await ServicesHarness.with { h in
            for login in ["vcc.ivanova", "sales.petrov", "smb.sidorov"] { try h.crmLogin(login) }
            // «Дозвонились до клиента?» first level.
            try await everyWay(h, card: 2, campaign: "internet_calls", saved: "KIND_NOT_REACHED",
                               ["дальше", "не дозв", "не отвечает", Typed("", free: true), ""])
            try await everyWay(h, card: 2, campaign: "internet_calls", saved: "KIND_CALL_DROPPED",
                               ["Дальше без скрипта", "звонок", Typed("", free: true), ""])
            // Second level, each with its fields and a comment.
            try await everyWay(h, card: 2, campaign: "internet_calls", saved: "KIND_THINKING",
                               ["дальше", "дозвонились", "подумаю", "", Typed("", free: true), Typed("После отпуска", free: true), ""])
            try await everyWay(h, card: 2, campaign: "internet_calls", saved: "KIND_CALLBACK",
                               ["дальше", "дозвонились", "перезвонить", "просьба", "", "", Typed("", free: true), ""])
            try await everyWay(h, card: 2, campaign: "internet_calls", saved: "клиент перезвонит сам",
                               ["дальше", "дозвонились", "перезвонить", "клиент перезвонит", Typed("", free: true), ""],
                               ways: [{ $0.map(\.text) }, Typed.backAtEach])
            try await everyWay(h, card: 3, campaign: "announcement_marking", saved: "KIND_NON_TARGET",
                               ["дальше", "дозвонились", "нецелевой", "возраст", Typed("", free: true), ""])
            // «Отказался»: the копилка возражений opened by the script, two distinct attempts.
            try await everyWay(h, card: 3, campaign: "announcement_marking", saved: "KIND_REFUSED",
                               ["удобно", "возражение", "дорого", "подумать", "отказывается", "дозвонились", "отказался", "высокая",
                                Typed("Дорого для него", free: true), ""])
            // … or by the result itself when the script did not.
            try await everyWay(h, card: 3, campaign: "announcement_marking", saved: "KIND_REFUSED",
                               ["дальше", "дозвонились", "отказался", "нет времени", "другом банке", "не интересно", Typed("", free: true), ""])
            // «Согласился»: region → settlement → search → office → date → time → products → SMS.
            try await everyWay(h, card: 6, campaign: "rcp", saved: "KIND_AGREED",
                               ["удобно", "интересно", "встреча назначена", "дозвонились", "согласился", "Татарстан", "Казань",
                                Typed("Баумана", free: true), "+3", "11:00", "кредитный", "дк под залог", "д", "депозит", "вклад", "н", "", Typed("", free: true), ""],
                               ways: [{ $0.map(\.text) }, Typed.wrongFirst])
            try await everyWay(h, card: 6, campaign: "rcp", saved: "KIND_AGREED",
                               ["дальше", "дозвонились", "согласился", "Татарстан", "Казань", Typed("Баумана", free: true), "+3", "12:00",
                                "кредитный", "дк под залог", "н", "", Typed("", free: true), ""],
                               ways: [Typed.backAtEach, Typed.cancelDeclinedAtEach])
            try await everyWay(h, card: 6, campaign: "rcp", saved: "KIND_CONSULTATION", ["дальше", "консультация", Typed("", free: true), ""])
            // Role: «Изменил дату прихода» is offered to sales, «Выезд к клиенту» to SMB.
            try await everyWay(h, as: "sales.petrov", card: 6, campaign: "rcp", saved: "KIND_CHANGED_VISIT_DATE",
                               ["дальше", "дозвонились", "изменил", Typed("", free: true), ""])
            try await everyWay(h, as: "smb.sidorov", card: 3, campaign: "rcp", saved: "KIND_CLIENT_VISIT",
                               ["дальше", "выезд", "+2", "15:00", Typed("", free: true), ""])
            // Халва, each way; МПП where the city has none becomes ФК.
            try await everyWay(h, card: 1, campaign: "rcg_halva_activation", saved: "KIND_HALVA",
                               ["дальше", "дозвонились", "халва", "мпп", "Москва", Typed("", free: true), "+4", "11:00", "40",
                                Typed("ул. Бахрушина, д. 32", free: true), Typed("", free: true), ""],
                               ways: [{ $0.map(\.text) }, Typed.wrongFirst])
            try await everyWay(h, card: 1, campaign: "rcg_halva_activation", saved: "KIND_HALVA",
                               ["дальше", "дозвонились", "халва", "мпп", "Татарстан", "Казань", Typed("", free: true), "+4", "12:00", "кафе",
                                Typed("ул. Баумана, 44", free: true), Typed("", free: true), ""],
                               ways: [{ $0.map(\.text) }, Typed.backAtEach])
            try await everyWay(h, card: 1, campaign: "rcg_halva_activation", saved: "KIND_HALVA",
                               ["дальше", "дозвонились", "халва", "самовывоз", "Москва", Typed("", free: true), "№160", "+4", "14:00", "",
                                Typed("", free: true), ""],
                               ways: [{ $0.map(\.text) }, Typed.cancelDeclinedAtEach])
            // «Не беспокоить» last: the client is called no more.
            try await everyWay(h, card: 3, campaign: "announcement_marking", saved: "KIND_DO_NOT_DISTURB",
                               ["дальше", "не беспокоить", "отказ от разговора", Typed("", free: true), ""], ways: [{ $0.map(\.text) }])

            // «отмена» confirmed, or «Выйти без сохранения»: nothing written.
            let agreed = try historyCount(h, card: 6, "KIND_AGREED")
            try await atPrompts(h, as: "vcc.ivanova", ["call", "6", "--campaign", "rcp"], ["дальше", "дозвонились", "согласился", "отмена", "д"])
            try await atPrompts(h, as: "vcc.ivanova", ["call", "6", "--campaign", "rcp"], ["дальше", "дозвонились", "подумаю", "", "", "", "выйти"])
            #expect(try historyCount(h, card: 6, "KIND_AGREED") == agreed)
        }
    }

    @Test func everyIncomingCallFrameAtThePromptsWithMistakesBackAndCancel() async throws {
        try await ServicesHarness.with { h in
            try h.crmLogin("collector.volkov")
            func collector(_ answers: [String]) async throws {
                try await atPrompts(h, as: "collector.volkov", ["collect", "incoming"], answers)
            }
            let flows: [[Typed]] = [
                ["+7 951-018-70-60", "3-е", "информация", "Сестра клиента"],
                ["+7 951-018-70-60", "3-е", "отказ от коммуникации", "Брат, просил не звонить"],
                ["+7 951-018-70-60", "3-е", "проблемный", "Соседка"],
                ["9372888099", "клиент", "перезвонить", "+10", ""],
                ["9372888099", "клиент", "рефинансирование"],
                ["9372888099", "клиент", "отказ", "отказ клиента"],
                ["9372888099", "клиент", "готов", "+3", "18:00"],
            ]
            for (index, flow) in flows.enumerated() {
                // A third party's comment is required: an empty one is the wrong answer there.
                let wrong = Typed.wrongFirst(flow).enumerated().map { $0.offset == 6 && index < 3 ? "" : $0.element }
                for answers in [flow.map(\.text), wrong, Typed.backAtEach(flow), Typed.cancelDeclinedAtEach(flow)] {
                    try await collector(answers)
                }
            }
            // An unknown number: the name with Отчество or «без отчества», the birth date optional.
            try await collector(["9990001122", "Смирнов", "Алексей", "Викторович", "", "клиент", "перезвонить", "+1", ""])
            // «Без отчества» finds no «Смирнов Алексей Викторович»: the name is asked again.
            try await collector(["9990001122", "Смирнов", "назад", "Смирнов", "Алексей", "без отчества", "31.02.1980", "",
                                 "Смирнов", "Алексей", "Викторович", "", "клиент", "перезвонить", "+1", "назад", "+2", ""])
            // «отмена» confirmed at «Кто звонит»: nothing saved, the process closed.
            try await collector(["9372888099", "отмена", "д"])
        }
    }

    @Test func anSmsToADictatedNumberAndARecommendationAtThePrompts() async throws {
        try await ServicesHarness.with { h in
            try h.crmLogin("vcc.ivanova")
            try h.crmLogin("office.smirnova")
            // The template by a beginning of its name; the number the client dictates (a wrong one
            // asked again), read back and confirmed; «назад» at the confirmation returns to the number.
            let sms: [Typed] = ["ссылка", "903 111-22-33", "1"]
            for answers in [sms.map(\.text), Typed.wrongFirst(sms), Typed.backAtEach(sms), Typed.cancelDeclinedAtEach(sms)] {
                try await atPrompts(h, as: "vcc.ivanova", ["sms", "send", "1"], answers)
            }
            let sent = try h.crm(["card", "1", "--tab", "sms", "--json"], as: "vcc.ivanova")
            #expect(sent.stdout.components(separatedBy: "9031112233").count - 1 == 4, "\(sent.stdout)")
            // Declined at the confirmation: nothing sent.
            try await atPrompts(h, as: "vcc.ivanova", ["sms", "send", "1"], ["ссылка", "9031112244", "не отправлять"])
            #expect(!(try h.crm(["card", "1", "--tab", "sms", "--json"], as: "vcc.ivanova")).stdout.contains("9031112244"))

            // «Ввод рекомендации»: «без отчества», the region by default, a bad date and a bad phone asked again.
            let recommendation: [Typed] = [Typed("Петрова", free: true), Typed("Ирина", free: true), Typed("без отчества", free: true), "", "01.02.1990",
                                           "9031112299", ""]
            try await atPrompts(h, as: "office.smirnova", ["recommend", "1"], Typed.wrongFirst(recommendation))
            try await atPrompts(h, as: "office.smirnova", ["recommend", "1"],
                                Typed.backAtEach(recommendation.map { Typed($0.text == "9031112299" ? "9031112288" : $0.text, free: $0.free) }))
            for phone in ["9031112299", "9031112288"] {
                let found = try h.crm(["search", "--phone", phone], as: "office.smirnova")
                #expect(found.stdout.contains("Петрова Ирина") && !found.stdout.contains("Петрова Ирина Без"), "\(found.stdout)")
            }
        }
    }

    @Test func anInterruptedIncomingCallResumesByItsContractOrCard() async throws {
        try await ServicesHarness.with { h in
            try h.crmLogin("collector.volkov")
            func collector(_ arguments: [String]) throws -> ServicesHarness.Run { try h.crm(arguments, as: "collector.volkov") }
            // A script stops at «Кто звонит»: the process stays open and the error says how to go on.
            let stopped = try collector(["collect", "incoming", "--phone", "9372888099"])
            #expect(stopped.status != 0 && stopped.stderr.contains("--resume"), "\(stopped.stderr)")
            let resumed = try collector(["collect", "incoming", "--resume", "Z600531987509", "--caller", "client", "--result", "refinancing"])
            #expect(resumed.status == 0 && resumed.stdout.contains("Продолжить звонок") && resumed.stdout.contains("(сохранено)"), "\(resumed.stderr)")
            // By the debtor's card (the one identification finds on the number), then cancelled.
            let clients = h.clients(try await h.login("collector.volkov"))
            let match = try #require(try await IncomingCall(registry: clients.registry, contacts: clients.contacts).identify(phone: "9372888099").first)
            _ = try collector(["collect", "incoming", "--phone", "9372888099"])
            let byCard = try collector(["collect", "incoming", "--resume", "\(match.cardID)", "--cancel"])
            #expect(byCard.status == 0 && byCard.stdout.contains("Звонок отменён"), "\(byCard.stdout)\(byCard.stderr)")
            let none = try collector(["collect", "incoming", "--resume", "Z600531987509", "--cancel"])
            #expect(none.status != 0 && none.stderr.contains("Открытого звонка"), "\(none.stderr)")
        }
    }

    @Test func theWorkListSaysWhatTheLawHoldsBackAndWhenItOpens() async throws {
        try await ServicesHarness.with { h in
            try h.crmLogin("collector.volkov")
            let list = try h.crm(["collect", "list", "--held-back", "--json"], as: "collector.volkov")
            let object = try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [String: Any]
            let held = object?["heldBack"] as? [[String: Any]] ?? []
            let count = (object?["heldBackCount"] as? Int) ?? 0
            #expect(held.count == count, "\(list.stdout)")
            let now = Date().timeIntervalSince1970 * 1000
            for row in held {
                let opens = (row["opensAtUnixMs"] as? Double) ?? Double((row["opensAtUnixMs"] as? String).flatMap(Int64.init) ?? 0)
                #expect(opens > now, "a held-back task opens later, never now: \(row)")
            }
            let text = try h.crm(["collect", "list", "--held-back"], as: "collector.volkov")
            if count > 0 {
                #expect(text.stdout.contains("Отложено по 230-ФЗ сейчас: \(count)") && text.stdout.contains("ОТКРОЕТСЯ"), "\(text.stdout)")
            }
            // --check names the debtor's local time, and on a refusal the next allowed moment.
            let check = try h.crm(["collect", "outgoing", "Z600531987509", "--phone", "9372888099", "--check"], as: "collector.volkov")
            #expect(check.stdout.contains("У должника сейчас"), "\(check.stdout)")
            if check.status != 0 {
                #expect(check.stdout.contains("Следующий разрешённый момент"), "\(check.stdout)")
            }
        }
    }
}
