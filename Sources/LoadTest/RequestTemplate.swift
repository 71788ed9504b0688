import Foundation
public import Wire

/// Request bodies from a JSON template whose `{{…}}` placeholders are filled per request
/// (see `placeholderHelp`), then checked against the message: a placeholder nobody knows,
/// or a field the message does not have, stops the run before it starts instead of
/// running it at 100 % errors.
public struct RequestTemplate: Sendable {
    public let text: String
    /// Cards read from the registry before the run, for `{{card}}` and `{{card.phone}}`.
    public var cards: PreparedCards?

    public init(text: String, cards: PreparedCards? = nil) {
        self.text = text
        self.cards = cards
    }

    /// Whether the template asks for the registry's cards.
    public var needsCards: Bool { text.contains("{{card") }

    public static let placeholderHelp = """
        Request templates (--data, --data-file) are JSON with {{placeholders}},
        filled for each request prepared before the run (1,024, or one per CSV
        row, used in turn):
          {{seq}}          0, 1, 2, … (the prepared request's number)
          {{phone}}        a 10-digit mobile (9…), different for each request
          {{uuid}}         a random UUID
          {{random A B}}   a random integer from A to B inclusive
          {{now}}          now in Unix ms; {{now+2h}}, {{now-30m}} (s m h d)
          {{card}}         a card the registry holds (read before the run from
                           --registry, default --target), {{card.phone}} its mobile
          {{COLUMN}}       a column of --csv
        A number may be written as a JSON number or a string ("cardId": "17").
        An unknown placeholder or field stops the run before it starts.
        """

    /// Renders `count` requests (cycling through `rows` when given) and encodes each as
    /// `type`: the bodies are ready before the run, so rendering never shows in latencies.
    public func render(
        as type: any WireMessage.Type, count: Int, rows: [[String: String]] = [], nowMs: Int64 = Int64(Date().timeIntervalSince1970 * 1000)
    ) throws(LoadTestError) -> [[UInt8]] {
        var bodies: [[UInt8]] = []
        bodies.reserveCapacity(count)
        var random = SystemRandomNumberGenerator()
        for index in 0..<max(1, count) {
            let row = rows.isEmpty ? [:] : rows[index % rows.count]
            let json = try fill(row: row, index: index, nowMs: nowMs, random: &random)
            do {
                bodies.append(try Self.encode(type, json: json))
            } catch let error as LoadTestError {
                throw LoadTestError("The request template (request \(index)): \(error.description)")
            } catch {
                throw LoadTestError("The request template is not a valid \(type.protoMessageName) (request \(index)): \(error)")
            }
        }
        return bodies
    }

    /// The template with every placeholder replaced; one nobody knows is an error naming it.
    func fill(row: [String: String], index: Int, nowMs: Int64, random: inout SystemRandomNumberGenerator) throws(LoadTestError) -> String {
        var result = ""
        var rest = Substring(text)
        while let open = rest.range(of: "{{") {
            result += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].range(of: "}}") else {
                throw LoadTestError("An unclosed {{ in the request template")
            }
            let name = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            result += Self.jsonEscaped(try value(of: name, row: row, index: index, nowMs: nowMs, random: &random))
            rest = rest[close.upperBound...]
        }
        return result + rest
    }

    private func value(of name: String, row: [String: String], index: Int, nowMs: Int64, random: inout SystemRandomNumberGenerator) throws(LoadTestError) -> String {
        if let column = row[name] { return column }
        switch name {
        case "seq": return "\(index)"
        case "phone": return Self.syntheticPhone(index)
        case "uuid": return UUID().uuidString.lowercased()
        case "card", "card.phone":
            guard let cards, !cards.cards.isEmpty else {
                throw LoadTestError("{{\(name)}} needs the registry's cards, read before the run")
            }
            // The same card for both placeholders of one request.
            let card = cards.cards[index % cards.cards.count]
            return name == "card" ? "\(card.id)" : card.phones[index / cards.cards.count % card.phones.count]
        default: break
        }
        let words = name.split(separator: " ")
        if words.first == "random" {
            guard words.count == 3, let low = Int64(words[1]), let high = Int64(words[2]), low <= high else {
                throw LoadTestError("{{\(name)}}: write {{random A B}} with integers A ≤ B")
            }
            return "\(Int64.random(in: low...high, using: &random))"
        }
        if name.hasPrefix("now") {
            let offset = name.dropFirst(3)
            if offset.isEmpty { return "\(nowMs)" }
            guard let sign = offset.first, sign == "+" || sign == "-", let unit = offset.last,
                  let scale: Int64 = ["s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000][unit],
                  let amount = Int64(offset.dropFirst().dropLast()), amount >= 0, amount < 1_000_000 else {
                throw LoadTestError("{{\(name)}}: write {{now}}, {{now+2h}} or {{now-30m}} (units s, m, h, d)")
            }
            return "\(nowMs + (sign == "+" ? 1 : -1) * amount * scale)"
        }
        let columns = row.keys.sorted()
        throw LoadTestError(
            "Unknown placeholder {{\(name)}}: the built-ins are seq, phone, uuid, random A B, now[±N(s|m|h|d)], card, card.phone"
                + (columns.isEmpty ? "" : "; the CSV columns are \(columns.joined(separator: ", "))")
        )
    }

    /// Decodes the JSON as the message, taking integers written as strings, and refuses a
    /// field the message does not have (JSONDecoder alone would ignore it).
    static func encode<M: WireMessage>(_ type: M.Type, json: String) throws -> [UInt8] {
        guard var object = try JSONSerialization.jsonObject(with: Data(json.utf8), options: [.fragmentsAllowed]) as? [String: Any] else {
            throw LoadTestError("the request must be a JSON object")
        }
        // Each pass turns one integer written as a string into a number; a message has
        // few enough fields that this ends long before the bound.
        for _ in 0..<256 {
            do {
                let message = try JSONDecoder().decode(M.self, from: JSONSerialization.data(withJSONObject: object))
                let known = try JSONSerialization.jsonObject(with: JSONEncoder().encode(message))
                if let unknown = unknownKey(in: object, known: known, path: []) {
                    throw LoadTestError("\(M.protoMessageName) has no field «\(unknown)» (`crm-load list --describe METHOD` shows the fields)")
                }
                return try message.serializedBytes()
            } catch DecodingError.typeMismatch(let expected, let context) where isInteger(expected) {
                guard let replaced = integerFromString(in: object, at: context.codingPath.map(\.stringValue)) else {
                    throw DecodingError.typeMismatch(expected, context)
                }
                object = replaced
            }
        }
        throw LoadTestError("the request has too many integers written as strings")
    }

    private static func isInteger(_ type: Any.Type) -> Bool {
        type == Int64.self || type == Int32.self || type == UInt64.self || type == UInt32.self || type == Int.self
    }

    /// The object with the string at `path` turned into the integer it spells, or nil.
    private static func integerFromString(in object: [String: Any], at path: [String]) -> [String: Any]? {
        func replace(_ value: Any, _ path: ArraySlice<String>) -> Any? {
            guard let key = path.first else {
                guard let text = value as? String, let number = Int64(text) else { return nil }
                return NSNumber(value: number)
            }
            if var dictionary = value as? [String: Any], let inner = dictionary[key], let new = replace(inner, path.dropFirst()) {
                dictionary[key] = new
                return dictionary
            }
            if var array = value as? [Any], let index = Int(key.replacingOccurrences(of: "Index ", with: "")), array.indices.contains(index),
               let new = replace(array[index], path.dropFirst()) {
                array[index] = new
                return array
            }
            return nil
        }
        return replace(object, path[...]) as? [String: Any]
    }

    /// The dotted path of the first key of `given` that `known` (the message encoded back,
    /// every field present) lacks.
    private static func unknownKey(in given: Any, known: Any, path: [String]) -> String? {
        if let given = given as? [String: Any] {
            let known = known as? [String: Any] ?? [:]
            for key in given.keys.sorted() {
                guard let knownValue = known[key] else { return (path + [key]).joined(separator: ".") }
                if let found = unknownKey(in: given[key]!, known: knownValue, path: path + [key]) { return found }
            }
        } else if let given = given as? [Any], let known = known as? [Any] {
            for (index, element) in given.enumerated() where index < known.count {
                if let found = unknownKey(in: element, known: known[index], path: path + ["\(index)"]) { return found }
            }
        }
        return nil
    }

    /// A 10-digit mobile number (9xx) that differs for each index.
    static func syntheticPhone(_ index: Int) -> String {
        "9" + String(format: "%09d", (index &* 7_919) % 1_000_000_000)
    }

    private static func jsonEscaped(_ value: String) -> String {
        // The value lands inside a JSON string the template wrote, or bare as a number.
        let encoded = (try? JSONEncoder().encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "\"\""
        return String(encoded.dropFirst().dropLast())
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
