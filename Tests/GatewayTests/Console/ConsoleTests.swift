import Foundation
import Gateway
import Testing
import Wire
@testable import crm

/// Answers typed in turn, as at a terminal.
final class ScriptedInput: ConsoleInput, @unchecked Sendable {
    private var lines: [String]
    private(set) var asked = 0
    init(_ lines: [String]) { self.lines = lines }
    /// Answers not yet read: a flow that ended early leaves some.
    var remaining: Int { lines.count }
    var isInteractive: Bool { true }
    func line() -> String? {
        asked += 1
        return lines.isEmpty ? nil : lines.removeFirst()
    }
}

/// Not a terminal: nothing may be asked.
struct ClosedInput: ConsoleInput {
    var isInteractive: Bool { false }
    func line() -> String? { Issue.record("a script was asked"); return nil }
}

/// The console's prompts with the answers injected: menus, a wrong answer asked again,
/// «назад»/«отмена» where the command takes them, and a script never asked.
@Suite(.serialized) struct ConsoleTests {
    func with<T>(_ input: any ConsoleInput, moves: Bool = false, _ body: () throws -> T) rethrows -> T {
        let saved = Console.input, savedMoves = Console.movesAllowed
        Console.input = input
        Console.movesAllowed = moves
        defer { Console.input = saved; Console.movesAllowed = savedMoves }
        return try body()
    }

    @Test func aMenuTakesANumberAKeyOrALabelAndAsksAgainAfterAWrongAnswer() throws {
        let input = ScriptedInput(["нет такого", "2"])
        let caller = try with(input) { try Console.pick(nil, CollectionChoices.caller, flag: "--caller") }
        #expect(caller == .thirdParty && input.asked == 2)
        #expect(try with(ScriptedInput(["ready-to-pay"])) { try Console.pick(nil, CollectionChoices.clientResult, flag: "--result") } == .readyToPay)
        #expect(try with(ScriptedInput(["Отказ клиента"])) { try Console.pick(nil, CollectionChoices.refusalReason, flag: "--reason") } == .clientRefusal)
    }

    @Test func wrongAnswersAreAskedAgainUntilOneIsRightAndOnlyTheEndOfInputEnds() throws {
        let input = ScriptedInput(["a", "b", "c", "", "7", "1"])
        #expect(try with(input) { try Console.pick(nil, CollectionChoices.caller, flag: "--caller") } == .client)
        #expect(input.asked == 6)
        #expect {
            try with(ScriptedInput(["a"])) { try Console.pick(nil, CollectionChoices.caller, flag: "--caller") }
        } throws: { ($0 as? GatewayError)?.reason == Console.inputEnded.reason }
        // A checked question: a past or impossible date is said why and asked again.
        let dates = ScriptedInput(["31.02.2027", "01.01.2020", "+3"])
        let day = try with(dates) {
            try Console.question("Дата", flag: "--date") { try PromptChecks.dateFromToday($0, utcOffsetMinutes: 180) }
        }
        #expect(day == SchedulingDates.day(after: 3) && dates.asked == 3)
    }

    @Test func aLabelIsTakenWithoutItsBracketsByAUniqueBeginningInAnyCase() throws {
        func kind(_ typed: String) throws -> ResultChoices.Kind { try with(ScriptedInput([typed])) { try Console.pick(nil, ResultChoices.kinds, flag: "--result") } }
        #expect(try kind("Согласился") == .agreed)
        #expect(try kind("согл") == .agreed)
        #expect(try kind("ОТКАЗАЛСЯ") == .refused)
        #expect(try kind("9") == .refused)
        // «Не» begins four labels: asked again, then a unique beginning is taken.
        let input = ScriptedInput(["не", "не дозв"])
        #expect(try with(input) { try Console.pick(nil, ResultChoices.kinds, flag: "--result") } == .notReached && input.asked == 2)
        // Flags take the same words.
        #expect(try ResultChoices.kinds.pick("согласился", flag: "--result") == .agreed)
    }

    @Test func cancelAsksForConfirmationAndEnterTakesTheDefault() throws {
        // «отмена» declined: the same question is asked again.
        let declined = ScriptedInput(["отмена", "н", "2"])
        #expect(try with(declined, moves: true) { try Console.pick(nil, CollectionChoices.caller, flag: "--caller") } == .thirdParty)
        #expect {
            try with(ScriptedInput(["отмена", "д"]), moves: true) { try Console.ask("Адрес", flag: "--address") }
        } throws: { ($0 as? GatewayError)?.reason == Console.cancelRequested.reason }
        #expect(try with(ScriptedInput([""])) { try Console.question("Время", default: "10:00", flag: "--time") { $0 } } == "10:00")
        #expect(try with(ScriptedInput([""])) { try Console.optional("Комментарий", hint: "Enter — без", flag: "--comment") { $0 } } == nil)
        #expect(try with(ScriptedInput(["x", "д"])) { try Console.yesNo("Ещё?", default: false, flag: "--more") })
    }

    @Test func aListByKeyLabelNumberOrAUniquePartOfTheLabel() throws {
        let offices = [("msk-do11", "Дополнительный офис №11"), ("msk-tverskoy", "ККО «Тверской»"), ("msk-mini160", "Мини-офис №160")]
        func pick(_ answers: [String]) throws -> String {
            try with(ScriptedInput(answers)) {
                try Console.pick(nil, offices, what: "Офис", flag: "--office", key: { $0.0 }, label: { $0.1 }).0
            }
        }
        #expect(try pick(["3"]) == "msk-mini160")
        #expect(try pick(["msk-tverskoy"]) == "msk-tverskoy")
        #expect(try pick(["Тверской"]) == "msk-tverskoy")
        #expect(try pick(["офис", "№11"]) == "msk-do11", "«офис» matches two: asked again")
        // One item is taken without asking.
        #expect(try with(ClosedInput()) { try Console.pick(nil, [offices[0]], what: "Офис", flag: "--office", key: { $0.0 }, label: { $0.1 }).0 } == "msk-do11")
    }

    @Test func backAndCancelAreMovesOnlyWhereTheCommandTakesThem() throws {
        #expect {
            try with(ScriptedInput(["назад"]), moves: true) { try Console.ask("Номер телефона", flag: "--phone") }
        } throws: { ($0 as? GatewayError)?.message == Console.backRequested.message }
        #expect {
            try with(ScriptedInput(["Отмена", "да"]), moves: true) { try Console.pick(nil, CollectionChoices.caller, flag: "--caller") }
        } throws: { ($0 as? GatewayError)?.message == Console.cancelRequested.message }
        // Elsewhere «назад» is an answer like any other.
        #expect(try with(ScriptedInput(["назад"])) { try Console.ask("Адрес", flag: "--address") } == "назад")
        // An empty answer is asked again; the end of input ends the command.
        #expect(try with(ScriptedInput(["", "Тверская, 1"])) { try Console.ask("Адрес", flag: "--address") } == "Тверская, 1")
        #expect {
            try with(ScriptedInput([""])) { try Console.ask("Адрес", flag: "--address") }
        } throws: { ($0 as? GatewayError)?.message == "Ввод отменён" }
    }

    @Test func confirmTakesDaOrYesAndEnterKeepsTheDefault() {
        #expect(with(ScriptedInput(["д"])) { Console.confirm("Изменить?", default: false) })
        #expect(with(ScriptedInput(["yes"])) { Console.confirm("Изменить?", default: false) })
        #expect(!with(ScriptedInput(["н"])) { Console.confirm("Изменить?", default: true) })
        #expect(with(ScriptedInput([""])) { Console.confirm("Отправить SMS?", default: true) })
        #expect(!with(ScriptedInput([])) { Console.confirm("Изменить?", default: false) })
    }

    @Test func aScriptIsNeverAskedAndGetsTheFlagToGive() throws {
        #expect {
            try with(ClosedInput()) { try Console.value(nil, "Дата", flag: "--date") }
        } throws: { ($0 as? GatewayError)?.message == "Не хватает значения: укажите --date" }
        #expect {
            try with(ClosedInput()) { try Console.pick(nil, CollectionChoices.clientResult, flag: "--result") }
        } throws: { ($0 as? GatewayError)?.message.contains("укажите --result") == true }
        #expect(!with(ClosedInput()) { Console.confirm("Изменить?", default: false) })
        #expect(try with(ClosedInput()) { try Console.value("+3", "Дата", flag: "--date") } == "+3")
    }
}
