import ArgumentParser
import Foundation
@testable import Gateway
import Testing
import Wire
@testable import crm

/// The card's first tab and its products at 80 and 160 columns against Golden/ (regenerate:
/// CRM_UPDATE_GOLDEN=1 swift test --filter CardScreenTests), and the pages of a long list.
@Suite struct CardScreenTests {
    static var card: RegistryV1.Card {
        var card = RegistryV1.Card()
        card.cardID = 1_000_017
        card.type = .client
        card.rbsNumber = "RBS-0042917"
        card.fullName = GoldenScreenTests.name("Константинопольская", "Анастасия-Мария", "Александровна")
        card.birthDate = GoldenScreenTests.date(1982, 3, 14)
        card.age = 44
        card.region = TypesV1.RegionRef(code: "63", name: "Самарская область", moscowOffsetHours: 1)
        card.settlement = "Тольятти"
        card.passport = TypesV1.Passport(series: "3612", number: "345678")
        card.scriptNames = ["Рефинансирование кредитов"]
        card.personalDataEditable = false
        card.contacts = [
            (RegistryV1.ContactDataKind.mobilePhone, "9372888099", false), (.workPhone, "8462000000", true), (.email, "konstantinopolskaya.anastasia@example.ru", false),
        ].map { kind, value, struck in
            var entry = RegistryV1.ContactEntry()
            entry.kind = kind
            entry.value = value
            entry.struckOut = struck
            if struck { entry.strikeReason = .notInUse }
            return entry
        }
        return card
    }

    static var products: [RegistryV1.Product] {
        var product = RegistryV1.Product()
        product.openDate = GoldenScreenTests.date(2024, 5, 20)
        product.name = "Кредит наличными «Рефинансирование»"
        product.productType = .credit
        product.creditSumKopecks = 1_002_000_00
        product.currentBalanceKopecks = 734_512_37
        product.repaidPercent = 27
        return [product]
    }

    @Test(arguments: [80, 160])
    func theCardMatchesItsGoldenOutputAndCutsNoIdentifyingCell(width: Int) throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")
        let screens = [
            ("card", CardView.personal(Self.card, width: width), ["Константинопольская Анастасия-Мария Александровна", "+7 (937) 288-80-99", "+7 (846) 200-00-00", "14.03.1982 (44 года)", "3612 345678"]),
            ("products", CardView.products(Self.products, width: width), ["20.05.2024", "1\u{00A0}002\u{00A0}000,00\u{00A0}₽", "734\u{00A0}512,37\u{00A0}₽"]),
        ]
        for (screen, text, identifying) in screens {
            for cell in identifying { #expect(text.contains(cell), "\(screen) at \(width): «\(cell)» cut or broken:\n\(text)") }
            #expect(!text.contains("…") && !text.contains("лет)"))
            for line in text.split(separator: "\n") { #expect(line.count <= width, "\(screen) at \(width): «\(line)»") }
            let file = folder.appendingPathComponent("\(screen)-\(width).txt")
            if ProcessInfo.processInfo.environment["CRM_UPDATE_GOLDEN"] == "1" {
                try Data((text + "\n").utf8).write(to: file)
                continue
            }
            let golden = try String(contentsOf: file, encoding: .utf8)
            #expect(text + "\n" == golden, "\(screen) at \(width) differs from Golden/\(screen)-\(width).txt:\n\(text)")
        }
    }

    @Test func aLongListSaysWhichPartOfHowManyIsShown() throws {
        let items = Array(1...48)
        let first = try PageOptions.parse([]).paged(items)
        #expect(first.shown == items[0..<20])
        #expect(first.footer == "Показано 1–20 из 48 (страница 1 из 3); дальше — --page 2, всё — --all")
        let last = try PageOptions.parse(["--page", "3"]).paged(items)
        #expect(last.shown == items[40..<48])
        #expect(last.footer == "Показано 41–48 из 48 (страница 3 из 3); всё — --all")
        // Past the last page: the last one.
        #expect(try PageOptions.parse(["--page", "9"]).paged(items).shown == items[40..<48])
        let all = try PageOptions.parse(["--all"]).paged(items)
        #expect(all.shown.count == 48 && all.footer == nil)
        #expect(try PageOptions.parse([]).paged(Array(1...20)).footer == nil)
        #expect(throws: (any Error).self) { try PageOptions.parse(["--page", "0"]) }
    }
}
