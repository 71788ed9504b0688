import NIOCore

extension ChannelPipeline.SynchronousOperations {
    /// Cuts the byte stream into frame bodies; a frame over `maximumFrameSize` bytes fails
    /// the decoder (the connection handler logs the reason and closes that connection).
    func addFraming(maximumFrameSize: Int) throws {
        try addHandler(ByteToMessageHandler(
            CappedFrameDecoder(maximumFrameSize: maximumFrameSize),
            maximumBufferSize: maximumFrameSize + 4
        ))
    }

    /// The server's framing: as `addFraming`, behind `flowControl`. While it holds frames,
    /// whole frames wait in the decoder's buffer: the decoder itself refuses an oversized
    /// frame from its length, so the buffer's bound is one frame plus the bytes of the read
    /// that was under way when the frames stopped (reading stops with them).
    func addFraming(maximumFrameSize: Int, flowControl: InboundFlowControl, bytesPerRead: Int) throws {
        try addHandler(flowControl)
        try addHandler(ByteToMessageHandler(
            CappedFrameDecoder(maximumFrameSize: maximumFrameSize, flowControl: flowControl),
            maximumBufferSize: maximumFrameSize + 4 + bytesPerRead
        ))
    }
}
