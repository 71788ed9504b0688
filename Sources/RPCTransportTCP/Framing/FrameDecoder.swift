import NIOCore
import Wire

/// Decodes one length-delimited payload (the length already stripped by
/// `LengthFieldBasedFrameDecoder`) into a protocol frame.
final class FrameDecoder: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = RPCV1.Frame

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        do {
            let frame = try RPCV1.Frame(serializedBytes: buffer.readableBytesView)
            context.fireChannelRead(wrapInboundOut(frame))
        } catch {
            context.fireErrorCaught(MalformedFrameError(reason: "\(error)"))
        }
    }
}

@available(*, unavailable)
extension FrameDecoder: Sendable {}

/// A frame whose bytes are not a valid `crm.rpc.v1.Frame`.
struct MalformedFrameError: Error, CustomStringConvertible {
    var reason: String
    var description: String { "malformed frame: \(reason)" }
}
