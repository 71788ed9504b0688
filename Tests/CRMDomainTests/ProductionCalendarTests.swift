import CRMDomain
import Testing

@Suite("Production calendar")
struct ProductionCalendarTests {
    /// The shipped data (scripts/generate-production-calendar, checked against
    /// shared/NOTES.md). 2027-02-20 and 2027-11-05 were wrong in scheduling's hand-written
    /// copy (a working Saturday it called a day off, a moved day off it called a working day).
    @Test("the shipped data", arguments: [
        (date(2025, 1, 8), false), (date(2025, 1, 9), true), (date(2025, 5, 2), false), (date(2025, 5, 8), false),
        (date(2025, 6, 13), false), (date(2025, 11, 1), true), (date(2025, 11, 3), false), (date(2025, 12, 31), false),
        (date(2026, 1, 5), false), (date(2026, 1, 8), false), (date(2026, 1, 9), false), (date(2026, 1, 12), true),
        (date(2026, 2, 23), false), (date(2026, 3, 9), false), (date(2026, 3, 10), true), (date(2026, 3, 14), false),
        (date(2026, 5, 11), false), (date(2026, 12, 31), false),
        (date(2027, 1, 8), false), (date(2027, 1, 11), true), (date(2027, 2, 20), true), (date(2027, 2, 22), false),
        (date(2027, 5, 3), false), (date(2027, 5, 10), false), (date(2027, 6, 14), false), (date(2027, 11, 5), false),
        (date(2027, 12, 31), false),
    ])
    func shipped(day: LocalDate, working: Bool) {
        #expect(ProductionCalendar.shipped.isWorkingDay(day) == working)
    }

    @Test("outside the data, Monday to Friday work", arguments: [
        (date(2030, 3, 4), true), (date(2030, 3, 8), true), (date(2030, 3, 9), false), (date(2030, 3, 10), false),
    ])
    func outside(day: LocalDate, working: Bool) {
        #expect(ProductionCalendar(daysOff: []).isWorkingDay(day) == working)
    }

    @Test("a deployer's file replaces it")
    func parse() throws {
        let calendar = try ProductionCalendar(parsing: "# test\n2028-03-04 work\n\n2028-03-06\toff  # moved\n")
        #expect(calendar.isWorkingDay(date(2028, 3, 4)))
        #expect(!calendar.isWorkingDay(date(2028, 3, 6)))
        #expect(calendar.isWorkingDay(date(2028, 3, 7)))
    }

    @Test("a bad line is refused with its number", arguments: [
        ("2028-03-04 holiday", 1), ("# ok\n2026-13-01 off", 2), ("2028-03-04", 1), ("2028-03-04 off extra", 1),
    ])
    func refused(text: String, line: Int) {
        #expect { try ProductionCalendar(parsing: text) } throws: { ($0 as? ProductionCalendar.ParseError)?.line == line }
    }
}
