import NIOCore
import RPCCore

/// Before TLS on a connection: notes the peer's first byte (a TLS peer's is a handshake
/// record's, 22; a plain client's is a frame length's, 0) and that it sent anything at all,
/// then leaves the pipeline.
final class FirstByteSniffer: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let findings: HandshakeFindings

    init(_ findings: HandshakeFindings) {
        self.findings = findings
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if let byte = unwrapInboundIn(data).getInteger(at: unwrapInboundIn(data).readerIndex, as: UInt8.self) {
            findings.received(firstByte: byte)
            context.fireChannelRead(data)
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
            return
        }
        context.fireChannelRead(data)
    }
}

/// On a plain client connection: a server whose first bytes are a TLS record (an alert, 21, or
/// a handshake, 22) serves TLS only, which the caller is told (`TLS_REQUIRED`) instead of a
/// malformed frame. A frame's first byte is its length's highest, 0 for any frame under 16 MiB.
/// Leaves the pipeline after the first bytes.
final class PlainClientTLSDetector: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let serverAddress: String

    init(serverAddress: String) {
        self.serverAddress = serverAddress
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = unwrapInboundIn(data)
        guard let first = bytes.getInteger(at: bytes.readerIndex, as: UInt8.self) else {
            context.fireChannelRead(data)
            return
        }
        if first == 0x15 || first == HandshakeFindings.tlsHandshakeRecord {
            context.fireErrorCaught(TLSFailure(
                reason: .tlsRequired,
                message: "The server at \(serverAddress) serves TLS only: connect with --tls-ca (the CA that issued its certificate)"
            ))
            context.close(promise: nil)
            return
        }
        context.fireChannelRead(data)
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }
}

/// A TLS connection that could not be made or was refused before any call was served:
/// the calls on it did not run. Reaches the caller as UNAVAILABLE with `reason`.
struct TLSFailure: Error, Sendable, CustomStringConvertible {
    var reason: RPCError.Reason
    var message: String

    var rpcError: RPCError { RPCError(code: .unavailable, message: message, reason: reason) }
    var description: String { "\(reason): \(message)" }
}
