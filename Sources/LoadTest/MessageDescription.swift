import Foundation
public import Wire

/// A request message's fields, their protobuf types and an example JSON, so a template's
/// field names are read, not guessed (`crm-load list --describe METHOD`).
public enum MessageDescription {
    public static func describe(_ type: any WireMessage.Type) -> String {
        var lines = ["\(type.protoMessageName):"]
        var example: [String: Any] = [:]
        lines += fields(of: type.init(), indent: "  ", example: &example)
        lines.append("example (every field at its default; omit what you do not need):")
        let data = (try? JSONSerialization.data(withJSONObject: example, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        lines.append(String(decoding: data, as: UTF8.self))
        return lines.joined(separator: "\n")
    }

    /// One line per field, nested messages indented under theirs; `example` gets each
    /// field's JSON key with a default value.
    static func fields(of message: any WireMessage, indent: String, example: inout [String: Any], depth: Int = 0) -> [String] {
        let keys = jsonKeys(of: message)
        var lines: [String] = []
        for child in Mirror(reflecting: message).children {
            guard let label = child.label else { continue }
            let name = keys[label.lowercased()] ?? label
            var value = child.value
            var optional = false
            if let wrapped = (type(of: value) as? any OptionalMessage.Type)?.defaultWrapped {
                value = wrapped
                optional = true
            }
            let typeName = typeName(of: value) + (optional ? " (message; absent unless given)" : "")
            lines.append(indent + name.padding(toLength: max(name.count, 24), withPad: " ", startingAt: 0) + " " + typeName)
            if let nested = value as? any WireMessage {
                var inner: [String: Any] = [:]
                if depth < 3 { lines += fields(of: nested, indent: indent + "  ", example: &inner, depth: depth + 1) }
                example[name] = inner
            } else if let json = defaultJSON(value) {
                example[name] = json
            }
        }
        return lines
    }

    /// Swift property names (lowercased) → the JSON keys the generated Codable uses.
    static func jsonKeys(of message: any WireMessage) -> [String: String] {
        guard let data = try? JSONEncoder().encode(message),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return [:] }
        return Dictionary(object.keys.map { ($0.lowercased(), $0) }, uniquingKeysWith: { first, _ in first })
    }

    static func typeName(of value: Any) -> String {
        switch value {
        case is String: return "string"
        case is Int64: return "int64 (a JSON number or a string)"
        case is Int32: return "int32"
        case is UInt64: return "uint64 (a JSON number or a string)"
        case is UInt32: return "uint32"
        case is Bool: return "bool"
        case is Double: return "double"
        case is Float: return "float"
        case is [UInt8]: return "bytes (base64)"
        case let message as any WireMessage: return type(of: message).protoMessageName
        case let value as any WireEnum: return enumDescription(value)
        default:
            let swiftType = "\(type(of: value))"
            if swiftType.hasPrefix("Array<") { return "repeated " + mapped(String(swiftType.dropFirst(6).dropLast())) }
            if swiftType.hasPrefix("Optional<") {
                return "oneof \(swiftType.dropFirst(9).dropLast()): give one of its cases as a key (see proto/)"
            }
            return swiftType
        }
    }

    /// Nil for a oneof: no case is the default.
    static func defaultJSON(_ value: Any) -> Any? {
        switch value {
        case let text as String: return text
        case is [UInt8]: return ""
        case let value as any WireEnum: return value.protoName
        case let number as Int64: return number
        case let number as Int32: return number
        case let flag as Bool: return flag
        default: return "\(type(of: value))".hasPrefix("Array<") ? [Any]() : nil
        }
    }

    private static func enumDescription<E: WireEnum>(_ value: E) -> String {
        "enum \(E.protoEnumName): " + E.allCases.map(\.protoName).joined(separator: " | ")
    }

    private static func mapped(_ swiftType: String) -> String {
        ["String": "string", "Int64": "int64", "Int32": "int32", "Bool": "bool", "Array<UInt8>": "bytes"][swiftType] ?? swiftType
    }
}

/// A message-typed field (presence is an Optional): its default, to describe its fields.
protocol OptionalMessage {
    static var defaultWrapped: (any WireMessage)? { get }
}

extension Optional: OptionalMessage {
    static var defaultWrapped: (any WireMessage)? { (Wrapped.self as? any WireMessage.Type)?.init() }
}
