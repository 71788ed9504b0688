import NIOCore
import Wire

/// The frames a connection wrote since its last flush, packed back to back into one buffer
/// that goes to the channel as a single write when the connection flushes.
///
/// A buffer and a pipeline write per frame cost two allocations and a trip through the
/// pipeline and NIO's pending-writes queue on every call; one per flush costs them once for
/// the whole batch, and the socket gets one contiguous buffer instead of an iovec per frame.
struct OutboundFrames {
    private var buffer: ByteBuffer?
    /// The size the next batch starts with: the last batch's, within bounds, so a steady load
    /// rarely grows a buffer while packing into it.
    private var capacity = Self.minimumCapacity

    static let minimumCapacity = 512
    static let maximumCapacity = 64 * 1024

    var isEmpty: Bool { buffer == nil }
    var byteCount: Int { buffer?.readableBytes ?? 0 }

    /// Packs `frame`, length first, behind the frames already waiting. Throws, writing
    /// nothing, when a string in it holds U+0000.
    mutating func append(_ frame: RPCV1.Frame, allocator: ByteBufferAllocator) throws(WireError) {
        var buffer = self.buffer.take() ?? allocator.buffer(capacity: capacity)
        defer { self.buffer = buffer.readableBytes > 0 ? buffer : nil }
        try frame.withPacking { size, pack in
            buffer.writeInteger(UInt32(size), endianness: .big)
            buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: size) { pack($0) }
        }
    }

    /// A frame the transport makes of its own fixed text (cancel, go-away, its own errors).
    mutating func appendFixed(_ frame: RPCV1.Frame, allocator: ByteBufferAllocator) {
        do {
            try append(frame, allocator: allocator)
        } catch {
            preconditionFailure("the transport's own frame cannot be encoded: \(error)")
        }
    }

    /// The waiting frames as one buffer, leaving none; nil when there are none.
    mutating func take() -> ByteBuffer? {
        guard let buffer = buffer.take() else { return nil }
        capacity = min(Self.maximumCapacity, max(Self.minimumCapacity, buffer.readableBytes))
        return buffer
    }

    mutating func removeAll() {
        buffer = nil
    }
}
