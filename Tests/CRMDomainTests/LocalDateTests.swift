import CRMDomain
import Testing
import Wire

func date(_ y: Int, _ m: Int, _ d: Int) -> LocalDate { LocalDate(year: y, month: m, day: d)! }

/// 2026-03-10 (a Tuesday) 09:00 in Moscow.
let tuesdayNineMoscow = date(2026, 3, 10).unixMs(atMinute: 9 * 60, utcOffsetMinutes: 180)

@Suite("Local dates")
struct LocalDateTests {
    @Test("only real Gregorian dates", arguments: [
        (2024, 2, 29, true), (2023, 2, 29, false), (2000, 2, 29, true), (1900, 2, 29, false), (2023, 13, 1, false),
        (2023, 0, 1, false), (2023, 4, 31, false), (2023, 12, 31, true), (0, 1, 1, false), (10_000, 1, 1, false),
    ])
    func real(year: Int, month: Int, day: Int, valid: Bool) {
        #expect((LocalDate(year: year, month: month, day: day) != nil) == valid)
    }

    @Test("days in a month", arguments: [(2, 2024, 29), (2, 2023, 28), (2, 1900, 28), (2, 2000, 29), (4, 2027, 30), (12, 2027, 31)])
    func daysIn(month: Int, year: Int, days: Int) {
        #expect(LocalDate.daysIn(month: month, year: year) == days)
    }

    @Test("text forms", arguments: [
        ("2017-10-25", "2017-10-25", "25.10.2017"), ("0987-01-02", "0987-01-02", "02.01.0987"),
    ])
    func text(iso: String, description: String, russian: String) throws {
        let day = try #require(LocalDate(iso: iso))
        #expect(day.description == description)
        #expect(day.russian == russian)
    }

    @Test("not a date", arguments: [
        "", "2017-10", "2017-02-30", "25.10.2017", "2017-10-25-1", "x-1-2", "2017-1-5", "2017--10-25", "2017-10-25-",
        "+2017-10-25", "2017-+1-25", " 2017-10-25", "2017-10-25 ", "２０１７-10-25", "2017/10/25", "0000-01-01", "2017-13-01", "2017-00-10",
    ])
    func notADate(text: String) {
        #expect(LocalDate(iso: text) == nil)
    }

    @Test("weekday: 1 = Monday ... 7 = Sunday", arguments: [
        (date(2026, 3, 10), 2), (date(2026, 3, 15), 7), (date(1970, 1, 1), 4), (date(1969, 12, 29), 1), (date(2000, 2, 29), 2),
    ])
    func weekday(day: LocalDate, expected: Int) {
        #expect(day.weekday == expected)
    }

    @Test("days since 1970 go both ways", arguments: [
        (date(1970, 1, 1), 0), (date(1969, 12, 31), -1), (date(2000, 3, 1), 11_017), (date(1999, 12, 31), 10_956),
    ])
    func daysSinceEpoch(day: LocalDate, days: Int) {
        #expect(day.daysSinceEpoch == days)
        #expect(LocalDate(daysSinceEpoch: days) == day)
    }

    @Test("adding days crosses months, years and leap days")
    func adding() {
        #expect(date(1999, 12, 31).adding(days: 1) == date(2000, 1, 1))
        #expect(date(2024, 2, 28).adding(days: 1) == date(2024, 2, 29))
        #expect(date(2023, 3, 1).adding(days: -1) == date(2023, 2, 28))
        #expect(date(2026, 3, 10) < date(2026, 3, 11) && date(2025, 12, 31) < date(2026, 1, 1))
    }

    /// (instant, UTC offset, local date, minute of the local day).
    @Test("the local date and minute of an instant", arguments: [
        (tuesdayNineMoscow, 180, date(2026, 3, 10), 540),
        (tuesdayNineMoscow, 600, date(2026, 3, 10), 960),      // 16:00 in Vladivostok (Мск. +7ч.)
        (tuesdayNineMoscow, 0, date(2026, 3, 10), 360),
        (Int64(1_749_936_600_000), 180, date(2025, 6, 15), 30), // 00:30 Moscow is still 2025-06-14 in UTC
        (Int64(1_749_936_600_000), 0, date(2025, 6, 14), 21 * 60 + 30),
        (Int64(-1), 0, date(1969, 12, 31), 23 * 60 + 59),
    ])
    func localOfInstant(unixMs: Int64, offset: Int, day: LocalDate, minute: Int) {
        #expect(LocalDate.of(unixMs: unixMs, utcOffsetMinutes: offset) == day)
        #expect(LocalDate.minuteOfDay(unixMs: unixMs, utcOffsetMinutes: offset) == minute)
        let minuteStart = day.unixMs(atMinute: minute, utcOffsetMinutes: offset)
        #expect(minuteStart <= unixMs && unixMs - minuteStart < 60_000)
    }

    @Test("age in full years on the server's date", arguments: [
        (date(1985, 6, 15), date(2025, 6, 14), 39), (date(1985, 6, 15), date(2025, 6, 15), 40),
        (date(2000, 2, 29), date(2001, 2, 28), 0), (date(2000, 2, 29), date(2001, 3, 1), 1), (date(2030, 1, 1), date(2025, 1, 1), 0),
    ])
    func age(birth: LocalDate, today: LocalDate, years: Int) {
        #expect(birth.age(on: today) == years)
    }

    @Test("clock text", arguments: [(0, "00:00"), (570, "09:30"), (1439, "23:59")])
    func clock(minute: Int, text: String) {
        #expect(clockText(minute) == text)
    }

    @Test("wire dates: nil when absent or not real")
    func wire() {
        #expect(LocalDate(TypesV1.Date(year: 2027, month: 2, day: 20)) == date(2027, 2, 20))
        #expect(date(2027, 2, 20).wire == TypesV1.Date(year: 2027, month: 2, day: 20))
        #expect(LocalDate(TypesV1.Date(year: 2027, month: 2, day: 30)) == nil)
        #expect(LocalDate(nil as TypesV1.Date?) == nil)
        let at = TypesV1.LocalDateTime.of(unixMs: tuesdayNineMoscow, utcOffsetMinutes: 600)
        #expect(at == TypesV1.LocalDateTime(date: date(2026, 3, 10).wire, time: TypesV1.TimeOfDay(hour: 16, minute: 0), utcOffsetMinutes: 600))
    }
}
