import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A table for the terminal: Russian column names as in the manual, columns as wide as their
/// widest cell. Nothing is ever cut: when a row is wider than the terminal, the free-text
/// columns wrap at word boundaries while the columns that identify someone or something
/// (`keep`: a name, a phone, a date, a contract, a key) stay whole on one line; when even that
/// cannot fit, each row becomes a block of «КОЛОНКА: значение» lines.
public struct TextTable: Sendable {
    public var headers: [String]
    public var rows: [[String]]
    /// Columns whose cells are never broken across lines.
    public var keep: Set<Int>

    public init(headers: [String], keep: Set<Int> = [], rows: [[String]]) {
        self.headers = headers
        self.rows = rows
        self.keep = keep
    }

    /// Below this a wrapped column reads as a word per line: blocks read better.
    static let narrowest = 10

    public func render(width: Int = TextTable.terminalWidth()) -> String {
        guard !headers.isEmpty else { return "" }
        let rows = self.rows.map { $0 + Array(repeating: "", count: max(0, headers.count - $0.count)) }
        var widths = headers.map(\.count)
        for row in rows {
            for index in widths.indices { widths[index] = max(widths[index], row[index].count) }
        }
        let separators = 2 * (widths.count - 1)
        if widths.reduce(0, +) + separators <= width {
            return lines(rows, widths: widths)
        }
        // The kept columns at full width; the rest shrink, widest first, so short columns stay
        // whole and only long text wraps — none below `narrowest` or its header's longest word.
        let free = widths.indices.filter { !keep.contains($0) }
        let fixed = widths.indices.filter { keep.contains($0) }.map { widths[$0] }.reduce(0, +)
        var floor = widths
        for index in free {
            let longestWord = headers[index].split(separator: " ").map(\.count).max() ?? 0
            floor[index] = min(widths[index], max(Self.narrowest, longestWord))
        }
        let available = width - separators - fixed
        guard !free.isEmpty, available >= free.map({ floor[$0] }).reduce(0, +) else {
            return blocks(rows, width: width)
        }
        var fitted = widths
        var excess = free.map { fitted[$0] }.reduce(0, +) - available
        while excess > 0, let widest = free.filter({ fitted[$0] > floor[$0] }).max(by: { fitted[$0] < fitted[$1] }) {
            fitted[widest] -= 1
            excess -= 1
        }
        return lines(rows, widths: fitted, wrapped: true)
    }

    /// One line per row (or several, when a cell wraps), columns padded to `widths`.
    private func lines(_ rows: [[String]], widths: [Int], wrapped: Bool = false) -> String {
        func render(_ cells: [String]) -> [String] {
            let columns = cells.enumerated().map { index, cell in Self.wrap(cell, width: widths[index]) }
            let height = columns.map(\.count).max() ?? 1
            return (0..<height).map { line in
                columns.enumerated().map { index, column in
                    let text = line < column.count ? column[line] : ""
                    return index == columns.count - 1 ? text : text + String(repeating: " ", count: max(0, widths[index] - text.count))
                }.joined(separator: "  ").trimmingTrailingSpaces()
            }
        }
        var output = render(headers)
        output.append(widths.map { String(repeating: "─", count: $0) }.joined(separator: "  "))
        for (number, row) in rows.enumerated() {
            let rendered = render(row)
            // Rows of several lines are told apart by a blank line.
            if wrapped, number > 0, rendered.count > 1 || render(rows[number - 1]).count > 1 { output.append("") }
            output += rendered
        }
        return output.joined(separator: "\n")
    }

    /// Each row as «КОЛОНКА: значение» lines, values wrapped under their start.
    private func blocks(_ rows: [[String]], width: Int) -> String {
        let labelWidth = headers.map(\.count).max() ?? 0
        var output: [String] = []
        for (number, row) in rows.enumerated() {
            if number > 0 { output.append("") }
            for (index, header) in headers.enumerated() where !row[index].isEmpty {
                let label = header.isEmpty ? "" : header + ":"
                let indent = labelWidth + 2
                let values = keep.contains(index) ? [row[index]] : Self.wrap(row[index], width: max(Self.narrowest, width - indent))
                for (line, value) in values.enumerated() {
                    let prefix = line == 0 ? label.padding(toLength: indent, withPad: " ", startingAt: 0) : String(repeating: " ", count: indent)
                    output.append(prefix + value)
                }
            }
        }
        return output.joined(separator: "\n")
    }

    /// Lines of at most `width` characters, broken at spaces; a word longer than a line is
    /// broken where it must.
    static func wrap(_ text: String, width: Int) -> [String] {
        guard text.count > width, width > 0 else { return [text] }
        var lines: [String] = []
        var current = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: true) {
            var word = Substring(word)
            if current.isEmpty {
                while word.count > width {
                    lines.append(String(word.prefix(width)))
                    word = word.dropFirst(width)
                }
                current = String(word)
            } else if current.count + 1 + word.count <= width {
                current += " " + word
            } else {
                lines.append(current)
                current = ""
                while word.count > width {
                    lines.append(String(word.prefix(width)))
                    word = word.dropFirst(width)
                }
                current = String(word)
            }
        }
        if !current.isEmpty || lines.isEmpty { lines.append(current) }
        return lines
    }

    /// `$COLUMNS` when set (an override); else the terminal's own width when standard output
    /// is one; else 80, for a pipe or a file.
    public static func terminalWidth() -> Int {
        if let columns = ProcessInfoEnvironment.value("COLUMNS").flatMap(Int.init), columns > 20 { return columns }
        var size = winsize()
        if isatty(STDOUT_FILENO) == 1, ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 20 {
            return Int(size.ws_col)
        }
        return 80
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}

enum ProcessInfoEnvironment {
    static func value(_ name: String) -> String? { ProcessInfo.processInfo.environment[name] }
}
