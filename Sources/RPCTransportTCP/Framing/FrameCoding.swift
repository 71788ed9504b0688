import NIOCore
import Wire

/// A frame's body to and from bytes. The connection handlers call these directly rather
/// than through pipeline handlers: a decoded frame passed down a pipeline is boxed into an
/// existential on every call, which the RPC's hot path cannot afford.
extension RPCV1.Frame {
    /// Decodes a frame body (the length prefix already removed).
    init(body: ByteBuffer) throws(MalformedFrameError) {
        do {
            try self.init(serializedBytes: body.readableBytesView)
        } catch {
            throw MalformedFrameError(reason: "\(error)")
        }
    }

    /// The frame as it goes on the wire: a 4-byte big-endian length, then the protobuf body,
    /// in one buffer. Throws, naming the field, when a string in it (metadata, an error
    /// message) holds U+0000, which the wire cannot carry.
    func lengthPrefixed(allocator: ByteBufferAllocator) throws(WireError) -> ByteBuffer {
        try withPacking { size, pack in
            var buffer = allocator.buffer(capacity: 4 + size)
            buffer.writeInteger(UInt32(size), endianness: .big)
            buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: size) { pack($0) }
            return buffer
        }
    }

    /// A frame the transport makes of its own fixed text (cancel, go-away, its own errors).
    func fixedLengthPrefixed(allocator: ByteBufferAllocator) -> ByteBuffer {
        do {
            return try lengthPrefixed(allocator: allocator)
        } catch {
            preconditionFailure("the transport's own frame cannot be encoded: \(error)")
        }
    }
}

/// A frame whose bytes are not a valid `crm.rpc.v1.Frame`.
struct MalformedFrameError: Error, CustomStringConvertible {
    var reason: String
    var description: String { "malformed frame: \(reason)" }
}
