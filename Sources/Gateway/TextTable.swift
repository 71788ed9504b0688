/// A table for the terminal: Russian column names as in the manual, columns as wide as
/// their widest cell, long cells cut with «…» so a row fits the terminal.
public struct TextTable: Sendable {
    public var headers: [String]
    public var rows: [[String]]

    public init(headers: [String], rows: [[String]]) {
        self.headers = headers
        self.rows = rows
    }

    public func render(width: Int = TextTable.terminalWidth()) -> String {
        guard !headers.isEmpty else { return "" }
        var widths = headers.map(\.count)
        for row in rows {
            for (index, cell) in row.enumerated() where index < widths.count {
                widths[index] = max(widths[index], cell.count)
            }
        }
        // Shrink the widest columns until the row fits (separators are two spaces).
        let separators = 2 * (widths.count - 1)
        while widths.reduce(0, +) + separators > width, let widest = widths.indices.max(by: { widths[$0] < widths[$1] }),
              widths[widest] > 6 {
            widths[widest] -= 1
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                let limit = widths[index]
                let fitted = cell.count > limit ? String(cell.prefix(limit - 1)) + "…" : cell
                return index == cells.count - 1 ? fitted : fitted + String(repeating: " ", count: limit - fitted.count)
            }.joined(separator: "  ")
        }
        var lines = [line(headers), widths.map { String(repeating: "─", count: $0) }.joined(separator: "  ")]
        for row in rows {
            lines.append(line(row + Array(repeating: "", count: max(0, headers.count - row.count))))
        }
        return lines.joined(separator: "\n")
    }

    /// `$COLUMNS`, else 120.
    public static func terminalWidth() -> Int {
        if let columns = ProcessInfoEnvironment.value("COLUMNS").flatMap(Int.init), columns > 20 { return columns }
        return 120
    }
}

import Foundation

enum ProcessInfoEnvironment {
    static func value(_ name: String) -> String? { ProcessInfo.processInfo.environment[name] }
}
