import CRMDomain
import Foundation
public import Wire

/// 230-ФЗ art. 7 for creditor-initiated contacts (DOMAIN.md §8), in the debtor's local time.
public enum Law230 {
    public static let callsPerDay = 1
    public static let callsPerWeek = 2
    public static let callsPerMonth = 8
    public static let meetingsPerWeek = 1

    /// The debtor's local calendar windows of an instant: the starts of the day, the
    /// (Monday-based) week and the month, as instants.
    public struct Windows: Sendable, Hashable {
        public var dayStartMs: Int64
        public var weekStartMs: Int64
        public var monthStartMs: Int64
    }

    public static func windows(nowMs: Int64, utcOffsetMinutes offset: Int) -> Windows {
        let today = LocalDate.of(unixMs: nowMs, utcOffsetMinutes: offset)
        let monday = today.adding(days: -(today.weekday - 1))
        let first = LocalDate(year: today.year, month: today.month, day: 1)!
        return Windows(
            dayStartMs: today.unixMs(atMinute: 0, utcOffsetMinutes: offset),
            weekStartMs: monday.unixMs(atMinute: 0, utcOffsetMinutes: offset),
            monthStartMs: first.unixMs(atMinute: 0, utcOffsetMinutes: offset)
        )
    }

    /// The counters from the instants of earlier attempts.
    public static func counts(
        calls: [Int64], meetings: [Int64], nowMs: Int64, utcOffsetMinutes offset: Int
    ) -> ContactsV1.ContactCounts {
        let w = windows(nowMs: nowMs, utcOffsetMinutes: offset)
        return ContactsV1.ContactCounts(
            callsToday: Int32(calls.filter { $0 >= w.dayStartMs && $0 <= nowMs }.count),
            callsThisWeek: Int32(calls.filter { $0 >= w.weekStartMs && $0 <= nowMs }.count),
            callsThisMonth: Int32(calls.filter { $0 >= w.monthStartMs && $0 <= nowMs }.count),
            meetingsThisWeek: Int32(meetings.filter { $0 >= w.weekStartMs && $0 <= nowMs }.count)
        )
    }

    /// Local hours: working days 08:00–22:00, weekends and holidays 09:00–20:00.
    public static func hours(on day: LocalDate, _ calendar: ProductionCalendar) -> Range<Int> {
        calendar.isWorkingDay(day) ? 8 * 60 ..< 22 * 60 : 9 * 60 ..< 20 * 60
    }

    public static func withinHours(nowMs: Int64, utcOffsetMinutes offset: Int, _ calendar: ProductionCalendar) -> Bool {
        let day = LocalDate.of(unixMs: nowMs, utcOffsetMinutes: offset)
        return hours(on: day, calendar).contains(LocalDate.minuteOfDay(unixMs: nowMs, utcOffsetMinutes: offset))
    }

    /// The first moment at or after `fromMs` inside the debtor's local hours (weekends and
    /// holidays with their shorter hours).
    public static func nextWithinHours(fromMs: Int64, utcOffsetMinutes offset: Int, _ calendar: ProductionCalendar) -> Int64 {
        let first = LocalDate.of(unixMs: fromMs, utcOffsetMinutes: offset)
        for ahead in 0..<31 {
            let day = first.adding(days: ahead)
            let open = hours(on: day, calendar)
            let start = max(day.unixMs(atMinute: open.lowerBound, utcOffsetMinutes: offset), fromMs)
            if start < day.unixMs(atMinute: open.upperBound, utcOffsetMinutes: offset) { return start }
        }
        return fromMs
    }

    /// When a contact refused by `limit` at `nowMs` is next allowed; nil under a ban (never).
    /// `callsAllowedFromMs` is when the call caps next allow a call.
    public static func nextAllowed(
        after limit: ContactsV1.ContactLimit, nowMs: Int64, callsAllowedFromMs: Int64, utcOffsetMinutes offset: Int, _ calendar: ProductionCalendar
    ) -> Int64? {
        switch limit {
        case .contactBan: return nil
        case .meetingsPerWeek:
            let nextWeek = windows(nowMs: nowMs, utcOffsetMinutes: offset).weekStartMs + 7 * 86_400_000
            return nextWithinHours(fromMs: nextWeek, utcOffsetMinutes: offset, calendar)
        default:
            return nextWithinHours(fromMs: max(nowMs, callsAllowedFromMs), utcOffsetMinutes: offset, calendar)
        }
    }

    /// The request field a refusal by `limit` names: a ban is the contract's, a cap or the
    /// hours stop this channel.
    public static func field(_ limit: ContactsV1.ContactLimit) -> String {
        limit == .contactBan ? "contract_number" : "channel"
    }

    /// The limit that stops one more contact now, or nil when it may happen.
    public static func refusal(
        channel: ContactsV1.ContactChannel, ban: ContactsV1.ContactBan, counts: ContactsV1.ContactCounts,
        nowMs: Int64, utcOffsetMinutes offset: Int, _ calendar: ProductionCalendar
    ) -> ContactsV1.ContactLimit? {
        if ban != .unspecified { return .contactBan }
        guard withinHours(nowMs: nowMs, utcOffsetMinutes: offset, calendar) else { return .localHours }
        switch channel {
        case .meeting:
            return counts.meetingsThisWeek >= meetingsPerWeek ? .meetingsPerWeek : nil
        default:
            if counts.callsToday >= callsPerDay { return .callsPerDay }
            if counts.callsThisWeek >= callsPerWeek { return .callsPerWeek }
            if counts.callsThisMonth >= callsPerMonth { return .callsPerMonth }
            return nil
        }
    }

    /// The refusal message, in the operator's words.
    public static func message(_ limit: ContactsV1.ContactLimit) -> String {
        switch limit {
        case .localHours: "230-ФЗ: звонить должнику можно только в рабочие дни с 08:00 до 22:00 и в выходные и праздники с 09:00 до 20:00 по его местному времени"
        case .callsPerDay: "230-ФЗ: не более 1 звонка должнику в сутки"
        case .callsPerWeek: "230-ФЗ: не более 2 звонков должнику в неделю"
        case .callsPerMonth: "230-ФЗ: не более 8 звонков должнику в месяц"
        case .meetingsPerWeek: "230-ФЗ: не более 1 личной встречи в неделю"
        case .contactBan: "230-ФЗ: непосредственное взаимодействие с должником запрещено (банкротство, недееспособность, стационар, инвалидность I группы или несовершеннолетие)"
        default: "230-ФЗ"
        }
    }
}

/// What the end of an incoming call does to the contract's place in the work list (DOMAIN.md §7).
public enum CollectionRules {
    public static let maxCallBackDays = 7
    /// «Отказ клиента»: off the list «не менее 4 дней», counted as 4 × 24 hours.
    public static let minRefusalDays = 4

    public struct Effect: Sendable, Hashable {
        /// Hidden from the work list until this local date (shown again on it); nil: unchanged.
        public var hiddenUntil: LocalDate?
        /// «Готов платить»: the day the promise was made; a payment dated on or after it keeps
        /// the contract off the list, none brings it back on the promised date.
        public var promiseMadeOn: LocalDate?
        public var campaignEnded: Bool

        public init(hiddenUntil: LocalDate? = nil, promiseMadeOn: LocalDate? = nil, campaignEnded: Bool = false) {
            self.hiddenUntil = hiddenUntil
            self.promiseMadeOn = promiseMadeOn
            self.campaignEnded = campaignEnded
        }
    }

    /// The latest date a callback may hide the contract until.
    public static func latestCallBack(today: LocalDate) -> LocalDate { today.adding(days: maxCallBackDays) }

    public static func readyToPay(promised: LocalDate, today: LocalDate) throws(RuleError) -> Effect {
        guard promised >= today else {
            throw .invalidArgument(field: "input.ready_to_pay.payment_date", "Дата платежа не может быть в прошлом")
        }
        return Effect(hiddenUntil: promised, promiseMadeOn: today)
    }

    /// Hidden until the callback date, but for no more than 7 calendar days.
    public static func callBack(date: LocalDate, today: LocalDate) throws(RuleError) -> Effect {
        guard date >= today else {
            throw .invalidArgument(field: "input.call_back.callback_date", "Дата перезвона не может быть в прошлом")
        }
        return Effect(hiddenUntil: min(date, latestCallBack(today: today)))
    }

    public static func refusal(_ reason: ContactsV1.PaymentRefusalReason, today: LocalDate) throws(RuleError) -> Effect {
        switch reason {
        // Hidden by local date, and the day of the refusal is partly gone: back on the 5th
        // day after it, so never sooner than 4 × 24 hours (refused Monday 23:59 → Saturday
        // 00:00, 96 h 1 min; Monday 21:00 → Saturday, 99 h) and never later than 5 × 24.
        case .clientRefusal: return Effect(hiddenUntil: today.adding(days: minRefusalDays + 1))
        case .problemClient, .bankruptcy: return Effect(campaignEnded: true)
        default: throw .invalidArgument(field: "input.refusal.reason", "Укажите причину отказа в оплате")
        }
    }

    /// A third party: comment required, the work list unchanged.
    public static func thirdParty(_ result: ContactsV1.ThirdPartyResult, comment: String) throws(RuleError) -> Effect {
        guard result == .infoWillBePassed || result == .refusedCommunication || result == .problemClient else {
            throw .invalidArgument(field: "input.third_party.result", "Выберите результат разговора с 3-м лицом")
        }
        guard !comment.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw .invalidArgument(field: "input.third_party.comment", "Комментарий обязателен")
        }
        return Effect()
    }

    /// Whether a contract is on the work list on `today`: not hidden, campaign not ended, in
    /// debt, no ban, and a kept promise keeps it off.
    public static func onWorkList(
        debtKopecks: Int64, ban: ContactsV1.ContactBan, campaignEnded: Bool, hiddenUntil: LocalDate?,
        promiseMadeOn: LocalDate?, lastPayment: LocalDate?, today: LocalDate
    ) -> Bool {
        guard debtKopecks > 0, ban == .unspecified, !campaignEnded else { return false }
        if let hiddenUntil, today < hiddenUntil { return false }
        if let promiseMadeOn, let lastPayment, lastPayment >= promiseMadeOn { return false }
        return true
    }
}
