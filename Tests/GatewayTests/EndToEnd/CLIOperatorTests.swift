import Foundation
@testable import Gateway
import Testing

/// The operator's own commands against the real services: «Ввод АПД» from flags and at a
/// terminal, the login at a terminal (no echo, a wrong code asked again, the lock), and
/// `--json` errors.
@Suite(.serialized) struct CLIOperatorTests {
    @Test func apdCreatesACardFromFlagsAndAtATerminalWithMistakesOnTheWay() async throws {
        try await ServicesHarness.with { h in
            try h.crmLogin("vcc.ivanova")
            let created = try h.crm([
                "apd", "--surname", "Петров", "--name", "Пётр", "--no-patronymic", "--region", "Москва",
                "--birth-date", "01.02.1990", "--mobile", "8 916 000-11-22", "--comment", "С сайта",
            ], as: "vcc.ivanova")
            #expect(created.status == 0, "\(created.stderr)")
            #expect(created.stdout.contains("Создана карточка") && created.stdout.contains("Заинтересованный"), "\(created.stdout)")
            let found = try h.crm(["search", "--phone", "9160001122"], as: "vcc.ivanova")
            #expect(found.stdout.contains("Петров Пётр"), "\(found.stdout)")

            // At the terminal: a birth date in the future and an unknown region, each asked again.
            let terminal = try h.terminal(["apd"], as: "vcc.ivanova")
            for (prompt, answer) in [
                ("Тип карточки", "онлайн"), ("Фамилия", "Сидорова"), ("Имя", "Анна"), ("Отчество", "Игоревна"),
                ("Дата рождения", "01.01.2090"), ("Дата рождения не может быть в будущем", "15.06.1985"),
                ("Регион проживания", "Атлантида"), ("Нет региона", "Самарская"), ("Населённый пункт", "Тольятти"),
                ("Паспорт", ""), ("Мобильный телефон", "9370001133"), ("Контактный телефон", ""), ("Рабочий телефон", ""),
                ("E-mail", ""), ("Комментарий", ""), ("Создать карточку", "да"),
            ] {
                #expect(terminal.waitFor(prompt), "no «\(prompt)» on:\n\(terminal.screen)")
                terminal.type(answer)
            }
            #expect(terminal.waitFor("Создана карточка"), "\(terminal.screen)")
            #expect(terminal.finish() == 0, "\(terminal.screen)")
            #expect(terminal.screen.contains("Онлайн чат") && terminal.screen.contains("Самарская область"))
            let second = try h.crm(["search", "--phone", "9370001133"], as: "vcc.ivanova")
            #expect(second.stdout.contains("Сидорова Анна Игоревна"), "\(second.stdout)")

            // A phone already on a card: the cards are shown, and nothing is created unless confirmed.
            let duplicate = try h.terminal(["apd", "--surname", "Смирнов", "--name", "Алексей", "--patronymic", "Викторович", "--region", "63", "--mobile", "9372888099"], as: "vcc.ivanova")
            for (prompt, answer) in [("Тип карточки", ""), ("Дата рождения", ""), ("Населённый пункт", ""), ("Паспорт", ""), ("E-mail", ""), ("Комментарий", ""), ("Создать карточку", ""), ("Всё равно создать", "н")] {
                #expect(duplicate.waitFor(prompt), "no «\(prompt)» on:\n\(duplicate.screen)")
                duplicate.type(answer)
            }
            #expect(duplicate.finish() == 1, "\(duplicate.screen)")
            #expect(duplicate.screen.contains("уже есть в 2 карточках") && duplicate.screen.contains("ничего не сохранено"), "\(duplicate.screen)")

            // A script's refusal names the flag and the field; --json says the same as an object.
            let flags = ["apd", "--surname", "Петров", "--name", "Пётр", "--no-patronymic", "--region", "77", "--mobile", "9160001122", "--birth-date", "01.01.2090"]
            let plain = try h.crm(flags, as: "vcc.ivanova")
            let json = try h.crm(flags + ["--json"], as: "vcc.ivanova")
            #expect(plain.status == 1 && json.status == 1)
            #expect(plain.stderr.contains("--birth-date: Дата рождения не может быть в будущем"), "\(plain.stderr)")
            let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
            #expect(object?["code"] as? String == "INVALID_ARGUMENT" && object?["field"] as? String == "birth_date", "\(json.stdout)")
        }
    }

    /// The patronymic is asked, never assumed: «Смирнов Алексей» alone would mean «без отчества».
    @Test func nameSearchAsksThePatronymic() async throws {
        try await ServicesHarness.with { h in
            try h.crmLogin("vcc.ivanova")
            let script = try h.crm(["search", "--surname", "Смирнов", "--name", "Алексей"], as: "vcc.ivanova")
            #expect(script.status == 1 && script.stderr.contains("--no-patronymic"), "\(script.stderr)")
            let terminal = try h.terminal(["search"], as: "vcc.ivanova")
            for (prompt, answer) in [("Телефон клиента или фамилия", "смирнов"), ("Имя", "Алексей"), ("Отчество", "Викторович")] {
                #expect(terminal.waitFor(prompt), "\(terminal.screen)")
                terminal.type(answer)
            }
            #expect(terminal.finish() == 0)
            #expect(terminal.screen.contains("Найдено 2 карточки") && terminal.screen.contains("+7 (937) 288-80-99"), "\(terminal.screen)")
            let without = try h.crm(["search", "--surname", "Смирнов", "--name", "Алексей", "--no-patronymic"], as: "vcc.ivanova")
            #expect(without.status == 0 && without.stdout.contains("Найдено 0 карточек"), "\(without.stdout)")
        }
    }

    @Test func jsonErrorsAreObjectsOnStdoutWithTheSameExitCode() async throws {
        try await ServicesHarness.with { h in
            try h.crmLogin("vcc.ivanova")
            for arguments in [["card", "987654321"], ["card"], ["card", "1", "--tab", "нет-такой"], ["search", "--phone", "12"], ["frobnicate"]] {
                let plain = try h.crm(arguments, as: "vcc.ivanova")
                let json = try h.crm(arguments + ["--json"], as: "vcc.ivanova")
                #expect(plain.status != 0 && json.status == plain.status, "\(arguments): \(plain.status) vs \(json.status)")
                #expect(plain.stdout.isEmpty && !plain.stderr.isEmpty, "\(arguments)")
                #expect(json.stderr.isEmpty, "\(arguments): \(json.stderr)")
                let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
                #expect(object?["code"] is String && object?["message"] is String && object?.keys.contains("field") == true, "\(arguments): \(json.stdout)")
                // The same words, Russian, in both.
                if let message = object?["message"] as? String { #expect(plain.stderr.hasPrefix(message), "\(arguments)") }
            }
            let missing = try h.crm(["card", "987654321", "--json"], as: "vcc.ivanova")
            let object = try JSONSerialization.jsonObject(with: Data(missing.stdout.utf8)) as? [String: Any]
            #expect(object?["code"] as? String == "NOT_FOUND", "\(missing.stdout)")
        }
    }

    @Test func loginHidesThePasswordAsksAgainAfterAWrongOneAndStopsAtTheLock() async throws {
        try await ServicesHarness.with { h in
            // A mistyped password and a wrong one, then the right one: one login.
            var offset = (try? FileManager.default.attributesOfItem(atPath: h.smsFile.path)[.size] as? NSNumber)?.intValue ?? 0
            let terminal = try h.terminal(["login"], as: "vcc.ivanova")
            #expect(terminal.waitFor("Логин"))
            terminal.type("vcc.ivanova")
            #expect(terminal.waitFor("Пароль"), "\(terminal.screen)")
            let code = try await OperatorLogin.waitForCode(to: "9161234567", in: h.smsFile, after: offset)
            terminal.type("12345")
            #expect(terminal.waitFor("Пароль — 10 цифр"), "\(terminal.screen)")
            let wrong = code == "000000" ? "4567111111" : "4567000000"
            terminal.type(wrong)
            #expect(terminal.waitFor("Неверный пароль"), "\(terminal.screen)")
            // «новый код»: another SMS, and the new code is the one that counts.
            offset = (try? FileManager.default.attributesOfItem(atPath: h.smsFile.path)[.size] as? NSNumber)?.intValue ?? 0
            terminal.type("новый код")
            #expect(terminal.waitFor("Новый код отправлен"), "\(terminal.screen)")
            let second = try await OperatorLogin.waitForCode(to: "9161234567", in: h.smsFile, after: offset)
            terminal.type("4567" + second)
            #expect(terminal.waitFor("Вы вошли"), "\(terminal.screen)")
            #expect(terminal.finish() == 0)
            // Nothing typed at the password prompt stood on the screen.
            for typed in ["12345", wrong, "4567" + second] { #expect(!terminal.screen.contains(typed), "«\(typed)» echoed:\n\(terminal.screen)") }
            let whoami = try h.crm(["whoami"], as: "vcc.ivanova")
            #expect(whoami.stdout.contains("vcc.ivanova"))

            // Wrong again and again: the registry's lock (5 wrong tries) ends the command.
            offset = (try? FileManager.default.attributesOfItem(atPath: h.smsFile.path)[.size] as? NSNumber)?.intValue ?? 0
            let locked = try h.terminal(["login", "--login", "sales.petrov"], as: "sales.petrov")
            #expect(locked.waitFor("Пароль"), "\(locked.screen)")
            let salesCode = try await OperatorLogin.waitForCode(to: "9161234568", in: h.smsFile, after: offset)
            let bad = salesCode == "000000" ? "4568111111" : "4568000000"
            for attempt in 1...5 {
                locked.type(bad)
                if attempt < 5 { #expect(locked.waitFor("Неверный пароль", count: attempt), "\(locked.screen)") }
            }
            #expect(locked.waitFor("заблокирован"), "\(locked.screen)")
            #expect(locked.finish() == 1, "\(locked.screen)")
        }
    }
}
