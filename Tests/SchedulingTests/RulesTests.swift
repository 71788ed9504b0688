import CRMDomain
import RPCTesting
import CRMAPI
@testable import Scheduling
import Testing

@Suite("Scheduling rules")
struct RulesTests {
    @Test("slots fill the opening hours; a closed day has none", arguments: [
        (date(2026, 3, 10), 30, 22, 540, 1170),  // пн-пт 09:00-20:00, 30 min
        (date(2026, 3, 14), 30, 14, 600, 990),   // сб 10:00-17:00
        (date(2026, 3, 15), 30, 0, 0, 0),        // closed on Sunday
        (date(2026, 3, 10), 60, 11, 540, 1140),
    ])
    func slots(day: LocalDate, minutes: Int, count: Int, first: Int, last: Int) {
        let hours = [DayHours(weekday: 2, opens: 540, closes: 1200), DayHours(weekday: 6, opens: 600, closes: 1020)]
        let starts = SlotRules.slotStarts(hours: hours, on: day, slotMinutes: minutes)
        #expect(starts.count == count)
        if count > 0 {
            #expect(starts.first == first)
            #expect(starts.last == last)
        }
    }

    @Test("capacity: five a slot")
    func capacity() {
        #expect(SlotRules.capacity == 5)
        #expect(SlotRules.hasRoom(booked: 4))
        #expect(!SlotRules.hasRoom(booked: 5))
        #expect(SlotRules.freePlaces(booked: 3) == 2)
        #expect(SlotRules.freePlaces(booked: 7) == 0)
    }

    /// (kind, local date, local minute, expected local date, expected minute), Moscow offset.
    @Test("local-hours windows move a message to the next allowed moment", arguments: [
        (SmsKind.marketing, date(2026, 3, 10), 8 * 60, date(2026, 3, 10), 9 * 60),
        (.marketing, date(2026, 3, 10), 12 * 60, date(2026, 3, 10), 12 * 60),
        (.marketing, date(2026, 3, 10), 21 * 60, date(2026, 3, 11), 9 * 60),
        (.marketing, date(2026, 3, 15), 7 * 60, date(2026, 3, 15), 9 * 60),
        (.visit, date(2026, 3, 10), 23 * 60, date(2026, 3, 11), 9 * 60),
        (.collection, date(2026, 3, 10), 8 * 60, date(2026, 3, 10), 8 * 60),
        (.collection, date(2026, 3, 10), 7 * 60 + 59, date(2026, 3, 10), 8 * 60),
        (.collection, date(2026, 3, 10), 21 * 60 + 59, date(2026, 3, 10), 21 * 60 + 59),
        (.collection, date(2026, 3, 10), 22 * 60, date(2026, 3, 11), 8 * 60),
        (.collection, date(2026, 3, 13), 22 * 60, date(2026, 3, 14), 9 * 60),   // Friday night → Saturday 09:00
        (.collection, date(2026, 3, 14), 8 * 60 + 30, date(2026, 3, 14), 9 * 60),
        (.collection, date(2026, 3, 14), 20 * 60, date(2026, 3, 15), 9 * 60),
        (.collection, date(2026, 3, 9), 8 * 60 + 30, date(2026, 3, 9), 9 * 60),  // a holiday Monday
        // The shared calendar: the hand-written copy had 2027-02-20 off and 2027-11-05 working.
        (.collection, date(2027, 2, 20), 8 * 60, date(2027, 2, 20), 8 * 60),       // a working Saturday
        (.collection, date(2027, 11, 5), 8 * 60 + 30, date(2027, 11, 5), 9 * 60),  // a moved day off (Friday)
        (.loginCode, date(2026, 3, 10), 3 * 60, date(2026, 3, 10), 3 * 60),
    ])
    func windows(kind: SmsKind, day: LocalDate, minute: Int, expectedDay: LocalDate, expectedMinute: Int) {
        let at = day.unixMs(atMinute: minute, utcOffsetMinutes: 180)
        let next = SmsWindow.nextAllowed(kind, after: at, utcOffsetMinutes: 180, calendar: .shipped)
        #expect(next == expectedDay.unixMs(atMinute: expectedMinute, utcOffsetMinutes: 180))
    }

    @Test("the window is the debtor's local time")
    func localTime() {
        // 14:00 Moscow = 23:00 in Kamchatka (Мск. +9ч.): moved to 08:00 of the next local day.
        let moscowAfternoon = tuesday.unixMs(atMinute: 14 * 60, utcOffsetMinutes: 180)
        let next = SmsWindow.nextAllowed(.collection, after: moscowAfternoon, utcOffsetMinutes: 720, calendar: .shipped)
        #expect(next == date(2026, 3, 11).unixMs(atMinute: 480, utcOffsetMinutes: 720))
    }

    @Test("230-ФЗ caps: 2 a day, 4 a week, 16 a month", arguments: [
        ([Int](), SmsCaps.Violation?.none),
        ([0], nil),
        ([0, 0], .day),
        ([-1, -1, 1], nil),              // 3 this week, none today
        ([-1, -1, 1, 2], .week),         // 4 this week
        ([-7, -7, -8, -8, -14, -14, -15, -15, -16, 7, 7, 8, 8, 9, 9, 10], .month),
        ([-7, -7, -8], nil),             // last week
    ] as [([Int], SmsCaps.Violation?)])
    func caps(dayOffsets: [Int], expected: SmsCaps.Violation?) {
        // Due Wednesday 18 March 2026 at noon; the others at noon of the offset days.
        let due = date(2026, 3, 18).unixMs(atMinute: 720, utcOffsetMinutes: 180)
        let others = dayOffsets.map { date(2026, 3, 18).adding(days: $0).unixMs(atMinute: 720, utcOffsetMinutes: 180) }
        #expect(SmsCaps.violation(dueMs: due, others: others, utcOffsetMinutes: 180) == expected)
    }

    /// (start local date and minute, the debtor's other messages at noon of these days from
    /// Wednesday 18 March 2026, the expected local date and minute), Moscow offset.
    @Test("a collection message is moved past a used-up cap to the next lawful moment", arguments: [
        (date(2026, 3, 18), 12 * 60, [Int](), date(2026, 3, 18), 12 * 60),
        (date(2026, 3, 18), 23 * 60, [], date(2026, 3, 19), 8 * 60),                             // night → the morning
        (date(2026, 3, 18), 12 * 60, [0, 0], date(2026, 3, 19), 8 * 60),                         // day full → tomorrow
        (date(2026, 3, 18), 12 * 60, [-2, -2, -1, -1], date(2026, 3, 23), 8 * 60),                // week full → Monday
        (date(2026, 3, 20), 12 * 60, [2, 2], date(2026, 3, 21), 9 * 60),                          // Friday full → Saturday 09:00
        (date(2026, 3, 20), 12 * 60, [2, 2, -2, -1], date(2026, 3, 23), 8 * 60),                  // Friday full, then the week
        (date(2026, 3, 18), 12 * 60, [-16, -16, -15, -15, -8, -8, -7, -7, -2, -2, 5, 5, 6, 6, 12, 12], date(2026, 4, 1), 8 * 60),  // month full
        (date(2026, 3, 18), 12 * 60, [-1, -1, 1], date(2026, 3, 18), 12 * 60),                    // 3 this week, none today: fits
    ] as [(LocalDate, Int, [Int], LocalDate, Int)])
    func capsMove(day: LocalDate, minute: Int, dayOffsets: [Int], expectedDay: LocalDate, expectedMinute: Int) {
        let others = dayOffsets.map { date(2026, 3, 18).adding(days: $0).unixMs(atMinute: 720, utcOffsetMinutes: 180) }
        let next = SmsCaps.nextAllowed(after: day.unixMs(atMinute: minute, utcOffsetMinutes: 180), others: others, utcOffsetMinutes: 180, calendar: .shipped)
        #expect(next == expectedDay.unixMs(atMinute: expectedMinute, utcOffsetMinutes: 180))
        if let next {
            #expect(SmsCaps.violation(dueMs: next, others: others, utcOffsetMinutes: 180) == nil)
        }
    }

    @Test("no lawful moment within the horizon: nil")
    func capsHorizon() {
        let start = date(2026, 3, 18).unixMs(atMinute: 720, utcOffsetMinutes: 180)
        let others = [0, 0, 1, 1].map { date(2026, 3, 18).adding(days: $0).unixMs(atMinute: 720, utcOffsetMinutes: 180) }
        #expect(SmsCaps.nextAllowed(after: start, others: others, utcOffsetMinutes: 180, calendar: .shipped, horizonDays: 0) == nil)
    }

    @Test("the visit rule")
    func visitRule() {
        // Visit today: not ticked, goes now if ticked.
        #expect(VisitSmsRule.plan(visit: tuesday, nowMs: fixedNow, utcOffsetMinutes: 180) == .init(sendByDefault: false, sendAtUnixMs: 0))
        // Visit tomorrow: ticked, today at 10:00 local (still ahead at 09:00).
        #expect(VisitSmsRule.plan(visit: tuesday.adding(days: 1), nowMs: fixedNow, utcOffsetMinutes: 180)
            == .init(sendByDefault: true, sendAtUnixMs: tuesday.unixMs(atMinute: 600, utcOffsetMinutes: 180)))
        // At 16:00 local in Vladivostok the 10:00 of today has passed: right away.
        #expect(VisitSmsRule.plan(visit: tuesday.adding(days: 1), nowMs: fixedNow, utcOffsetMinutes: 600) == .init(sendByDefault: true, sendAtUnixMs: 0))
        // Visit in a week: the day before at 10:00 office-local.
        #expect(VisitSmsRule.plan(visit: tuesday.adding(days: 7), nowMs: fixedNow, utcOffsetMinutes: 600)
            == .init(sendByDefault: true, sendAtUnixMs: tuesday.adding(days: 6).unixMs(atMinute: 600, utcOffsetMinutes: 600)))
        #expect(VisitSmsRule.text(visit: date(2017, 10, 25), address: "Зелёный пр-кт дом №27 корпус №1")
            == "Ждем Вас 25.10.2017 по адресу Зелёный пр-кт дом №27 корпус №1")
    }

    @Test("fixed templates")
    func templates() {
        #expect(SmsTemplates.byID["mobile-app-link"]?.name == "Ссылка на МП")
        #expect(SmsTemplates.mobileAppLink.text == "Скачайте мобильное приложение Халва http://scb.im/hva")
        #expect(SmsTemplates.loginCodeText("123456") == "Код для входа в CRM: 123456")
    }

    @Test("phones and search text", arguments: [
        ("(937) 288-80-99", "9372888099"), ("+7 951-018-70-60", "9510187060"), ("8 937 288 80 99", "9372888099"),
        ("812 5893369", "8125893369"), ("12345", nil), ("+1 937 288 80 99", nil),
    ] as [(String, String?)])
    func phones(typed: String, expected: String?) {
        #expect(NationalPhone(typed)?.digits == expected)
    }

    @Test("search text folds case and ё")
    func searchText() {
        #expect(RussianText.fold("ЗЕЛЁНЫЙ Пр-кт") == "зеленый пр-кт")
        #expect(SearchText.matchExpression("ст. м. Новогиреево") == "\"ст\"* \"м\"* \"новогиреево\"*")
        #expect(SearchText.matchExpression(" \"*) ") == nil)
    }

    @Test("backoff doubles up to the cap")
    func backoff() {
        #expect(OutboxWorker.backoffMs(afterAttempts: 1, base: 2_000, cap: 300_000) == 2_000)
        #expect(OutboxWorker.backoffMs(afterAttempts: 3, base: 2_000, cap: 300_000) == 8_000)
        #expect(OutboxWorker.backoffMs(afterAttempts: 12, base: 2_000, cap: 300_000) == 300_000)
    }
}
