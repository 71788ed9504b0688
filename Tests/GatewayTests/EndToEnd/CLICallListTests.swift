import Foundation
import Gateway
import Testing

/// `crm calllist load`: the registry picks the cards, the contacts service lists them; the
/// count reported, nothing listed twice, bad input refused in the operator's words.
@Suite(.serialized) struct CLICallListTests {
    func report(_ run: ServicesHarness.Run, sourceLocation: SourceLocation = #_sourceLocation) -> [String: Any] {
        #expect(run.status == 0, "stderr: \(run.stderr)", sourceLocation: sourceLocation)
        return (try? JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]) ?? [:]
    }

    @Test func loadsByRegionTypeAndFileAndRefusesBadInput() async throws {
        try await ServicesHarness.with { h in
            try h.crmLogin("vcc.ivanova")
            try h.crmLogin("collector.volkov")
            func vcc(_ arguments: [String]) throws -> ServicesHarness.Run { try h.crm(arguments, as: "vcc.ivanova") }

            // By region: the Kazan client of the demo data is there; the text names the count.
            let text = try vcc(["calllist", "load", "--campaign", "rcp", "--region", "16"])
            #expect(text.status == 0 && text.stdout.contains("Кампания «") && text.stdout.contains("загружено в список обзвона"), "\(text.stderr)")
            let byCode = report(try vcc(["calllist", "load", "--campaign", "rcp", "--region", "16", "--json"]))
            let found = byCode["found"] as? Int ?? 0
            #expect(found > 0, "\(byCode)")
            // Loaded once: the second run only counts them as already listed.
            #expect(byCode["added"] as? Int == 0 && byCode["alreadyListed"] as? Int == found - (byCode["withoutLivePhone"] as? Int ?? 0), "\(byCode)")
            let byName = report(try vcc(["calllist", "load", "--campaign", "РЦП", "--region", "Татарстан", "--json"]))
            #expect(byName["found"] as? Int == found, "\(byName)")

            // The listed clients are called from the campaign's list.
            let next = try vcc(["call", "--next", "--campaign", "rcp", "--result", "call-dropped"])
            #expect(next.status == 0 && next.stdout.contains("Из списка кампании: карточка"), "\(next.stderr)")

            // By a file of ids: unknown ids reported, not an error; duplicates and comments ignored.
            let file = h.directory.appendingPathComponent("ids.txt")
            try "# клиенты для РЦП\n2\n3, 4;5 # ещё\n\n2\n999999\n".write(to: file, atomically: true, encoding: .utf8)
            let byFile = report(try vcc(["calllist", "load", "--campaign", "internet_calls", "--ids-file", file.path, "--json"]))
            #expect(byFile["found"] as? Int == 4 && byFile["unknownCardIDs"] as? [Int] == [999999], "\(byFile)")
            let added = byFile["added"] as? Int ?? 0, listed = byFile["alreadyListed"] as? Int ?? 0
            let skipped = (byFile["skippedDoNotDisturb"] as? Int ?? 0) + (byFile["withoutLivePhone"] as? Int ?? 0)
            #expect(added + listed + skipped == 4, "\(byFile)")
            let fileText = try vcc(["calllist", "load", "--campaign", "internet_calls", "--ids-file", file.path])
            #expect(fileText.stdout.contains("не найдены карточки (1): 999999"), "\(fileText.stdout)")

            // By type with a region.
            let typed = report(try vcc(["calllist", "load", "--campaign", "rcp", "--type", "client", "--region", "77", "--json"]))
            #expect(typed["found"] != nil, "\(typed)")

            // Refusals in the operator's words; nothing loaded by them.
            func refused(_ arguments: [String], _ words: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
                let run = try vcc(arguments)
                #expect(run.status != 0 && run.stderr.contains(words), "stderr: \(run.stderr)", sourceLocation: sourceLocation)
                #expect(!run.stderr.contains("Fatal error") && run.stdout.isEmpty, sourceLocation: sourceLocation)
            }
            try refused(["calllist", "load", "--campaign", "rcp"], "Укажите, кого загрузить")
            try refused(["calllist", "load", "--campaign", "нет такой", "--region", "16"], "--campaign")
            try refused(["calllist", "load", "--campaign", "rcp", "--region", "99"], "Неизвестный регион «99»")
            try refused(["calllist", "load", "--campaign", "rcp", "--region", "Атлантида"], "--region")
            try refused(["calllist", "load", "--campaign", "rcp", "--type", "vip"], "--type")
            try refused(["calllist", "load", "--campaign", "rcp", "--ids-file", h.directory.appendingPathComponent("nope.txt").path], "не найден")
            let bad = h.directory.appendingPathComponent("bad.txt")
            try "2\n3\nИванов\n".write(to: bad, atomically: true, encoding: .utf8)
            try refused(["calllist", "load", "--campaign", "rcp", "--ids-file", bad.path], "строка 3: «Иванов» — не ID CRM карточки")
            let empty = h.directory.appendingPathComponent("empty.txt")
            try "# пусто\n".write(to: empty, atomically: true, encoding: .utf8)
            try refused(["calllist", "load", "--campaign", "rcp", "--ids-file", empty.path], "нет ни одного ID CRM карточки")
            // A collector has no call lists.
            let collector = try h.crm(["calllist", "load", "--campaign", "rcp", "--region", "16"], as: "collector.volkov")
            #expect(collector.status != 0 && collector.stderr.contains("Недостаточно прав"), "\(collector.stderr)")
        }
    }

    @Test(arguments: [
        ("1\n2\n3", [Int64(1), 2, 3]),
        ("1, 2;3\t4", [1, 2, 3, 4]),
        ("# header\n7 # seven\n7\n\n8\r\n", [7, 8]),
    ])
    func idFiles(text: String, ids: [Int64]) throws {
        #expect(try CallListLoad.parseIDs(text, file: "f") == ids)
    }

    @Test(arguments: [
        ("1\nabc", "строка 2: «abc»"),
        ("0", "«0»"),
        ("-5", "«-5»"),
        ("1.5", "«1.5»"),
        ("", "нет ни одного"),
        ("# only\n\n", "нет ни одного"),
    ])
    func badIdFiles(text: String, words: String) {
        #expect {
            try CallListLoad.parseIDs(text, file: "f")
        } throws: { error in
            (error as? GatewayError)?.message.contains(words) == true
        }
    }
}
