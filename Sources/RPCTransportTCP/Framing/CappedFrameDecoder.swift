import NIOCore
import NIOExtras

/// nio-extras' 4-byte length-field decoder, refusing a frame as soon as its length header
/// says it is over the limit: before its bytes are buffered, and even when a whole
/// oversized frame arrives in one read (which `maximumBufferSize` alone lets through).
/// With a flow control, decodes nothing while it says so (see `InboundFlowControl`).
struct CappedFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer

    let maximumFrameSize: Int
    let flowControl: InboundFlowControl?
    private var framing = LengthFieldBasedFrameDecoder(lengthFieldBitLength: .fourBytes, lengthFieldEndianness: .big)
    /// The inner decoder has consumed a header and waits for the body: the next bytes are
    /// not a length.
    private var midFrame = false
    /// Whether the handlers after this one were told a frame is incomplete (and not yet that
    /// the bytes were all used up).
    private var reportedPartial = false
    /// A frame was completed since that report: the incomplete bytes now are another frame's.
    private var completedSinceReport = false

    init(maximumFrameSize: Int, flowControl: InboundFlowControl? = nil) {
        self.maximumFrameSize = maximumFrameSize
        self.flowControl = flowControl
    }

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        if let flowControl, !flowControl.acceptsFrames { return .needMoreData }
        if !midFrame, buffer.readableBytes >= 4,
           let length = buffer.getInteger(at: buffer.readerIndex, endianness: .big, as: UInt32.self),
           Int(length) > maximumFrameSize {
            throw FrameTooLargeError(length: Int(length), maximumFrameSize: maximumFrameSize)
        }
        let start = buffer.readerIndex
        let state = try framing.decode(context: context, buffer: &buffer)
        switch state {
        case .continue:
            midFrame = false
            completedSinceReport = true
            // The decoder is not called again on an empty buffer: a read that ends exactly at a
            // frame's end must say so here, or an idle connection would seem mid-frame.
            if buffer.readableBytes == 0 { report(partial: false, context: context) }
        case .needMoreData:
            if buffer.readerIndex != start { midFrame = true }
            report(partial: midFrame || buffer.readableBytes > 0, context: context)
        }
        return state
    }

    /// Told when it changes, and when a new frame is the incomplete one (a busy stream ends
    /// nearly every read inside some frame): a connection handler times how long one frame
    /// stays incomplete, so a peer trickling bytes cannot hold it for ever, while a peer
    /// streaming whole frames, or resting between them, is never taken for one.
    private mutating func report(partial: Bool, context: ChannelHandlerContext) {
        if partial != reportedPartial || (partial && completedSinceReport) {
            reportedPartial = partial
            context.fireUserInboundEventTriggered(partial ? PartialFrameEvent.started : PartialFrameEvent.ended)
        }
        completedSinceReport = false
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        try decode(context: context, buffer: &buffer)
    }
}

/// Sent down the pipeline when bytes of an incomplete frame start waiting for the rest, and
/// when no such bytes are left.
enum PartialFrameEvent: Sendable {
    case started
    case ended
}

/// A frame whose length header exceeds the connection's limit.
struct FrameTooLargeError: Error, CustomStringConvertible {
    var length: Int
    var maximumFrameSize: Int
    var description: String { "frame of \(length) bytes is over the limit of \(maximumFrameSize) bytes" }
}
