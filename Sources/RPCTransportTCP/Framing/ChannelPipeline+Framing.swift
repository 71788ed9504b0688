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
}
