import ArgumentParser
import CRMDomain
import Foundation
import Gateway
import Testing
import Wire
@testable import crm

/// Answers typed in turn at a terminal; what the console wrote meanwhile is not read here.
final class TypedAnswers: ConsoleInput, @unchecked Sendable {
    private var lines: [String]
    private(set) var asked = 0
    init(_ lines: [String]) { self.lines = lines }
    var isInteractive: Bool { true }
    var left: Int { lines.count }
    func line() -> String? {
        asked += 1
        return lines.isEmpty ? nil : lines.removeFirst()
    }
}

/// No terminal: a script, which must never be asked anything.
struct NoTerminal: ConsoleInput {
    var isInteractive: Bool { false }
    func line() -> String? { Issue.record("a script was asked"); return nil }
}

/// Inside ConsoleTests, whose `.serialized` covers its nested suites: every test that sets
/// the process-wide `Console.input` runs alone.
extension ConsoleTests {
/// «Ввод АПД» at the prompts: each question checks its answer where it is typed (by the
/// registry's own rules) and asks again; «назад» goes back, «отмена» asks first.
@Suite struct ApdQuestionnaire {
    static let today = LocalDate(year: 2026, month: 12, day: 7)!

    func with<T>(_ input: any ConsoleInput, _ body: () throws -> T) rethrows -> T {
        let saved = Console.input
        Console.input = input
        defer { Console.input = saved }
        return try body()
    }

    /// The questionnaire asked with `answers`; the request it would send.
    func fill(_ answers: [String], flags: [String] = []) throws -> (RegistryV1.CreateCardRequest, TypedAnswers) {
        let input = TypedAnswers(answers)
        let form = ApdForm(today: Self.today)
        try with(input) {
            let questionnaire = try form.questionnaire(try Apd.parse(flags))
            try questionnaire.run()
        }
        return (form.request(), input)
    }

    @Test func everyQuestionAnsweredInOrder() throws {
        let (request, input) = try fill([
            "2", "Смирнов", "Алексей", "Викторович", "14.03.1981", "Самар", "Тольятти", "3612 345678",
            "8 (937) 288-80-99", "", "", "smirnov@example.ru", "Пришёл из чата", "",
        ])
        #expect(request.type == .onlineChat)
        #expect(request.fullName == TypesV1.FullName(surname: "Смирнов", name: "Алексей", patronymic: "Викторович"))
        #expect(request.birthDate == TypesV1.Date(year: 1981, month: 3, day: 14))
        #expect(request.regionCode == "63" && request.settlement == "Тольятти")
        #expect(request.passport == TypesV1.Passport(series: "3612", number: "345678"))
        #expect(request.contacts.map(\.value) == ["9372888099", "smirnov@example.ru"])
        #expect(request.contacts.map(\.kind) == [.mobilePhone, .email])
        #expect(request.comment == "Пришёл из чата")
        #expect(input.left == 0)
    }

    @Test func aWrongAnswerAtEachQuestionIsAskedAgain() throws {
        let (request, input) = try fill([
            "3", "",                      // type: no third type; Enter — «Заинтересованный»
            "   ", "Смирнов",             // surname: blank is refused
            "", "Алексей",                // name: required
            "", "без отчества",           // patronymic: asked, never assumed
            "31.02.1981", "01.01.2090", "1981-03-14", // birth: impossible, future, then ISO
            "область", "Атлантида", "63", // region: ambiguous, unknown, then by code
            "",                           // settlement: optional
            "12 34", "1234 567890",       // passport: 10 digits
            "12345", "",                  // mobile: not a number; then left empty
            "", "+7 846 200-00-00",       // contact phone left empty; work phone given
            "not-an-email", "",           // e-mail refused, then skipped
            "", "",                       // comment skipped; confirmation
        ])
        #expect(request.type == .interested)
        #expect(request.fullName?.patronymic == "")
        #expect(request.birthDate == TypesV1.Date(year: 1981, month: 3, day: 14))
        #expect(request.regionCode == "63")
        #expect(request.contacts.map(\.value) == ["8462000000"])
        #expect(request.contacts.map(\.kind) == [.workPhone])
        #expect(input.asked == 25 && input.left == 0)
    }

    /// The services' bounds (FieldBounds) are said at the question, not after the confirmation.
    @Test func anAnswerOverTheServicesBoundsIsAskedAgainWhereItIsTyped() throws {
        let (request, input) = try fill([
            "", String(repeating: "Ж", count: 201), "Жуков", "Алексей", "без отчества", "", "77", "", "",
            "9161234567", "", "", "", String(repeating: "к", count: 2_001), "Перезвонить", "",
        ])
        #expect(request.fullName?.surname == "Жуков" && request.comment == "Перезвонить")
        #expect(input.left == 0)
    }

    @Test func noPhoneAtAllIsRefusedAtTheLastPhoneQuestion() throws {
        let (request, _) = try fill([
            "", "Иванова", "Мария", "Петровна", "", "77", "", "",
            "", "", "",            // no phone: refused at the work phone
            "", "9161234567",      // Enter at the work phone again is refused; then a number
            "", "", "",
        ])
        #expect(request.contacts.map(\.kind) == [.workPhone])
        #expect(request.contacts.map(\.value) == ["9161234567"])
    }

    @Test func backReturnsToThePreviousQuestionAndTheAnswerChanges() throws {
        let (request, _) = try fill([
            "назад",                          // at the first question: stays
            "", "Смирнов", "Алексей", "назад", "Александр", // back from patronymic to name
            "Викторович", "назад", "назад", "Пётр", "Петрович", // back twice
            "", "77", "", "", "9161234567", "", "", "", "", "",
        ])
        #expect(request.fullName == TypesV1.FullName(surname: "Смирнов", name: "Пётр", patronymic: "Петрович"))
    }

    @Test func backAtTheConfirmationCorrectsTheLastAnswer() throws {
        let (request, _) = try fill(["", "Смирнов", "Алексей", "без отчества", "", "77", "", "", "9161234567", "", "", "", "", "назад", "Перезвонить вечером", "да"])
        #expect(request.comment == "Перезвонить вечером")
    }

    @Test func cancelAsksFirstAndThenEndsWithNothingSaved() throws {
        // «отмена», then «нет»: the questionnaire goes on at the same question.
        let (request, _) = try fill(["", "отмена", "н", "Смирнов", "Алексей", "без отчества", "", "77", "", "", "9161234567", "", "", "", "", ""])
        #expect(request.fullName?.surname == "Смирнов")
        #expect {
            _ = try fill(["", "Смирнов", "отмена", "д"])
        } throws: { ($0 as? GatewayError)?.reason == .discarded }
    }

    @Test func flagsAnswerTheirQuestionsAndOnlyTheRestAreAsked() throws {
        let (request, input) = try fill(
            ["", "Алексей", "без отчества", "", "", "", "", "", ""],
            flags: ["--surname", "Смирнов", "--region", "Москва", "--mobile", "9161234567"]
        )
        #expect(request.fullName == TypesV1.FullName(surname: "Смирнов", name: "Алексей", patronymic: ""))
        #expect(request.regionCode == "77" && request.contacts.map(\.value) == ["9161234567"])
        // Type, name, patronymic, birth date, settlement, passport, e-mail, comment, confirmation.
        #expect(input.asked == 9 && input.left == 0)
    }

    @Test func aScriptGetsTheFlagNamedAndNoQuestion() throws {
        func script(_ flags: [String]) throws {
            try with(NoTerminal()) { _ = try ApdForm(today: Self.today).questionnaire(try Apd.parse(flags)) }
        }
        #expect { try script(["--surname", "Смирнов", "--name", "Алексей", "--no-patronymic", "--region", "77"]) } throws: {
            ($0 as? GatewayError)?.message.contains("--mobile") == true
        }
        #expect { try script(["--surname", "Смирнов", "--region", "77", "--mobile", "9161234567"]) } throws: {
            ($0 as? GatewayError)?.message == "Не хватает значения: укажите --name"
        }
        #expect { try script(["--surname", "Смирнов", "--name", "А", "--region", "77", "--mobile", "9161234567", "--birth-date", "01.01.2090"]) } throws: {
            let error = $0 as? GatewayError
            return error?.message == "--birth-date: Дата рождения не может быть в будущем" && error?.field == "birth_date"
        }
        #expect { try script(["--surname", "Смирнов", "--name", "А", "--region", "99", "--mobile", "9161234567"]) } throws: {
            ($0 as? GatewayError)?.field == "region_code"
        }
        // Everything needed: no question, no error.
        try script(["--surname", "Смирнов", "--name", "А", "--no-patronymic", "--region", "77", "--contact-phone", "84951234567"])
    }

    /// The console's checks are the registry's: what one refuses, the other refuses with the
    /// same field and words (both run CRMDomain.QuestionnaireRules).
    @Test(arguments: ["", "  "]) func anEmptySurnameIsTheRegistrysRefusal(typed: String) {
        #expect(throws: FieldRefusal(field: "full_name.surname", "Укажите фамилию")) { try QuestionnaireRules.surname(typed) }
    }

    @Test func passportAndEmailShapes() throws {
        #expect(try ApdForm.passport("45 10 123456") == TypesV1.Passport(series: "4510", number: "123456"))
        #expect(throws: FieldRefusal.self) { try ApdForm.passport("4510 12345a") }
        #expect(throws: FieldRefusal(field: "contacts.value", "Неверный адрес e-mail")) { try QuestionnaireRules.email("a@b", field: "contacts.value") }
        #expect(try ApdForm.region("санкт") == Regions.byCode["78"])
        #expect(try ApdForm.cardType("онлайн-чат") == .onlineChat)
    }
}
}
