import Foundation
@testable import Gateway
import Testing
import Wire

/// Tables at the widths operators' terminals have: nothing is cut, identifying cells stay
/// whole on one line, and what does not fit wraps or becomes one block per row.
@Suite struct TextTableTests {
    static let table = TextTable(
        headers: ["ДАТА", "ФИО", "КОММЕНТАРИЙ"], keep: [0, 1],
        rows: [
            ["07.12.2026 09:15", "Смирнов Алексей Викторович", "Клиент просил перезвонить после обеда, когда будет дома"],
            ["07.12.2026 10:40", "Иванова Мария", "Согласился"],
        ]
    )

    @Test(arguments: [160, 80, 60, 40, 24])
    func nothingIsCutAndKeptCellsStayWhole(width: Int) {
        let text = Self.table.render(width: width)
        for row in Self.table.rows {
            // Kept cells on one line, whole.
            #expect(text.contains(row[0]) && text.contains(row[1]), "\(width): \(text)")
            // Every word of the rest is there.
            for word in row[2].split(separator: " ") { #expect(text.contains(word), "\(width): «\(word)» lost") }
        }
        #expect(!text.contains("…"))
    }

    @Test(arguments: [160, 80, 60, 40, 24])
    func noLineIsWiderThanTheTerminalUnlessAKeptCellIs(width: Int) {
        let text = Self.table.render(width: width)
        let widestKept = Self.table.rows.flatMap { [$0[0], $0[1]] }.map(\.count).max()! + "КОММЕНТАРИЙ: ".count
        for line in text.split(separator: "\n") {
            #expect(line.count <= max(width, widestKept), "\(width): «\(line)»")
        }
    }

    /// Was «long cells are cut» until cutting lost names: a narrow column now wraps.
    @Test func columnsAlignAndLongCellsWrapInsteadOfBeingCut() {
        let table = TextTable(headers: ["ID", "ФИО"], rows: [["1", "Иванов Иван Иванович"], ["22", "Ли"]])
        let lines = table.render(width: 200).split(separator: "\n")
        #expect(lines.count == 4)
        #expect(lines[0] == "ID  ФИО")
        #expect(lines[2] == "1   Иванов Иван Иванович")
        let narrow = TextTable(headers: ["ФИО"], rows: [["Константинопольский Константин Константинович"]]).render(width: 20)
        #expect(narrow.split(separator: "\n").allSatisfy { $0.count <= 20 })
        #expect(!narrow.contains("…"))
        #expect(narrow.contains("Константинопольский") && narrow.contains("Константинович"))
    }

    @Test func aTableThatFitsIsOneLinePerRow() {
        let lines = Self.table.render(width: 160).split(separator: "\n")
        #expect(lines.count == 4)
    }

    @Test func aTooNarrowTerminalGetsOneBlockPerRow() {
        let text = Self.table.render(width: 40)
        #expect(text.contains("ФИО:         Смирнов Алексей Викторович"))
        #expect(text.contains("\n\n"), "records apart")
    }

    @Test(arguments: [
        ("один два три", 5, ["один", "два", "три"]),
        ("один два три", 8, ["один два", "три"]),
        ("Z600531987509", 5, ["Z6005", "31987", "509"]),
        ("", 5, [""]),
        ("коротко", 20, ["коротко"]),
    ])
    func wrapping(text: String, width: Int, lines: [String]) {
        #expect(TextTable.wrap(text, width: width) == lines)
    }
}

/// The operator's most used screens at 80 and 160 columns, compared with the committed
/// outputs in Golden/ (regenerate: CRM_UPDATE_GOLDEN=1 swift test --filter GoldenScreenTests).
@Suite struct GoldenScreenTests {
    static func name(_ surname: String, _ name: String, _ patronymic: String) -> TypesV1.FullName {
        var full = TypesV1.FullName()
        full.surname = surname
        full.name = name
        full.patronymic = patronymic
        return full
    }

    static func date(_ year: Int32, _ month: Int32, _ day: Int32) -> TypesV1.Date {
        var date = TypesV1.Date()
        date.year = year
        date.month = month
        date.day = day
        return date
    }

    static var cards: [RegistryV1.CardSummary] {
        [("Смирнов", "Алексей", "Викторович", 1, "9372888099", "Самара"), ("Константинопольская", "Анастасия-Мария", "Александровна", 17, "9161234567", "Санкт-Петербург")]
            .enumerated().map { index, item in
                var card = RegistryV1.CardSummary()
                card.cardID = Int64(item.3)
                card.type = index == 0 ? .client : .recommendation
                card.fullName = name(item.0, item.1, item.2)
                card.birthDate = date(1981, 3, 14)
                card.settlement = item.5
                card.phone = item.4
                return card
            }
    }

    static var history: [ContactsV1.HistoryEntry] {
        var call = ContactsV1.HistoryEntry()
        call.occurredUnixMs = 1_796_630_400_000
        call.actionLabel = "Исходящий звонок"
        call.resultLabel = "Согласился"
        var details = ContactsV1.CallDetails()
        details.campaignName = "Рефинансирование кредитов"
        call.details = .call(details)
        call.comment = "Клиент просил перезвонить после обеда, когда будет дома, на мобильный"
        var op = TypesV1.OperatorRef()
        op.login = "vcc.ivanova"
        op.fullName = "Иванова Мария Петровна"
        call.operator = op
        var sms = ContactsV1.HistoryEntry()
        sms.occurredUnixMs = 1_796_634_000_000
        sms.actionLabel = "SMS"
        sms.resultLabel = "Отправлено"
        var smsDetails = ContactsV1.SmsDetails()
        smsDetails.text = "Ждем Вас 25.12.2026 по адресу Зелёный пр-кт дом №27 корпус №1"
        smsDetails.phone = "9372888099"
        sms.details = .sms(smsDetails)
        return [call, sms]
    }

    static var workList: ContactsV1.GetWorkListResponse {
        var list = ContactsV1.GetWorkListResponse()
        list.activeCount = 2
        list.newCount = 1
        list.rows = [("Z600531987509", "Смирнов", 100, true), ("Z600531987777", "Константинопольская", 10, false)].map { item in
            var row = ContactsV1.WorkListRow()
            row.processKey = "P-\(item.0.suffix(6))"
            row.contractNumber = item.0
            row.borrower = name(item.1, "Алексей", "Викторович")
            row.procedure = .portfolio
            row.priority = Int32(item.2)
            row.plannedStart = date(2026, 12, 7)
            row.isNew = item.3
            return row
        }
        return list
    }

    static func screens(width: Int) -> [(String, String, [String])] {
        [
            ("search", CardView.summaries(cards, width: width), cards.flatMap { [Labels.fullName($0.fullName), Labels.phone($0.phone), "\($0.cardID)"] }),
            ("history", HistoryView.entries(history, width: width), ["Иванова Мария Петровна (vcc.ivanova)", CardView.dateTime(1_796_630_400_000)]),
            ("worklist", IncomingCallView.workList(workList, width: width), workList.rows.flatMap { [$0.processKey, $0.contractNumber, Labels.fullName($0.borrower)] }),
        ]
    }

    @Test(arguments: [80, 160])
    func screensMatchTheGoldenOutputsAndCutNoIdentifyingCell(width: Int) throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")
        for (screen, text, identifying) in Self.screens(width: width) {
            for cell in identifying { #expect(text.contains(cell), "\(screen) at \(width): «\(cell)» cut or broken") }
            #expect(!text.contains("…"), "\(screen) at \(width)")
            let file = folder.appendingPathComponent("\(screen)-\(width).txt")
            if ProcessInfo.processInfo.environment["CRM_UPDATE_GOLDEN"] == "1" {
                try Data((text + "\n").utf8).write(to: file)
                continue
            }
            let golden = try String(contentsOf: file, encoding: .utf8)
            #expect(text + "\n" == golden, "\(screen) at \(width) differs from Golden/\(screen)-\(width).txt:\n\(text)")
        }
    }
}
