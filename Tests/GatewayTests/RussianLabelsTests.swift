import ArgumentParser
import Foundation
@testable import Gateway
import Testing
import Wire
@testable import crm

/// What the operator reads is Russian: counts in the right plural, sums with thousands apart,
/// phones formatted, refusals by their label, the argument parser's errors and help.
@Suite struct RussianLabelsTests {
    @Test(arguments: [
        (1, "1 год"), (2, "2 года"), (4, "4 года"), (5, "5 лет"), (11, "11 лет"), (12, "12 лет"), (14, "14 лет"),
        (21, "21 год"), (22, "22 года"), (41, "41 год"), (44, "44 года"), (45, "45 лет"), (100, "100 лет"), (101, "101 год"),
        (111, "111 лет"), (0, "0 лет"),
    ])
    func agesTakeTheirPlural(years: Int, text: String) {
        #expect(Labels.age(years) == text)
    }

    @Test(arguments: [
        (Int64(100_200_000_00), "100\u{00A0}200\u{00A0}000,00\u{00A0}₽"), (Int64(1_002_000_00), "1\u{00A0}002\u{00A0}000,00\u{00A0}₽"),
        (Int64(999_99), "999,99\u{00A0}₽"), (Int64(1_000_00), "1\u{00A0}000,00\u{00A0}₽"), (Int64(0), "0,00\u{00A0}₽"),
        (Int64(-12_345_67), "−12\u{00A0}345,67\u{00A0}₽"),
    ])
    func moneyHasThousandsApart(kopecks: Int64, text: String) {
        #expect(Labels.money(kopecks: kopecks) == text)
    }

    @Test func tab8PhonesAreFormattedAndOtherValuesLeftAlone() {
        var change = RegistryV1.ContactChange()
        change.dataType = .mobilePhone
        change.dataTypeLabel = "Мобильный"
        change.newValue = "9372888099"
        change.oldValue = "9161234567"
        var surname = RegistryV1.ContactChange()
        surname.dataType = .surname
        surname.dataTypeLabel = "Фамилия"
        surname.newValue = "Смирнова"
        let text = CardView.changes([change, surname], width: 160)
        #expect(text.contains("+7 (937) 288-80-99") && text.contains("+7 (916) 123-45-67"))
        #expect(!text.contains("9372888099"))
        #expect(text.contains("Смирнова"))
    }

    @Test func aRefusalInTheHistoryReadsByItsLabel() {
        var refused = ContactsV1.RefusedResult()
        refused.refusalReasonID = "high_rate"
        var reached = ContactsV1.ReachedResult()
        reached.result = .refused(refused)
        var result = ContactsV1.CallResult()
        result.firstLevel = .reached(reached)
        var details = ContactsV1.CallDetails()
        details.campaignName = "Объявление (для маркировки)"
        details.result = result
        var entry = ContactsV1.HistoryEntry()
        entry.occurredUnixMs = 1_796_630_400_000
        entry.details = .call(details)
        let text = HistoryView.entries([entry], refusalReasons: ["high_rate": "Высокая ставка"], width: 300)
        #expect(text.contains("Отказался (НЕТ), причина: Высокая ставка"), "\(text)")
        #expect(!text.contains("high_rate"))
    }

    @Test func aBookingIsNamedByOfficeDateAndTime() {
        var at = TypesV1.LocalDateTime()
        at.date = TypesV1.Date(year: 2026, month: 12, day: 25)
        at.time = TypesV1.TimeOfDay(hour: 15, minute: 0)
        #expect(Labels.booking(officeName: "Мини-офис №160", at: at) == "Мини-офис №160, 25.12.2026 15:00")
    }

    @Test func aFullSlotIsSaidToBeFull() {
        var slot = SchedulingV1.CalendarSlot()
        slot.start = TypesV1.TimeOfDay(hour: 15, minute: 0)
        slot.capacity = 2
        slot.freePlaces = 0
        #expect(CalendarView.slots([slot]).contains("мест нет"))
    }

    // MARK: the command line

    /// The parser's error for `arguments`, as the operator reads it.
    func parserError(_ arguments: [String]) -> (message: String, usage: String)? {
        do {
            _ = try CRM.parseAsRoot(arguments)
            Issue.record("\(arguments) parsed")
            return nil
        } catch {
            return CommandLineErrors.russian(error, root: CRM.self)
        }
    }

    @Test(arguments: [
        (["card"], "Не хватает значения: укажите <card-id>"),
        (["card", "abc"], "<card-id>: «abc» не подходит"),
        (["card", "1", "--frobnicate"], "Нет параметра «--frobnicate»"),
        (["card", "1", "--page"], "Параметру --page нужно значение"),
        (["card", "1", "2"], "Лишний аргумент: «2»"),
        (["card", "1", "--page", "0"], "--page: номер страницы — от 1"),
        (["card", "1", "--tab", "нет-такой"], "--tab: «нет-такой» не подходит"),
        (["apd", "--patronymic", "А", "--no-patronymic"], "Укажите --patronymic или --no-patronymic, не оба"),
    ])
    func argumentErrorsAreSaidInRussian(arguments: [String], message: String) throws {
        let said = try #require(parserError(arguments))
        #expect(said.message.hasPrefix(message), "\(said.message)")
        #expect(said.usage.hasPrefix("Использование: crm "), "\(said.usage)")
        #expect(!said.message.contains("Error") && !said.message.contains("Missing") && !said.message.contains("Unknown"))
    }

    @Test func anUnknownCommandIsNamed() throws {
        let said = try #require(CommandLineErrors.unknownCommand(["frobnicate", "--json"], root: CRM.self))
        #expect(said.message.hasPrefix("Нет команды «frobnicate»; команды: up, demo"))
        #expect(CommandLineErrors.unknownCommand(["card", "1"], root: CRM.self) == nil)
        #expect(CommandLineErrors.unknownCommand(["--help"], root: CRM.self) == nil)
    }

    @Test func helpIsInRussian() {
        for command in [CRM.self, Card.self, Apd.self, Search.self, Login.self, Up.self] as [any ParsableCommand.Type] {
            let help = CommandLineErrors.russianHelp(CRM.helpMessage(for: command))
            for english in ["OVERVIEW", "USAGE", "OPTIONS", "ARGUMENTS", "SUBCOMMANDS", "Show help", "default", "values:", "See '"] {
                #expect(!help.contains(english), "\(command): «\(english)» in\n\(help)")
            }
            #expect(help.contains("ИСПОЛЬЗОВАНИЕ: crm"))
        }
    }

    @Test(arguments: [("cardID", "card-id"), ("page", "page"), ("birthDate", "birth-date"), ("readyTimeout", "ready-timeout"), ("smsFile", "sms-file")])
    func propertyNamesAreSpelledAsTheParserSpellsThem(property: String, flag: String) {
        #expect(CommandLineErrors.kebabCase(property) == flag)
    }
}
