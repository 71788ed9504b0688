public import Wire

/// «Календарь» and «Список записей» of an office.
public enum CalendarView {
    public static func slots(_ slots: [SchedulingV1.CalendarSlot]) -> String {
        TextTable(
            headers: ["ВРЕМЯ", "ЗАПИСАНО", "СВОБОДНО", ""],
            rows: slots.map { slot in
                [SchedulingDates.time(slot.start), "\(slot.bookings.count)", "\(slot.freePlaces) из \(slot.capacity)",
                 slot.past ? "прошло" : (slot.freePlaces == 0 ? "мест нет" : "")]
            }
        ).render()
    }
}
