import Foundation
public import Wire

/// Request bodies from a JSON template whose `{{name}}` placeholders are filled from CSV
/// rows (one column per name) or the built-ins `{{seq}}` (0, 1, 2, …) and `{{phone}}` (a
/// mobile number, different each row, when no CSV column is called phone).
public struct RequestTemplate: Sendable {
    public let text: String

    public init(text: String) {
        self.text = text
    }

    /// Renders `count` requests (cycling through `rows` when given) and encodes each as
    /// `type`: the bodies are ready before the run, so rendering never shows in latencies.
    public func render(as type: any WireMessage.Type, count: Int, rows: [[String: String]] = []) throws(LoadTestError) -> [[UInt8]] {
        var bodies: [[UInt8]] = []
        bodies.reserveCapacity(count)
        for index in 0..<max(1, count) {
            var values = rows.isEmpty ? [:] : rows[index % rows.count]
            values["seq", default: "\(index)"] = values["seq"] ?? "\(index)"
            if values["phone"] == nil { values["phone"] = Self.syntheticPhone(index) }
            let json = fill(values)
            do {
                bodies.append(try Self.encode(type, json: Data(json.utf8)))
            } catch {
                throw LoadTestError("The request template is not a valid \(type.protoMessageName) (row \(index)): \(error)")
            }
        }
        return bodies
    }

    func fill(_ values: [String: String]) -> String {
        var result = text
        for (name, value) in values {
            result = result.replacingOccurrences(of: "{{\(name)}}", with: Self.jsonEscaped(value))
        }
        return result
    }

    private static func encode<M: WireMessage>(_ type: M.Type, json: Data) throws -> [UInt8] {
        try JSONDecoder().decode(M.self, from: json).serializedBytes()
    }

    /// A 10-digit mobile number (9xx) that differs for each index.
    static func syntheticPhone(_ index: Int) -> String {
        "9" + String(format: "%09d", (index &* 7_919) % 1_000_000_000)
    }

    private static func jsonEscaped(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
    }

    /// Rows of a CSV file with a header line (no quoted commas: load-test data is plain).
    public static func csvRows(_ text: String) -> [[String: String]] {
        let lines = text.split(whereSeparator: \.isNewline).map(String.init)
        guard let header = lines.first?.split(separator: ",", omittingEmptySubsequences: false).map({ $0.trimmingCharacters(in: .whitespaces) }) else {
            return []
        }
        return lines.dropFirst().map { line in
            let cells = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            return Dictionary(uniqueKeysWithValues: zip(header, cells + Array(repeating: "", count: max(0, header.count - cells.count))).map { ($0, $1) })
        }
    }
}
