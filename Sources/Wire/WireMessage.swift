/// A message from the .proto files: a Swift value type that round-trips through
/// libprotobuf-c. Every generated message conforms; nothing else should.
public protocol WireMessage: Sendable, Hashable, Codable {
    init()

    /// Decodes protobuf bytes through libprotobuf-c. Zero-copy for contiguous collections
    /// (Array, NIO's ByteBufferView) via `withContiguousStorageIfAvailable`; others are
    /// copied into an array first. Empty input gives the default message.
    init<Bytes: Collection>(serializedBytes: Bytes) throws(WireError) where Bytes.Element == UInt8

    /// Throws, naming the field, when a string holds U+0000: protobuf-c's strings end at
    /// the first NUL, so it would otherwise be cut silently (docs/PROTOCOL.md).
    func serializedBytes() throws(WireError) -> [UInt8]

    /// The full proto name, e.g. "crm.registry.v1.SearchByPhoneRequest".
    static var protoMessageName: String { get }
}
