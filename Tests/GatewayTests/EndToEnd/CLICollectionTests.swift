import Foundation
import Gateway
import Testing

/// `crm collect` and `crm collect incoming` against the real services: every incoming-call
/// kind of DOMAIN.md §7, back and cancel, and a third-party session that prints nothing
/// about the debt.
@Suite(.serialized) struct CLICollectionTests {
    @Test func everyIncomingCallKindThroughTheCommandLine() async throws {
        try await ServicesHarness.with { h in
            try h.crmLogin("collector.volkov")
            func collector(_ arguments: [String]) throws -> ServicesHarness.Run { try h.crm(arguments, as: "collector.volkov") }

            let list = try collector(["collect"])
            #expect(list.status == 0 && list.stdout.contains("Активных задач:") && list.stdout.contains("Z600531987511"), "\(list.stdout)")
            #expect(!list.stdout.contains("Z600531987510"))

            // Back at 800 returns to 200; cancel at 800 records nothing.
            let cancelled = try collector(["collect", "incoming", "--phone", "8 937 288 80 99", "--back-at", "800", "--cancel-at", "800"])
            #expect(cancelled.status == 0 && cancelled.stdout.contains("← Вернуться назад") && cancelled.stdout.contains("ничего не сохранено"))

            // Third party: a blank comment is refused; each result saved; nothing about the debt printed.
            let blank = try collector(["collect", "incoming", "--phone", "+7 951-018-70-60", "--caller", "third-party",
                                       "--result", "info-will-be-passed", "--comment", " "])
            #expect(blank.status != 0 && blank.stderr.contains("Комментарий обязателен"))
            for result in ["info-will-be-passed", "refused-communication", "problem-client"] {
                let run = try collector(["collect", "incoming", "--phone", "+7 951-018-70-60", "--caller", "third-party",
                                         "--result", result, "--comment", "Сестра клиента"])
                #expect(run.status == 0 && run.stdout.contains("(сохранено)"), "\(run.stderr)")
                let afterChoice = run.stdout.components(separatedBy: "Фрейм 900").dropFirst().joined()
                #expect(!run.stdout.contains("₽") && !run.stdout.contains("Задолженность") && !run.stdout.contains("Займ"), "\(run.stdout)")
                #expect(!afterChoice.contains("Z600531987509") && !afterChoice.contains("Смирнов"), "\(afterChoice)")
            }

            // The client: each result.
            let ready = try collector(["collect", "incoming", "--phone", "9372888099", "--caller", "client", "--result", "ready-to-pay", "--date", "+3", "--time", "18:00"])
            #expect(ready.status == 0 && ready.stdout.contains("Задолженность") && ready.stdout.contains("договор вне списка задач до"), "\(ready.stderr)")
            let noDate = try collector(["collect", "incoming", "--phone", "9372888099", "--caller", "client", "--result", "call-back"])
            #expect(noDate.status != 0 && noDate.stderr.contains("--date"))
            let callBack = try collector(["collect", "incoming", "--phone", "9372888099", "--caller", "client", "--result", "call-back", "--date", "+10"])
            #expect(callBack.status == 0 && callBack.stdout.contains("Требуется перезвонить позднее"), "\(callBack.stderr)")
            let refinancing = try collector(["collect", "incoming", "--phone", "9372888099", "--caller", "client", "--result", "refinancing"])
            #expect(refinancing.status == 0 && refinancing.stdout.contains("Рефинансирование по телефону"), "\(refinancing.stderr)")
            let refusal = try collector(["collect", "incoming", "--phone", "9372888099", "--caller", "client", "--result", "refusal", "--reason", "client-refusal"])
            #expect(refusal.status == 0 && refusal.stdout.contains("Отказ в выполнении оплаты"), "\(refusal.stderr)")
            let problem = try collector(["collect", "incoming", "--phone", "9122345678", "--caller", "client", "--result", "refusal", "--reason", "problem-client"])
            #expect(problem.status == 0 && problem.stdout.contains("кампания по договору завершена"), "\(problem.stderr)")
            let after = try collector(["collect"])
            #expect(!after.stdout.contains("Z600531987511"))

            // An unknown number: identification by full name.
            let byName = try collector(["collect", "incoming", "--phone", "9990001122", "--surname", "Смирнов", "--name", "Алексей",
                                        "--patronymic", "Викторович", "--caller", "client", "--result", "call-back", "--date", "+1"])
            #expect(byName.status == 0 && byName.stdout.contains("поиск по ФИО") && byName.stdout.contains("Z600531987509"), "\(byName.stderr)")

            // An outgoing call under 230-ФЗ: allowed now or refused by the local hours; a second
            // one the same day refused by the daily cap.
            let first = try collector(["collect", "outgoing", "Z600531987509", "--phone", "9372888099"])
            if first.status == 0 {
                #expect(first.stdout.contains("записан в историю коммуникаций"))
                let second = try collector(["collect", "outgoing", "Z600531987509", "--phone", "9372888099"])
                #expect(second.status != 0 && second.stderr.contains("не более 1 звонка"), "\(second.stderr)")
            } else {
                #expect(first.stderr.contains("по его местному времени"), "\(first.stderr)")
            }

            // A contract without debt: not found by number nor by name.
            let paid = try collector(["collect", "incoming", "--phone", "9031112233", "--surname", "Орлов", "--name", "Игорь", "--patronymic", "Павлович"])
            #expect(paid.status != 0 && paid.stderr.contains("не найден"), "\(paid.stderr)")
        }
    }

    /// The key a refusal or a JSON summary names.
    func key(_ prefix: String, in text: String) -> String? {
        guard let range = text.range(of: prefix + "[0-9a-f]{12}", options: .regularExpression) else { return nil }
        return String(text[range])
    }

    /// An interrupted call is continued by its key, not started again; so is the
    /// «Рефинансирование по телефону» sub-process waiting in the work list.
    @Test func anInterruptedCallAndTheRefinancingSubprocessResumeByKey() async throws {
        try await ServicesHarness.with { h in
            try h.crmLogin("collector.volkov")
            func collector(_ arguments: [String]) throws -> ServicesHarness.Run { try h.crm(arguments, as: "collector.volkov") }

            // A script stops at 1100 without the date: the process stays open at 1100 and the error says how to go on.
            let stopped = try collector(["collect", "incoming", "--phone", "9372888099", "--caller", "client", "--result", "ready-to-pay"])
            #expect(stopped.status != 0 && stopped.stderr.contains("--date") && stopped.stderr.contains("фрейм 1100"), "\(stopped.stderr)")
            let open = try #require(key("ВЗ-", in: stopped.stderr), "\(stopped.stderr)")
            #expect(stopped.stderr.contains("crm collect incoming --resume \(open)"))
            let resumed = try collector(["collect", "incoming", "--resume", open, "--date", "+3"])
            #expect(resumed.status == 0 && resumed.stdout.contains("Продолжить звонок: процесс \(open)") && resumed.stdout.contains("(сохранено)"), "\(resumed.stderr)")
            #expect(resumed.stdout.contains("Фрейм 1100") && !resumed.stdout.contains("Фрейм 100:"), "resumed where it stopped: \(resumed.stdout)")
            let again = try collector(["collect", "incoming", "--resume", open, "--date", "+3"])
            #expect(again.status != 0 && again.stderr.contains("уже завершён"), "\(again.stderr)")
            let unknown = try collector(["collect", "incoming", "--resume", "ВЗ-нет-такого"])
            #expect(unknown.status != 0 && unknown.stderr.contains("не найден"), "\(unknown.stderr)")
            let cancelWithoutKey = try collector(["collect", "incoming", "--cancel"])
            #expect(cancelWithoutKey.status != 0 && cancelWithoutKey.stderr.contains("--resume"))

            // Stopped at 800, then cancelled by its key: nothing recorded, and it cannot be continued.
            let atWho = try collector(["collect", "incoming", "--phone", "9372888099"])
            let second = try #require(key("ВЗ-", in: atWho.stderr), "\(atWho.stderr)")
            #expect(atWho.stderr.contains("фрейм 800"))
            let cancelled = try collector(["collect", "incoming", "--resume", second, "--cancel"])
            #expect(cancelled.status == 0 && cancelled.stdout.contains("ничего не сохранено"), "\(cancelled.stderr)")
            let afterCancel = try collector(["collect", "incoming", "--resume", second, "--caller", "client", "--result", "call-back", "--date", "+1"])
            #expect(afterCancel.status != 0 && afterCancel.stderr.contains("уже завершён или отменён") && !afterCancel.stderr.contains("продолжить"), "\(afterCancel.stderr)")

            // «Рефинансирование задолженности» starts the sub-process; the call names its key.
            let refinancing = try collector(["collect", "incoming", "--phone", "9372888099", "--caller", "client", "--result", "refinancing"])
            #expect(refinancing.status == 0, "\(refinancing.stderr)")
            let sub = try #require(key("РТ-", in: refinancing.stdout), "\(refinancing.stdout)")
            #expect(refinancing.stdout.contains("--resume \(sub)"))
            #expect(try collector(["collect"]).stdout.contains(sub))
            // Its identification must name its own contract: another debtor's number is refused, and the process stays open.
            let wrong = try collector(["collect", "incoming", "--resume", sub, "--phone", "9122345678"])
            #expect(wrong.status != 0 && wrong.stderr.contains("Рефинансирование оформляется по договору"), "\(wrong.stderr)")
            let back = try collector(["collect", "incoming", "--resume", sub, "--back-at", "200", "--phone", "9372888099"])
            #expect(back.status == 0 && back.stdout.contains("Рефинансирование по телефону") && back.stdout.contains("(сохранено)"), "\(back.stdout)\n\(back.stderr)")
            #expect(!(try collector(["collect"]).stdout.contains(sub)), "a finished sub-process leaves the work list")
            let history = try collector(["collect", "incoming", "--resume", sub])
            #expect(history.status != 0 && history.stderr.contains("уже завершён"))
        }
    }

    /// At a terminal (a pseudo-terminal through script(1)): prompts, a wrong answer asked
    /// again, «назад» and «отмена» typed at any prompt.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script") && FileManager.default.isExecutableFile(atPath: "/usr/bin/timeout")))
    func theIncomingCallAtATerminal() async throws {
        try await ServicesHarness.with { h in
            try h.crmLogin("collector.volkov")
            // «назад» at 100 has nowhere to go; the phone; at 800 «назад» returns to 200 (one contract:
            // taken again), then «client»; a wrong result is asked again; «отмена» at the date prompt.
            // «назад» at 800 reaches the phone entry (one contract: nothing to choose at 200).
            let cancelled = try h.crmAtTerminal(["collect", "incoming"], as: "collector.volkov",
                                                input: "назад\n9372888099\nназад\n9372888099\nclient\nнет такого\nready-to-pay\nотмена\nд\n")
            #expect(cancelled.stdout.contains("Назад некуда"), "\(cancelled.stdout)")
            #expect(cancelled.stdout.contains("← Вернуться назад") && cancelled.stdout.contains("Фрейм 1000"), "\(cancelled.stdout)")
            #expect(cancelled.stdout.contains("«нет такого» — нет такого варианта"), "\(cancelled.stdout)")
            #expect(cancelled.stdout.contains("Отменить звонок?"), "\(cancelled.stdout)")
            #expect(cancelled.stdout.contains("Звонок отменён: ничего не сохранено") && !cancelled.stdout.contains("(сохранено)"), "\(cancelled.stdout)")

            // The third party by menu numbers, the comment asked, saved.
            let saved = try h.crmAtTerminal(["collect", "incoming"], as: "collector.volkov",
                                            input: "+7 951-018-70-60\n2\n1\nСестра клиента\n")
            #expect(saved.stdout.contains("Разговор с 3-м лицом") && saved.stdout.contains("(сохранено)"), "\(saved.stdout)")
            #expect(!saved.stdout.contains("Задолженность"))

            // A date in the past is asked again where it is typed; «назад» returns to 1000.
            let refused = try h.crmAtTerminal(["collect", "incoming", "--phone", "9372888099", "--caller", "client"], as: "collector.volkov",
                                              input: "call-back\n01.01.2020\nназад\nrefusal\nclient-refusal\n")
            #expect(refused.stdout.contains("01.01.2020 уже прошла"), "\(refused.stdout)")
            #expect(refused.stdout.contains("Отказ в выполнении оплаты") && refused.stdout.contains("(сохранено)"), "\(refused.stdout)")
        }
    }
}
