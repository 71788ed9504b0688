public import Wire

// One mapping between the shared domain values and their wire messages, for every service.

extension LocalDate {
    /// A wire date; nil when absent or not a real date (the caller names the field).
    public init?(_ wire: TypesV1.Date?) {
        guard let wire else { return nil }
        self.init(year: Int(wire.year), month: Int(wire.month), day: Int(wire.day))
    }

    public var wire: TypesV1.Date { TypesV1.Date(year: Int32(clamping: year), month: Int32(month), day: Int32(day)) }
}

extension Region {
    public var wire: TypesV1.RegionRef { TypesV1.RegionRef(code: code, name: name, moscowOffsetHours: Int32(moscowOffsetHours)) }
}

extension TypesV1.LocalDateTime {
    /// A local date-time of an instant at a UTC offset, to the minute.
    public static func of(unixMs: Int64, utcOffsetMinutes offset: Int) -> TypesV1.LocalDateTime {
        let date = LocalDate.of(unixMs: unixMs, utcOffsetMinutes: offset)
        let minute = LocalDate.minuteOfDay(unixMs: unixMs, utcOffsetMinutes: offset)
        return TypesV1.LocalDateTime(
            date: date.wire, time: TypesV1.TimeOfDay(hour: Int32(minute / 60), minute: Int32(minute % 60)),
            utcOffsetMinutes: Int32(clamping: offset)
        )
    }
}
