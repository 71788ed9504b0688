import CRMDomain
import Foundation

/// Opening hours of one weekday, in minutes since local midnight.
public struct DayHours: Sendable, Hashable {
    /// 1 = Monday ... 7 = Sunday.
    public var weekday: Int
    public var opens: Int
    public var closes: Int

    public init(weekday: Int, opens: Int, closes: Int) {
        self.weekday = weekday
        self.opens = opens
        self.closes = closes
    }
}

/// The calendar of an office (DOMAIN.md §4): slots of a fixed length inside the opening
/// hours, at most 5 clients a slot.
public enum SlotRules {
    public static let capacity = 5
    public static let fullSlotMessage = "На это время уже записано 5 клиентов"

    /// The starts (minutes since midnight) of every slot that fits in the day's hours.
    public static func slotStarts(hours: [DayHours], on date: LocalDate, slotMinutes: Int) -> [Int] {
        guard slotMinutes > 0, let day = hours.first(where: { $0.weekday == date.weekday }) else { return [] }
        return Array(stride(from: day.opens, through: day.closes - slotMinutes, by: slotMinutes))
    }

    public static func freePlaces(booked: Int, capacity: Int = capacity) -> Int { max(0, capacity - booked) }

    /// Whether one more client fits in a slot that already holds `booked`.
    public static func hasRoom(booked: Int, capacity: Int = capacity) -> Bool { booked < capacity }

    /// A slot is past once its start has come, in the office's local time.
    public static func isPast(date: LocalDate, start: Int, utcOffsetMinutes: Int, nowMs: Int64) -> Bool {
        date.unixMs(atMinute: start, utcOffsetMinutes: utcOffsetMinutes) <= nowMs
    }
}
