import Foundation

/// The Russian production calendar (DOMAIN.md §8): which dates are days off and which
/// Saturdays or Sundays are working days by a government transfer. Outside the years it
/// knows, a weekday is a working day and Saturday/Sunday are not.
///
/// The built-in data covers 2025–2027 (Labour Code art. 112 holidays and the published
/// transfers); a deployer can replace it with a text file (`--production-calendar`):
/// one date per line, `YYYY-MM-DD off` or `YYYY-MM-DD work`, `#` starts a comment.
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

    /// The calendar the service ships.
    public static let russia: ProductionCalendar = {
        func dates(_ year: Int, _ list: [(Int, Int)]) -> [LocalDate] { list.compactMap { LocalDate(year: year, month: $0.0, day: $0.1) } }
        var off: [LocalDate] = []
        // 2025: 23 Feb (Sun) → 8 May, 8 Mar (Sat) → 13 Jun, 4 Jan → 2 May, 5 Jan → 31 Dec, 1 Nov (Sat) works → 3 Nov.
        off += dates(2025, [(1, 1), (1, 2), (1, 3), (1, 6), (1, 7), (1, 8), (5, 1), (5, 2), (5, 8), (5, 9),
                            (6, 12), (6, 13), (11, 3), (11, 4), (12, 31)])
        // 2026: 3 Jan → 9 Jan, 4 Jan → 31 Dec; 8 Mar (Sun) → 9 Mar; 9 May (Sat) → 11 May.
        off += dates(2026, [(1, 1), (1, 2), (1, 5), (1, 6), (1, 7), (1, 8), (1, 9), (2, 23), (3, 9), (5, 1), (5, 11),
                            (6, 12), (11, 4), (12, 31)])
        // 2027: 1–8 Jan, 23 Feb, 8 Mar, 1 May (Sat) → 3 May, 9 May (Sun) → 10 May, 12 Jun (Sat) → 14 Jun, 4 Nov;
        // 2 Jan (Sat) and 3 Jan (Sun) carried to 31 Dec and 22 Feb (Labour Code art. 112 default).
        off += dates(2027, [(1, 1), (1, 4), (1, 5), (1, 6), (1, 7), (1, 8), (2, 22), (2, 23), (3, 8), (5, 3), (5, 10),
                            (6, 14), (11, 4), (12, 31)])
        let work = dates(2025, [(11, 1)])
        return ProductionCalendar(daysOff: Set(off), workingWeekendDays: Set(work))
    }()
}
