// libFuzzer target: arbitrary bytes from a peer, through the server's framing and frame
// decoding, exactly as a connection reads them. It must never crash, never hand on a frame
// over the limit, and refuse a stream only with the errors the connection handler expects.
import NIOCore
import NIOEmbedded
import RPCCore
@testable import RPCTransportTCP
import Wire

/// Small, so that the fuzzer reaches the limit often.
let maximumFrameSize = 512

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFrames(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: start, count: count)
    guard let first = input.first else { return 0 }
    // The first byte says how the stream is cut into reads (1 to 64 bytes each): the
    // decoder must give the same frames however the bytes arrive.
    let readSize = Int(first & 0x3F) + 1
    let stream = Array(input.dropFirst())

    let channel = EmbeddedChannel()
    try! channel.pipeline.syncOperations.addFraming(maximumFrameSize: maximumFrameSize)
    var consumed = 0
    var offset = 0
    reading: while offset < stream.count {
        let end = min(stream.count, offset + readSize)
        do {
            try channel.writeInbound(ByteBuffer(bytes: stream[offset..<end]))
        } catch is FrameTooLargeError {
            break reading
        } catch is ByteToMessageDecoderError.PayloadTooLargeError {
            break reading
        } catch {
            fatalError("framing refused the stream with an unexpected error: \(error)")
        }
        while let body = try! channel.readInbound(as: ByteBuffer.self) {
            precondition(body.readableBytes <= maximumFrameSize, "a frame over the limit got through")
            consumed += 4 + body.readableBytes
            precondition(consumed <= stream.count, "framing produced more bytes than it read")
            interpret(body)
        }
        offset = end
    }
    _ = try? channel.finish()
    return 0
}

/// What the server and the client do with a frame body: decode it, turn it into call parts,
/// and (for the round trip) encode it again.
func interpret(_ body: ByteBuffer) {
    guard let frame = try? RPCV1.Frame(body: body) else { return }
    switch frame.kind {
    case .request(let request):
        let parts = RPCRequestParts(method: request.method, metadata: Metadata(request.metadata), payload: request.payload)
        _ = parts.metadata.bearerToken
        _ = parts.metadata.idempotencyKey
    case .response(let response):
        _ = RPCResponseParts(response)
    case .cancel, .goAway, nil:
        break
    }
    // A frame that decoded holds no NUL in its strings, so it encodes again.
    var outbound = OutboundFrames()
    try! outbound.append(frame, allocator: ByteBufferAllocator())
    var encoded = outbound.take()!
    encoded.moveReaderIndex(forwardBy: 4)
    let again = try! RPCV1.Frame(body: encoded)
    precondition(again == frame, "a decoded frame does not survive encoding and decoding")
}
