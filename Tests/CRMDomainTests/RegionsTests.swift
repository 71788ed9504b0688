import CRMDomain
import Testing
import Wire

@Suite("Regions")
struct RegionsTests {
    /// (code, name, Moscow offset, UTC offset in minutes): the table both the registry and
    /// scheduling read, so a region one accepts the other knows.
    @Test("the table", arguments: [
        ("77", "Москва", 0, 180), ("16", "Республика Татарстан", 0, 180), ("63", "Самарская область", 1, 240),
        ("56", "Оренбургская область", 2, 300), ("02", "Республика Башкортостан", 2, 300), ("55", "Омская область", 3, 360),
        ("54", "Новосибирская область", 4, 420), ("38", "Иркутская область", 5, 480), ("14", "Республика Саха (Якутия)", 6, 540),
        ("25", "Приморский край", 7, 600), ("49", "Магаданская область", 8, 660), ("41", "Камчатский край", 9, 720),
        ("39", "Калининградская область", -1, 120),
    ])
    func table(code: String, name: String, moscowOffset: Int, utcOffset: Int) throws {
        let region = try #require(Regions.byCode[code])
        #expect(region.name == name)
        #expect(region.moscowOffsetHours == moscowOffset)
        #expect(region.utcOffsetMinutes == utcOffset)
        #expect(utcOffsetMinutes(moscowOffsetHours: Int32(moscowOffset)) == utcOffset)
        #expect(region.wire == TypesV1.RegionRef(code: code, name: name, moscowOffsetHours: Int32(moscowOffset)))
    }

    @Test("codes are unique, two digits, and unknown codes are absent")
    func codes() {
        #expect(Regions.all.count == 32)
        #expect(Set(Regions.all.map(\.code)).count == Regions.all.count)
        #expect(Regions.all.allSatisfy { $0.code.count == 2 && $0.code.allSatisfy(\.isNumber) })
        #expect(Regions.byCode["999"] == nil && Regions.byCode[""] == nil)
        #expect(Regions.moscowUTCOffsetMinutes == 180)
    }
}
