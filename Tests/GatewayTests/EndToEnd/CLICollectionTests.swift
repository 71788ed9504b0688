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
}
