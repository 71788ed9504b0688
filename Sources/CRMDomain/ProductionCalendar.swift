/// The Russian production calendar (DOMAIN.md §8): days off (holidays and moved days off)
/// and weekend days made working by a transfer. Outside the data, Monday–Friday work.
///
/// The shipped data (`ProductionCalendarData.swift`) is written by
/// `scripts/generate-production-calendar`; a deployer replaces it with a text file of
/// `YYYY-MM-DD off|work` lines (`#` comments) via `--production-calendar` of the contacts
/// and scheduling services.
public struct ProductionCalendar: Sendable {
    public var daysOff: Set<LocalDate>
    public var workingWeekendDays: Set<LocalDate>

    public init(daysOff: Set<LocalDate>, workingWeekendDays: Set<LocalDate> = []) {
        self.daysOff = daysOff
        self.workingWeekendDays = workingWeekendDays
    }

    public func isWorkingDay(_ date: LocalDate) -> Bool {
        if workingWeekendDays.contains(date) { return true }
        if daysOff.contains(date) { return false }
        return date.weekday <= 5
    }

    public struct ParseError: Error, CustomStringConvertible {
        public var line: Int
        public var text: String
        public var description: String { "production calendar, line \(line): «\(text)» is not `YYYY-MM-DD off|work`" }
    }

    public init(parsing text: String) throws {
        var off = Set<LocalDate>()
        var work = Set<LocalDate>()
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            if words.isEmpty { continue }
            guard words.count == 2, let date = LocalDate(iso: words[0]) else { throw ParseError(line: index + 1, text: String(raw)) }
            switch words[1] {
            case "off": off.insert(date)
            case "work": work.insert(date)
            default: throw ParseError(line: index + 1, text: String(raw))
            }
        }
        self.init(daysOff: off, workingWeekendDays: work)
    }

    /// The calendar the services ship (2025–2027).
    public static let shipped: ProductionCalendar = {
        do { return try ProductionCalendar(parsing: shippedData) } catch { fatalError("shipped production calendar: \(error)") }
    }()
}
