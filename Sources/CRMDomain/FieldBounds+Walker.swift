import RPCCore
import Wire

/// Walks a request through its `Encodable` form (the generated code encodes every field it
/// holds, nested messages and oneof cases by their keys), checking each value by its proto
/// name against `FieldBounds`. Nothing is encoded; the first violation is thrown with its path.
final class BoundsWalker: Encoder {
    struct Violation: Error {
        var field: String
        var description: String
    }

    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    /// Proto names from the request's root; an element of a repeated field adds "[i]".
    private var path: [String] = []

    var field: String {
        var text = ""
        for part in path {
            if !text.isEmpty && !part.hasPrefix("[") { text += "." }
            text += part
        }
        return text
    }

    func violation(_ description: String, at leaf: String? = nil) -> Violation {
        let base = field
        guard let leaf else { return Violation(field: base, description: description) }
        return Violation(field: base.isEmpty ? leaf : base + "." + leaf, description: description)
    }

    func within<R>(_ part: String, _ body: () throws -> R) rethrows -> R {
        path.append(part)
        defer { path.removeLast() }
        return try body()
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        KeyedEncodingContainer(Keyed<Key>(walker: self))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer { Unkeyed(walker: self, name: path.last(where: { !$0.hasPrefix("[") }) ?? "") }

    func singleValueContainer() -> any SingleValueEncodingContainer { Single() }

    func string(_ value: String, name: String) throws {
        let limit = FieldBounds.maxLength(name)
        if !FieldBounds.fits(value, limit) { throw violation(FieldBounds.tooLong(limit)) }
    }

    func integer(_ value: Int64, name: String, listed: Bool) throws {
        if let message = FieldBounds.integerViolation(name, value, listed: listed) { throw violation(message) }
    }

    /// A nested value: an element of a list (strings and integers arrive here, not through
    /// the typed overloads), an enum, a date, a time, or a message to walk into.
    func value<T: Encodable>(_ value: T, name: String, listed: Bool) throws {
        if let text = value as? String {
            try string(text, name: name)
        } else if let number = value as? Int64 {
            try integer(number, name: name, listed: listed)
        } else if let number = value as? Int32 {
            try integer(Int64(number), name: name, listed: listed)
        } else if let number = value as? UInt64 {
            try integer(Int64(clamping: number), name: name, listed: listed)
        } else if let number = value as? UInt32 {
            try integer(Int64(number), name: name, listed: listed)
        } else if let known = value as? any WireEnum {
            if !isKnown(known) { throw violation("Неизвестное значение") }
        } else if let date = value as? TypesV1.Date {
            if let message = FieldBounds.dateViolation(date) { throw violation(message) }
        } else if let time = value as? TypesV1.TimeOfDay {
            if let wrong = FieldBounds.timeViolation(time) { throw violation(wrong.message, at: wrong.field) }
        } else {
            try value.encode(to: self)
        }
    }

    private func isKnown<E: WireEnum>(_ value: E) -> Bool { E(protoName: value.protoName) != nil }

    struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let walker: BoundsWalker
        var codingPath: [any CodingKey] { [] }

        mutating func encodeNil(forKey key: Key) throws {}
        mutating func encode(_ value: Bool, forKey key: Key) throws {}
        mutating func encode(_ value: Double, forKey key: Key) throws {}
        mutating func encode(_ value: Float, forKey key: Key) throws {}

        mutating func encode(_ value: String, forKey key: Key) throws {
            let name = FieldBounds.protoName(key)
            try walker.within(name) { try walker.string(value, name: name) }
        }

        mutating func encode(_ value: Int, forKey key: Key) throws { try integer(Int64(value), key) }
        mutating func encode(_ value: Int8, forKey key: Key) throws { try integer(Int64(value), key) }
        mutating func encode(_ value: Int16, forKey key: Key) throws { try integer(Int64(value), key) }
        mutating func encode(_ value: Int32, forKey key: Key) throws { try integer(Int64(value), key) }
        mutating func encode(_ value: Int64, forKey key: Key) throws { try integer(value, key) }
        mutating func encode(_ value: UInt, forKey key: Key) throws { try integer(Int64(clamping: value), key) }
        mutating func encode(_ value: UInt8, forKey key: Key) throws { try integer(Int64(value), key) }
        mutating func encode(_ value: UInt16, forKey key: Key) throws { try integer(Int64(value), key) }
        mutating func encode(_ value: UInt32, forKey key: Key) throws { try integer(Int64(value), key) }
        mutating func encode(_ value: UInt64, forKey key: Key) throws { try integer(Int64(clamping: value), key) }

        private func integer(_ value: Int64, _ key: Key) throws {
            let name = FieldBounds.protoName(key)
            try walker.within(name) { try walker.integer(value, name: name, listed: false) }
        }

        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
            let name = FieldBounds.protoName(key)
            try walker.within(name) { try walker.value(value, name: name, listed: false) }
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
            KeyedEncodingContainer(Keyed<NestedKey>(walker: walker))
        }

        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            Unkeyed(walker: walker, name: FieldBounds.protoName(key))
        }

        mutating func superEncoder() -> any Encoder { walker }
        mutating func superEncoder(forKey key: Key) -> any Encoder { walker }
    }

    /// A repeated field: its elements are bounded by the field's name, and their number by
    /// `FieldBounds.maxElements`.
    struct Unkeyed: UnkeyedEncodingContainer {
        let walker: BoundsWalker
        let name: String
        var codingPath: [any CodingKey] { [] }
        private(set) var count = 0

        init(walker: BoundsWalker, name: String) {
            self.walker = walker
            self.name = name
        }

        private mutating func next(_ body: (String) throws -> Void) throws {
            guard count < FieldBounds.maxElements else {
                throw walker.violation("Не более \(FieldBounds.maxElements) элементов")
            }
            let index = "[\(count)]"
            count += 1
            let (walker, name) = (walker, name)
            try walker.within(index) { try body(name) }
        }

        mutating func encodeNil() throws {}
        mutating func encode(_ value: Bool) throws {}
        mutating func encode(_ value: Double) throws {}
        mutating func encode(_ value: Float) throws {}
        mutating func encode(_ value: String) throws {
            let walker = walker
            try next { try walker.string(value, name: $0) }
        }
        mutating func encode(_ value: Int) throws { try integer(Int64(value)) }
        mutating func encode(_ value: Int8) throws { try integer(Int64(value)) }
        mutating func encode(_ value: Int16) throws { try integer(Int64(value)) }
        mutating func encode(_ value: Int32) throws { try integer(Int64(value)) }
        mutating func encode(_ value: Int64) throws { try integer(value) }
        mutating func encode(_ value: UInt) throws { try integer(Int64(clamping: value)) }
        mutating func encode(_ value: UInt8) throws { try integer(Int64(value)) }
        mutating func encode(_ value: UInt16) throws { try integer(Int64(value)) }
        mutating func encode(_ value: UInt32) throws { try integer(Int64(value)) }
        mutating func encode(_ value: UInt64) throws { try integer(Int64(clamping: value)) }

        private mutating func integer(_ value: Int64) throws {
            let walker = walker
            try next { try walker.integer(value, name: $0, listed: true) }
        }

        mutating func encode<T: Encodable>(_ value: T) throws {
            let walker = walker
            try next { try walker.value(value, name: $0, listed: true) }
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
            KeyedEncodingContainer(Keyed<NestedKey>(walker: walker))
        }

        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer { Unkeyed(walker: walker, name: name) }
        mutating func superEncoder() -> any Encoder { walker }
    }

    /// Enums are judged before they would encode, so a single value needs no check.
    struct Single: SingleValueEncodingContainer {
        var codingPath: [any CodingKey] { [] }
        mutating func encodeNil() throws {}
        mutating func encode(_ value: Bool) throws {}
        mutating func encode(_ value: String) throws {}
        mutating func encode(_ value: Double) throws {}
        mutating func encode(_ value: Float) throws {}
        mutating func encode(_ value: Int) throws {}
        mutating func encode(_ value: Int8) throws {}
        mutating func encode(_ value: Int16) throws {}
        mutating func encode(_ value: Int32) throws {}
        mutating func encode(_ value: Int64) throws {}
        mutating func encode(_ value: UInt) throws {}
        mutating func encode(_ value: UInt8) throws {}
        mutating func encode(_ value: UInt16) throws {}
        mutating func encode(_ value: UInt32) throws {}
        mutating func encode(_ value: UInt64) throws {}
        mutating func encode<T: Encodable>(_ value: T) throws {}
    }
}
