import CRMAPI
import Foundation
import Gateway
import RPCCore
import Testing
import Wire

/// `crm` as an operator runs it (a subprocess, stdin not a terminal) against the three real
/// services: every call result of DOMAIN.md §3 and the rule refusals in operator words.
@Suite(.serialized) struct CLICallTests {
    func expectSaved(_ run: ServicesHarness.Run, _ words: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(run.status == 0, "stderr: \(run.stderr)", sourceLocation: sourceLocation)
        #expect(run.stdout.contains("Результат сохранён: \(words)"), "stdout: \(run.stdout)", sourceLocation: sourceLocation)
    }

    func expectRefused(_ run: ServicesHarness.Run, _ words: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(run.status != 0, sourceLocation: sourceLocation)
        #expect(run.stderr.contains(words), "stderr: \(run.stderr)", sourceLocation: sourceLocation)
        #expect(!run.stderr.contains("Fatal error") && !run.stderr.contains("Stack dump"), sourceLocation: sourceLocation)
        #expect(!run.stdout.contains("Результат сохранён"), sourceLocation: sourceLocation)
    }

    @Test func everyResultKindThroughTheCommandLine() async throws {
        try await ServicesHarness.with { h in
            try h.crmLogin("vcc.ivanova")
            try h.crmLogin("sales.petrov")
            try h.crmLogin("smb.sidorov")
            func vcc(_ arguments: [String]) throws -> ServicesHarness.Run { try h.crm(arguments, as: "vcc.ivanova") }

            // Не дозвонились: the rule, then with a reason.
            expectRefused(try vcc(["call", "2", "--campaign", "internet_calls", "--result", "not-reached"]),
                          "Для результата \"Не дозвонились\" нужно указать причину")
            expectSaved(try vcc(["call", "2", "--campaign", "internet_calls", "--result", "not-reached", "--reason", "Не отвечает", "--answer", "1"]),
                        "Не дозвонились; повторный звонок")
            expectSaved(try vcc(["call", "2", "--campaign", "ОБЗВОН INTERNET", "--result", "call-dropped"]), "Звонок сорвался")
            expectSaved(try vcc(["call", "2", "--incoming", "--campaign", "internet_calls", "--result", "thinking", "--date", "+5"]), "Подумаю")
            let callback = try vcc(["call", "2", "--campaign", "internet_calls", "--result", "callback", "--reason", "client-request", "--date", "+2", "--time", "15:30"])
            expectSaved(callback, "Перезвонить")
            #expect(callback.stdout.contains("15:30") && callback.stdout.contains(Labels.date(SchedulingDates.day(after: 2))))
            expectSaved(try vcc(["call", "2", "--campaign", "internet_calls", "--result", "thinking"]), "Подумаю")
            expectSaved(try vcc(["call", "3", "--campaign", "announcement_marking", "--result", "non-target", "--reason", "age"]), "Нецелевой")
            expectRefused(try vcc(["call", "3", "--campaign", "announcement_marking", "--result", "refused", "--reason", "high_rate"]),
                          "2 попытки работы с возражениями")
            expectSaved(try vcc(["call", "3", "--campaign", "announcement_marking", "--result", "refused", "--reason", "high_rate",
                                 "--objection", "expensive", "--objection", "Мне нужно подумать"]), "Отказался (НЕТ)")
            expectRefused(try vcc(["call", "6", "--campaign", "rcp", "--result", "consultation"]), "14 дней")

            // Согласился: office search, calendar, time, product, the visit SMS by the rule.
            let agreed = try vcc(["call", "6", "--campaign", "rcp", "--result", "agreed", "--region", "16", "--office-search", "Баумана",
                                  "--visit-date", "+3", "--visit-time", "11:00", "--product", "Кредитный:ДК под залог недвижимости"])
            expectSaved(agreed, "Согласился (ДА)")
            #expect(agreed.stdout.contains("Мини-офис №203") && agreed.stdout.contains("Запись в офис:"))
            #expect(agreed.stdout.contains("SMS о визите на +7 (917) 234-56-78") && agreed.stdout.contains("уйдёт"))
            let noDefaultUntick = try vcc(["call", "6", "--campaign", "rcp", "--result", "agreed", "--region", "16", "--office-search", "Баумана",
                                           "--visit-date", "+3", "--visit-time", "12:00", "--product", "dk_realty_pledge", "--no-sms"])
            expectRefused(noDefaultUntick, "снять отметку можно только у клиента без мобильного")
            expectRefused(try vcc(["call", "6", "--campaign", "rcp", "--result", "agreed", "--region", "16"]), "--visit-date")
            expectSaved(try vcc(["call", "6", "--campaign", "rcp", "--result", "consultation"]), "Консультация")

            expectRefused(try vcc(["call", "6", "--campaign", "rcp", "--result", "changed-visit-date"]), "Изменил дату прихода")
            expectSaved(try h.crm(["call", "6", "--campaign", "rcp", "--result", "changed-visit-date"], as: "sales.petrov"), "Изменил дату прихода")
            expectRefused(try vcc(["call", "3", "--campaign", "rcp", "--result", "client-visit", "--date", "+2", "--time", "15:00"]), "МСБ")
            expectSaved(try h.crm(["call", "3", "--campaign", "rcp", "--result", "client-visit", "--date", "+2", "--time", "15:00"], as: "smb.sidorov"),
                        "Выезд к клиенту")

            // Халва, each delivery way; outside a Halva campaign refused.
            let mpp = ["--result", "halva", "--delivery", "mpp", "--region", "77", "--office", "msk-mpp", "--visit-date", "+4", "--visit-time", "11:00",
                       "--employees", "40", "--address", "ул. Бахрушина, д. 32"]
            expectRefused(try vcc(["call", "1", "--campaign", "rcp"] + mpp), "Халв")
            expectSaved(try vcc(["call", "1", "--campaign", "rcg_halva_activation"] + mpp), "Халва")
            expectSaved(try vcc(["call", "1", "--campaign", "rcg_halva_activation", "--result", "halva", "--delivery", "fc", "--region", "77",
                                 "--office", "msk-tverskoy", "--visit-date", "+4", "--visit-time", "12:00", "--place", "cafe", "--address", "Тверская, 18"]), "Халва")
            let pickup = try vcc(["call", "1", "--campaign", "rcg_halva_activation", "--result", "halva", "--delivery", "self-pickup", "--region", "77",
                                  "--office", "msk-mini160", "--visit-date", "+4", "--visit-time", "14:00"])
            expectSaved(pickup, "Халва")
            #expect(pickup.stdout.contains("Запись в офис:"))

            expectRefused(try vcc(["call", "3", "--campaign", "announcement_marking", "--result", "do-not-disturb", "--reason", "no-business"]), "МСБ")
            let dnd = try vcc(["call", "3", "--campaign", "announcement_marking", "--result", "do-not-disturb", "--reason", "refused-to-talk"])
            expectSaved(dnd, "Не беспокоить; клиенту больше не звонят ни по одной кампании")

            // The card's history (contacts) and SMS (scheduling) tabs show what was done.
            let history = try vcc(["card", "6", "--tab", "history"])
            #expect(history.status == 0 && history.stdout.contains("Согласился (ДА)") && history.stdout.contains("Консультация"))
            let incoming = try vcc(["card", "2", "--tab", "history"])
            #expect(incoming.stdout.contains("Входящий звонок") && incoming.stdout.contains("Исходящий звонок"), "\(incoming.stdout)")
            let sms = try vcc(["card", "6", "--tab", "sms"])
            #expect(sms.status == 0 && sms.stdout.contains("Ждем Вас"), "stdout: \(sms.stdout)")
        }
    }

    @Test func scriptsGetErrorsNamingTheMissingFlagAndADownServiceIsOneLine() async throws {
        try await ServicesHarness.with { h in
            try h.crmLogin("vcc.ivanova")
            // The next client due on a campaign's list, leased to this operator.
            let next = try h.crm(["call", "--next", "--campaign", "internet_calls", "--result", "call-dropped"], as: "vcc.ivanova")
            #expect(next.status == 0 && next.stdout.contains("Из списка кампании: карточка") && next.stdout.contains("повторный звонок"), "\(next.stderr)")
            // --json: only the answer, for scripts.
            let json = try h.crm(["call", "2", "--campaign", "internet_calls", "--result", "call-dropped", "--json"], as: "vcc.ivanova")
            let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
            #expect(object?["kind"] as? String == "CALL_RESULT_KIND_CALL_DROPPED", "\(json.stdout)")

            // «Выйти без сохранения результата»: nothing in the history.
            let discarded = try h.crm(["call", "4", "--campaign", "rcp", "--discard", "--answer", "1"], as: "vcc.ivanova")
            #expect(discarded.status == 0 && discarded.stdout.contains("ничего не записано"), "\(discarded.stderr)")
            let untouched = try h.crm(["card", "4", "--tab", "history"], as: "vcc.ivanova")
            #expect(untouched.stdout.contains("Контактов не было"), "\(untouched.stdout)")
            let noCampaign = try h.crm(["call", "2", "--result", "call-dropped"], as: "vcc.ivanova")
            #expect(noCampaign.status != 0 && noCampaign.stderr.contains("--campaign"))
            let noResult = try h.crm(["call", "2", "--campaign", "internet_calls"], as: "vcc.ivanova")
            #expect(noResult.status != 0 && noResult.stderr.contains("--result"))
            // Every service but the one stopped answers: the error names it and its address, in one line.
            let down = try h.crm(["call", "--contacts", "127.0.0.1:1", "2", "--campaign", "internet_calls", "--result", "call-dropped"], as: "vcc.ivanova")
            #expect(down.status != 0)
            #expect(down.stderr.trimmingCharacters(in: .whitespacesAndNewlines) == "Сервис contacts (127.0.0.1:1) недоступен: не удаётся подключиться")
            let registryDown = try h.crm(["search", "--registry", "127.0.0.1:1", "--phone", "9372888099"], as: "vcc.ivanova")
            #expect(registryDown.stderr.trimmingCharacters(in: .whitespacesAndNewlines) == "Сервис registry (127.0.0.1:1) недоступен: не удаётся подключиться")
        }
    }

    /// At a terminal the missing choices are asked for (a pseudo-terminal through script(1)),
    /// in the manual's order: script, «Дозвонились до клиента?», the result's fields.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script") && FileManager.default.isExecutableFile(atPath: "/usr/bin/timeout")))
    func aTerminalIsAskedWhatTheFlagsDoNotSay() async throws {
        try await ServicesHarness.with { h in
            try h.crmLogin("vcc.ivanova")
            // Campaign 2 (ОБЗВОН INTERNET); the script left; a wrong first-level answer asked again;
            // «не дозв» (Не дозвонились), reason 2 (Не отвечает); no comment; Enter saves.
            let run = try h.crmAtTerminal(["call", "2"], as: "vcc.ivanova", input: "2\nдальше\nнет такой\nне дозв\n2\n\n\n")
            #expect(run.stdout.contains("Меня зовут Мария") && !run.stdout.contains("<имя>"), "\(run.stdout)")
            #expect(run.stdout.contains("Дозвонились до клиента?") && run.stdout.contains("«нет такой» — нет такого варианта"), "\(run.stdout)")
            #expect(run.stdout.contains("Результат сохранён: Не дозвонились"), "\(run.stdout)")
            // The client changes their mind before the save: «изменить», confirmed «д», then Звонок сорвался.
            let changed = try h.crmAtTerminal(["call", "2", "--campaign", "internet_calls"], as: "vcc.ivanova",
                                              input: "дальше\nне дозв\n2\n\nизменить\nд\nзвонок\n\n\n")
            #expect(changed.stdout.contains("Вы хотите изменить ранее выбранный результат?"), "\(changed.stdout)")
            #expect(changed.stdout.contains("Результат сохранён: Звонок сорвался"), "\(changed.stdout)")
            let left = try h.crmAtTerminal(["call", "2", "--campaign", "internet_calls", "--result", "thinking"], as: "vcc.ivanova",
                                           input: "дальше\n\n\n\nвыйти\n")
            #expect(left.stdout.contains("Выход без сохранения результата") && !left.stdout.contains("Результат сохранён"), "\(left.stdout)")
        }
    }

    /// The real binary at a pseudo-terminal: «Согласился» from the script to the save, with two
    /// mistakes on the way (an impossible date, a time the office does not receive), each
    /// asked again; the visit booked and its SMS planned.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script") && FileManager.default.isExecutableFile(atPath: "/usr/bin/timeout")))
    func anAgreedCallAtATerminalWithTwoMistakes() async throws {
        try await ServicesHarness.with { h in
            try h.crmLogin("vcc.ivanova")
            let answers = ["удобно", "интересно", "встреча назначена", "дозвонились", "согласился", "Татарстан", "Казань", "Баумана",
                           "31.02.2027", "+3", "03:00", "11:00", "кредитный", "дк под залог", "н", "", "", ""]
            let run = try h.crmAtTerminal(["call", "6", "--campaign", "rcp"], as: "vcc.ivanova", input: answers.joined(separator: "\n") + "\n")
            let screen = run.stdout
            #expect(run.status == 0, "\(screen)")
            #expect(screen.contains("такой даты нет: «31.02.2027»") && screen.contains("в 03:00 приёма нет"), "\(screen)")
            #expect(screen.contains("Календарь Мини-офис №203") && screen.contains("Записан: Мини-офис №203"), "\(screen)")
            #expect(screen.contains("Результат сохранён: Согласился (ДА)") && screen.contains("SMS о визите на"), "\(screen)")
            let history = try h.crm(["card", "6", "--tab", "history"], as: "vcc.ivanova")
            #expect(history.stdout.contains("Согласился (ДА)"), "\(history.stdout)")
        }
    }

    /// Scripted: an unfinished call with a chosen result is not silently replaced by another
    /// result; --confirm-change replaces it in the same call.
    @Test func aScriptChangesAChosenResultOnlyWithConfirmChange() async throws {
        try await ServicesHarness.with { h in
            try h.crmLogin("vcc.ivanova")
            // The pending journal of an interrupted run, as a stopped service leaves it: the call
            // session is open with Перезвонить chosen (the draft set), the save never answered.
            let session = try await h.login("vcc.ivanova")
            let clients = h.clients(session)
            let backend = RPCCallBackend(contacts: clients.contacts, scheduling: clients.scheduling)
            let card = try #require(try await RegistryV1.ClientRegistry.Client(wrapping: clients.registry.rpc).getCard(.init(cardID: 2)).card)
            var plan = CallPlan(cardID: 2, cardType: card.type, clientRegion: card.region, clientName: card.fullName, campaignID: "internet_calls",
                                direction: .outgoing, result: .plain(ContactsV1.CallResult(firstLevel: .callDropped(.init()))))
            let pending = PendingCalls(path: h.directory.appendingPathComponent("sessions/pending-calls.json").path)
            var lost = GatewayError("связь прервана", code: .unavailable)
            lost.outcomeUnknown = true
            _ = await #expect(throws: GatewayError.self) {
                _ = try await CallComposer(backend: FaultyBackend(base: backend, failing: .save, error: lost), pending: pending,
                                           operatorLogin: session.login, say: { _ in }).perform(plan)
            }
            #expect(pending.otherResult(of: plan.callFingerprint(operator: session.login), than: "") != nil)

            // At the prompts the result's questions come first (script left, date, time, comment,
            // save), then the confirmation: «н» keeps the earlier result.
            let terminalNo = try h.crmAtTerminal(["call", "2", "--campaign", "internet_calls", "--result", "thinking"], as: "vcc.ivanova",
                                                 input: "дальше\n\n\n\n\nн\n")
            #expect(terminalNo.stdout.contains("В незавершённом звонке выбран результат «Звонок сорвался». Вы хотите изменить ранее выбранный результат?")
                    && !terminalNo.stdout.contains("Результат сохранён"), "\(terminalNo.stdout)")
            let refused = try h.crm(["call", "2", "--campaign", "internet_calls", "--result", "thinking"], as: "vcc.ivanova")
            #expect(refused.status != 0 && refused.stderr.contains("Вы хотите изменить ранее выбранный результат?")
                    && refused.stderr.contains("Звонок сорвался") && refused.stderr.contains("--confirm-change"), "\(refused.stderr)")
            let changed = try h.crm(["call", "2", "--campaign", "internet_calls", "--result", "thinking", "--confirm-change"], as: "vcc.ivanova")
            #expect(changed.status == 0 && changed.stdout.contains("меняется на «Дозвонились; Подумаю") && changed.stdout.contains("Результат сохранён: Подумаю"), "\(changed.stdout)\n\(changed.stderr)")
            let history = try h.crm(["card", "2", "--tab", "history"], as: "vcc.ivanova")
            #expect(history.stdout.contains("Подумаю") && !history.stdout.contains("Звонок сорвался"), "\(history.stdout)")

            // At a terminal the operator answers the questions, then confirms the change: «д».
            plan.result = .plain(ContactsV1.CallResult(firstLevel: .reached(ContactsV1.ReachedResult(result: .thinking(.init())))))
            _ = await #expect(throws: GatewayError.self) {
                _ = try await CallComposer(backend: FaultyBackend(base: backend, failing: .save, error: lost), pending: pending,
                                           operatorLogin: session.login, say: { _ in }).perform(plan)
            }
            let terminalYes = try h.crmAtTerminal(["call", "2", "--campaign", "internet_calls", "--result", "call-dropped"], as: "vcc.ivanova",
                                                  input: "дальше\n\n\nд\n")
            #expect(terminalYes.stdout.contains("Результат сохранён: Звонок сорвался"), "\(terminalYes.stdout)")
            let pendingLeft = pending.otherResult(of: plan.callFingerprint(operator: session.login), than: "")
            #expect(pendingLeft == nil)
        }
    }

    @Test func cardEditsSmsBureauAndRecommendation() async throws {
        try await ServicesHarness.with { h in
            try h.crmLogin("vcc.ivanova")
            try h.crmLogin("office.smirnova")
            func vcc(_ arguments: [String]) throws -> ServicesHarness.Run { try h.crm(arguments, as: "vcc.ivanova") }
            let refused = try vcc(["edit", "personal", "1", "--surname", "Смирнов-Петров"])
            #expect(refused.status != 0 && refused.stderr.contains("Личные данные можно менять только"))
            let edited = try vcc(["edit", "personal", "2", "--patronymic", "Викторович (испр.)", "--comment", "уточнил клиент"])
            #expect(edited.status == 0 && edited.stdout.contains("Викторович (испр.)"), "\(edited.stderr)")
            // An operator who read the card before that edit: ABORTED in operator words.
            let stale = try vcc(["edit", "personal", "2", "--surname", "Смирнофф", "--expected-version", "1"])
            #expect(stale.status != 0 && stale.stderr.contains("Карточку изменил другой сотрудник") && stale.stderr.contains("crm card"), "\(stale.stderr)")
            let added = try vcc(["edit", "add-contact", "2", "--kind", "contact", "--value", "+7 (916) 555-12-34"])
            #expect(added.status == 0, "\(added.stderr)")
            let struck = try vcc(["edit", "strike-contact", "2", "--entry", "contact", "--reason", "not-in-use"])
            #expect(struck.status == 0 && struck.stdout.contains("вычеркнут: Не используется"), "\(struck.stderr)")
            let changes = try vcc(["card", "2", "--tab", "changes"])
            #expect(changes.stdout.contains("Не используется"))

            let sms = try vcc(["sms", "send", "1", "--template", "Ссылка на МП"])
            #expect(sms.status == 0 && sms.stdout.contains("Скачайте мобильное приложение Халва"), "\(sms.stderr)")

            let bureau = try vcc(["bki", "1"])
            #expect(bureau.status == 0 && bureau.stdout.contains("ОТКАЗ"), "\(bureau.stderr)")
            let again = try vcc(["bki", "1"])
            #expect(again.stdout.contains("Взято решение"))
            let history = try vcc(["card", "1", "--tab", "history"])
            #expect(history.stdout.contains("Решение БКИ") || history.stdout.contains("Решение: Отказ"), "\(history.stdout)")

            let recommendArgs = ["recommend", "1", "--surname", "Смирнова", "--name", "Татьяна", "--patronymic", "Алексеевна",
                                 "--birth-date", "20.05.1988", "--mobile", "+7 917 100-20-30"]
            let denied = try vcc(recommendArgs)
            #expect(denied.status != 0 && denied.stderr.contains("сотрудникам офиса"))
            let created = try h.crm(recommendArgs, as: "office.smirnova")
            #expect(created.status == 0 && created.stdout.contains("Рекомендация"), "\(created.stderr)")
            let repeated = try h.crm(recommendArgs, as: "office.smirnova")
            #expect(repeated.stdout == created.stdout, "the same recommendation twice made two cards")
        }
    }
}
