/// An enum from the .proto files. proto3 enums are open: numbers this build does not
/// know decode to a case holding the number, and encode back unchanged.
public protocol WireEnum: Sendable, Hashable, Codable, CaseIterable {
    /// The zero value.
    init()
    init(rawValue: Int32)
    /// `nil` for a name this build does not know.
    init?(protoName: String)
    var rawValue: Int32 { get }
    /// The value's name in the .proto file, e.g. "STATUS_CODE_NOT_FOUND"; the decimal
    /// number for an unrecognized value.
    var protoName: String { get }
    /// The full proto name of the enum, e.g. "crm.rpc.v1.StatusCode".
    static var protoEnumName: String { get }
}

/// JSON form: the proto value name; a number (or numeric string) is accepted too.
func wireDecodeEnum<E: WireEnum>(from decoder: any Decoder) throws -> E {
    let container = try decoder.singleValueContainer()
    if let name = try? container.decode(String.self) {
        if let value = E(protoName: name) { return value }
        if let number = Int32(name) { return E(rawValue: number) }
        throw DecodingError.dataCorruptedError(
            in: container, debugDescription: "\(name) is not a value of \(E.protoEnumName)")
    }
    return E(rawValue: try container.decode(Int32.self))
}

/// Unrecognized values encode as their number, so decoding gives them back.
func wireEncodeEnum<E: WireEnum>(_ value: E, to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    if E(protoName: value.protoName) != nil {
        try container.encode(value.protoName)
    } else {
        try container.encode(value.rawValue)
    }
}
