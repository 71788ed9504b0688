public import RPCCore
public import Wire

/// Encodes a generated message for RPCCore. A string holding U+0000 cannot be encoded
/// (docs/PROTOCOL.md): INVALID_ARGUMENT naming the field.
public struct WireSerializer<M: WireMessage>: MessageSerializer {
    public init() {}

    public func serialize(_ message: M) throws -> [UInt8] {
        do {
            return try message.serializedBytes()
        } catch {
            throw RPCError(wire: error)
        }
    }
}

/// Decodes a generated message for RPCCore: malformed bytes throw `WireError`, which the
/// core maps to INVALID_ARGUMENT; a string that held U+0000 is INVALID_ARGUMENT naming the field.
public struct WireDeserializer<M: WireMessage>: MessageDeserializer {
    public init() {}

    public func deserialize(_ bytes: [UInt8]) throws -> M {
        do {
            return try M(serializedBytes: bytes)
        } catch where error.field != nil {
            throw RPCError(wire: error)
        }
    }
}

extension RPCError {
    /// A message field the wire cannot carry, as the bad argument it is.
    public init(wire error: WireError) {
        // Only a string holding U+0000 names a field: malformed bytes have none.
        if let field = error.field {
            self = .invalidArgument(field: field, error.message)
            reason = .nulCharacter
        } else {
            self.init(code: .invalidArgument, message: error.message)
        }
    }
}
