/// Key-value pairs sent with a request or a response: an ordered list, keys compared
/// without case, a key may repeat.
public struct Metadata: Hashable, Sendable {
    public struct Entry: Hashable, Sendable {
        public var key: String
        public var value: String
    }

    public private(set) var entries: [Entry]

    public init() { entries = [] }

    public init(_ entries: some Sequence<(key: String, value: String)>) {
        self.entries = entries.map { Entry(key: Self.normalized($0.key), value: $0.value) }
    }

    /// Keys are compared lowercased. Nearly every key already is (the system's own, and what
    /// clients send), so checking costs less than `lowercased()`'s new string on every lookup.
    static func normalized(_ key: String) -> String {
        var key = key
        let isLowercase = key.withUTF8 { bytes in !bytes.contains { $0 >= 0x41 && $0 <= 0x5A || $0 >= 0x80 } }
        return isLowercase ? key : key.lowercased()
    }

    public var isEmpty: Bool { entries.isEmpty }
    public var count: Int { entries.count }

    /// Adds a pair, keeping any earlier value of the same key.
    public mutating func add(_ key: String, _ value: String) {
        entries.append(Entry(key: Self.normalized(key), value: value))
    }

    /// Sets the only value of a key, or removes the key when `value` is nil.
    public subscript(key: String) -> String? {
        get {
            let key = Self.normalized(key)
            return entries.first(where: { $0.key == key })?.value
        }
        set {
            let key = Self.normalized(key)
            // `removeAll` copies a shared array even when nothing matches: check first.
            if entries.contains(where: { $0.key == key }) { entries.removeAll(where: { $0.key == key }) }
            if let newValue { entries.append(Entry(key: key, value: newValue)) }
        }
    }

    /// Every value of a key, in order.
    public func values(forKey key: String) -> [String] {
        let key = Self.normalized(key)
        return entries.filter { $0.key == key }.map(\.value)
    }
}

extension Metadata: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(elements.map { (key: $0.0, value: $0.1) })
    }
}

extension Metadata: Sequence {
    public func makeIterator() -> IndexingIterator<[Entry]> { entries.makeIterator() }
}

extension Metadata {
    /// The keys the system itself reads. Keys starting with `rpc-` are reserved for the protocol.
    public enum Keys {
        /// `Bearer <token>`: the operator's session token.
        public static let authorization = "authorization"
        /// Carried across services so one operator action can be followed through every log.
        public static let requestID = "request-id"
        /// A retried request with the same key has its effect once.
        public static let idempotencyKey = "idempotency-key"
    }

    public var requestID: String? {
        get { self[Keys.requestID] }
        set { self[Keys.requestID] = newValue }
    }

    public var idempotencyKey: String? {
        get { self[Keys.idempotencyKey] }
        set { self[Keys.idempotencyKey] = newValue }
    }

    /// The token of an `authorization: Bearer <token>` entry.
    public var bearerToken: String? {
        get {
            guard let value = self[Keys.authorization] else { return nil }
            let prefix = "bearer "
            guard value.lowercased().hasPrefix(prefix) else { return nil }
            return String(value.dropFirst(prefix.count))
        }
        set { self[Keys.authorization] = newValue.map { "Bearer \($0)" } }
    }
}
