import Foundation
@testable import Gateway
import Testing
import Wire

/// Dates and times as the operator types them in `crm` flags: every accepted and refused form.
@Suite struct SchedulingDatesTests {
    static let accepted: [(String, Int32, Int32, Int32)] = [
        ("25.10.2027", 2027, 10, 25), ("05.03.2027", 2027, 3, 5), ("5.3.2027", 2027, 3, 5), ("5.12.2027", 2027, 12, 5),
        ("15.1.2027", 2027, 1, 15), ("2027-10-25", 2027, 10, 25), ("2027-03-05", 2027, 3, 5),
        (" 25.10.2027 ", 2027, 10, 25), ("\t2027-10-25 ", 2027, 10, 25),
        ("31.01.2027", 2027, 1, 31), ("30.04.2027", 2027, 4, 30), ("31.12.2027", 2027, 12, 31),
        ("29.02.2028", 2028, 2, 29), ("2028-02-29", 2028, 2, 29), ("29.02.2000", 2000, 2, 29),
        ("01.01.1900", 1900, 1, 1), ("31.12.9999", 9999, 12, 31),
    ]

    @Test(arguments: accepted)
    func aDateIsTypedAsDayMonthYearOrISO(text: String, year: Int32, month: Int32, day: Int32) throws {
        let expected = TypesV1.Date(year: year, month: month, day: day)
        #expect(try SchedulingDates.parseDate(text, flag: "--date") == expected)
        #expect(try SchedulingDates.parseCalendarDate(text, flag: "--birth-date") == expected)
    }

    /// Not one of the two forms: digits of the wrong count, signs, letters, other separators,
    /// numbers too long for any integer.
    static let malformed = [
        "", " ", "1.2.3", "25.10.27", "25.10.202", "25.10.20271", "025.10.2027", "25.010.2027", ".10.2027", "25..2027",
        "25.10.", "25.10", "25.10.2027.", "25.10.2027.1", "25/10/2027", "25 10 2027", "25.10-2027", "25-10-2027",
        "2027.10.25", "2026-1-9", "2026-1-15", "2026-01-5", "26-01-15", "02027-01-15", "2027-001-15", "2027-01-015",
        "2027-10-25-1", "2027--25", "-25.10.2027", "25.-1.2027", "25.+1.2027", "+25.10.2027", "2027-+1-05",
        "a5.10.2027", "25.1O.2027", "25.10.２０２７", "25 .10.2027", "25.10.2027г", "сегодня",
        "99999999999999999999.10.2027", "1.2.99999999999999999999.2027", "2026-01-99999999999999999999", "31.x.02.2026",
    ]

    @Test(arguments: malformed)
    func aDateInAnyOtherFormIsRefusedNamingTheFlagAndTheForm(text: String) {
        let birth = #expect(throws: GatewayError.self) { try SchedulingDates.parseCalendarDate(text, flag: "--birth-date") }
        #expect(birth?.message == "--birth-date: дата в виде ДД.ММ.ГГГГ, а не «\(text)»")
        guard !text.hasPrefix("+") else { return }
        let visit = #expect(throws: GatewayError.self) { try SchedulingDates.parseDate(text, flag: "--visit-date") }
        #expect(visit?.message == "--visit-date: дата в виде ДД.ММ.ГГГГ (или +N — через N дней), а не «\(text)»")
    }

    /// The right form, but no such day: month and day ranges, leap years (1900 was not one).
    static let nonexistent = [
        "31.02.2026", "30.02.2028", "29.02.2027", "29.02.1900", "31.04.2027", "31.06.2027", "31.09.2027", "31.11.2027",
        "32.01.2027", "00.01.2027", "0.1.2027", "01.00.2027", "01.13.2027", "00.13.2026", "99.99.2027",
        "2026-01-99", "2026-02-30", "2027-13-01", "2027-00-10", "2027-01-00",
    ]

    @Test(arguments: nonexistent)
    func aDayMissingFromTheCalendarIsRefused(text: String) {
        let birth = #expect(throws: GatewayError.self) { try SchedulingDates.parseCalendarDate(text, flag: "--birth-date") }
        #expect(birth?.message == "--birth-date: такой даты нет: «\(text)»")
        let visit = #expect(throws: GatewayError.self) { try SchedulingDates.parseDate(text, flag: "--date") }
        #expect(visit?.message == "--date: такой даты нет: «\(text)»")
    }

    @Test(arguments: ["31.12.1899", "01.01.0001", "0000-01-01", "1000-06-15"])
    func aYearBefore1900IsATypo(text: String) {
        let error = #expect(throws: GatewayError.self) { try SchedulingDates.parseCalendarDate(text, flag: "--birth-date") }
        #expect(error?.message == "--birth-date: год не раньше 1900, а не «\(text)»")
    }

    @Test(arguments: [("+0", 0), ("+3", 3), (" +3 ", 3), ("+03", 3), ("+9999", 9999)])
    func plusNIsNDaysFromTodayInMoscow(text: String, days: Int) throws {
        #expect(try SchedulingDates.parseDate(text, flag: "--date") == SchedulingDates.day(after: days))
    }

    @Test(arguments: ["+", "++3", "+-3", "+ 3", "+3d", "+3.5", "+10000", "+99999999999999999999", "+３"])
    func plusNTakesUpToFourDigitsOnly(text: String) {
        let error = #expect(throws: GatewayError.self) { try SchedulingDates.parseDate(text, flag: "--date") }
        #expect(error?.message == "--date: через сколько дней — «+N», N от 0 до 9999, а не «\(text)»")
    }

    @Test func aBirthDateHasNoPlusN() {
        let error = #expect(throws: GatewayError.self) { try SchedulingDates.parseCalendarDate("+3", flag: "--birth-date") }
        #expect(error?.message == "--birth-date: дата в виде ДД.ММ.ГГГГ, а не «+3»")
    }

    @Test(arguments: [("09:30", 9, 30), ("9:30", 9, 30), ("00:00", 0, 0), ("0:05", 0, 5), ("23:59", 23, 59), (" 18:00 ", 18, 0)])
    func aTimeIsHoursAndTwoDigitMinutes(text: String, hour: Int32, minute: Int32) throws {
        #expect(try SchedulingDates.parseTime(text, flag: "--time") == TypesV1.TimeOfDay(hour: hour, minute: minute))
    }

    @Test(arguments: [
        "", "9", "930", "9:5", "09:300", "009:30", "+9:30", "-1:30", "9:-5", "9:+5", "9:30:00", ":30", "09:", "::09:30",
        "ab:cd", "9.30", "9 30", "99999999999:30", "99999999999:10:30", "９:30", "9ч:30",
    ])
    func aTimeInAnyOtherFormIsRefused(text: String) {
        let error = #expect(throws: GatewayError.self) { try SchedulingDates.parseTime(text, flag: "--visit-time") }
        #expect(error?.message == "--visit-time: время в виде ЧЧ:ММ, а не «\(text)»")
    }

    @Test(arguments: ["24:00", "25:00", "12:60", "99:99"])
    func aTimeMissingFromTheClockIsRefused(text: String) {
        let error = #expect(throws: GatewayError.self) { try SchedulingDates.parseTime(text, flag: "--time") }
        #expect(error?.message == "--time: такого времени нет: «\(text)»")
    }

    @Test func daysBetweenDatesCountAcrossTheYear() {
        #expect(SchedulingDates.days(from: TypesV1.Date(year: 2027, month: 12, day: 30), to: TypesV1.Date(year: 2028, month: 1, day: 2)) == 3)
        #expect(SchedulingDates.days(from: TypesV1.Date(year: 2027, month: 2, day: 30), to: TypesV1.Date(year: 2028, month: 1, day: 2)) == nil)
    }

    @Test func aRegionsOffsetFromMoscowGivesItsUTCOffset() {
        #expect(SchedulingDates.offsetMinutes(TypesV1.RegionRef(code: "25", name: "Приморский край", moscowOffsetHours: 7)) == 600)
        #expect(SchedulingDates.offsetMinutes(nil) == 180)
    }
}
