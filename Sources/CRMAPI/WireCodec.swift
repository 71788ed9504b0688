public import RPCCore
public import Wire

/// Encodes a generated message for RPCCore; encoding a Swift value cannot fail.
public struct WireSerializer<M: WireMessage>: MessageSerializer {
    public init() {}

    public func serialize(_ message: M) throws -> [UInt8] {
        message.serializedBytes()
    }
}

/// Decodes a generated message for RPCCore; throws `WireError`, which the core maps to a status.
public struct WireDeserializer<M: WireMessage>: MessageDeserializer {
    public init() {}

    public func deserialize(_ bytes: [UInt8]) throws -> M {
        try M(serializedBytes: bytes)
    }
}
