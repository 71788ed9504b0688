import NIOCore
import Wire

/// Writes a frame as a 4-byte big-endian length followed by its protobuf bytes, in one
/// buffer so each frame costs one allocation.
final class FrameEncoder: MessageToByteEncoder {
    typealias OutboundIn = RPCV1.Frame

    func encode(data: RPCV1.Frame, out: inout ByteBuffer) throws {
        let bytes = data.serializedBytes()
        out.reserveCapacity(minimumWritableBytes: 4 + bytes.count)
        out.writeInteger(UInt32(bytes.count), endianness: .big)
        out.writeBytes(bytes)
    }
}

@available(*, unavailable)
extension FrameEncoder: Sendable {}
