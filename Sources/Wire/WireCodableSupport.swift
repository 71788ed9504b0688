// JSON (Codable) forms the generated code shares: bytes as base64 strings.

/// The keys of a message without fields: it encodes as `{}`.
struct WireNoKeys: CodingKey {
    init?(stringValue: String) { nil }
    init?(intValue: Int) { nil }
    var stringValue: String { "" }
    var intValue: Int? { nil }
}

extension KeyedDecodingContainer {
    func wireDecodeBytes(forKey key: Key) throws -> [UInt8]? {
        guard let text = try decodeIfPresent(String.self, forKey: key) else { return nil }
        guard let bytes = WireBase64.decode(text) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: "not base64")
        }
        return bytes
    }

    func wireDecodeBytesArray(forKey key: Key) throws -> [[UInt8]]? {
        guard let texts = try decodeIfPresent([String].self, forKey: key) else { return nil }
        return try texts.map { text in
            guard let bytes = WireBase64.decode(text) else {
                throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: "not base64")
            }
            return bytes
        }
    }
}

extension KeyedEncodingContainer {
    mutating func wireEncodeBytes(_ bytes: [UInt8], forKey key: Key) throws {
        try encode(WireBase64.encode(bytes), forKey: key)
    }

    mutating func wireEncodeBytesArray(_ values: [[UInt8]], forKey key: Key) throws {
        try encode(values.map(WireBase64.encode), forKey: key)
    }
}
