import NIOCore

extension ChannelPipeline.SynchronousOperations {
    /// Adds the length-prefixed framing: frames over `maximumFrameSize` bytes fail the
    /// decoder (the connection handler logs the reason and closes that connection).
    func addFraming(maximumFrameSize: Int) throws {
        try addHandler(ByteToMessageHandler(
            CappedFrameDecoder(maximumFrameSize: maximumFrameSize),
            maximumBufferSize: maximumFrameSize + 4
        ))
        try addHandler(FrameDecoder())
        try addHandler(MessageToByteHandler(FrameEncoder()))
    }
}
