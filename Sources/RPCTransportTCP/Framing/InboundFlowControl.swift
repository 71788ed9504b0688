import NIOCore

/// Stops taking requests from a connection while its server side is full, so a peer's
/// requests wait in the peer and the kernel (TCP's window) rather than in this process.
///
/// Two switches, either of which stops it: frames (the connection has as many calls in flight
/// as it may; the frame decoder leaves whole frames undecoded in its buffer) and reads (the
/// peer does not read its answers; no `read` reaches the socket, so at most one read's bytes
/// stay buffered). Sits before the frame decoder: resuming frames hands the decoder an empty
/// read, which decodes what it holds without the idle timer taking it for the peer's activity.
final class InboundFlowControl: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer

    /// Read by the frame decoder before each frame.
    private(set) var acceptsFrames = true
    private var readsPaused = false
    private var readPending = false
    private var context: ChannelHandlerContext?
    private var empty: ByteBuffer?

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        empty = context.channel.allocator.buffer(capacity: 0)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func read(context: ChannelHandlerContext) {
        if readsPaused || !acceptsFrames {
            readPending = true
        } else {
            context.read()
        }
    }

    func stopFrames() {
        acceptsFrames = false
    }

    /// Lets the decoder go on with the frames it holds (they arrive now, synchronously), then
    /// reads again if nothing else holds reading.
    func resumeFrames() {
        guard !acceptsFrames, let context, let empty else { return }
        acceptsFrames = true
        context.fireChannelRead(wrapInboundOut(empty))
        readIfPending()
    }

    func pauseReads() {
        readsPaused = true
    }

    func resumeReads() {
        guard readsPaused else { return }
        readsPaused = false
        readIfPending()
    }

    private func readIfPending() {
        guard readPending, !readsPaused, acceptsFrames, let context else { return }
        readPending = false
        context.read()
    }
}

@available(*, unavailable)
extension InboundFlowControl: Sendable {}
