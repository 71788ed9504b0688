import NIOCore
import Wire

/// A frame's body from bytes (frames go out through `OutboundFrames`). The connection
/// handlers call this directly rather than through a pipeline handler: a decoded frame passed
/// down a pipeline is boxed into an existential on every call, which the RPC's hot path
/// cannot afford.
extension RPCV1.Frame {
    /// Decodes a frame body (the length prefix already removed).
    init(body: ByteBuffer) throws(MalformedFrameError) {
        do {
            try self.init(serializedBytes: body.readableBytesView)
        } catch {
            throw MalformedFrameError(reason: "\(error)")
        }
    }
}

/// A frame whose bytes are not a valid `crm.rpc.v1.Frame`.
struct MalformedFrameError: Error, CustomStringConvertible {
    var reason: String
    var description: String { "malformed frame: \(reason)" }
}
