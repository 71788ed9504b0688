import NIOCore
import NIOExtras
import NIOPosix
import NIOSSL
import RPCTransportTCP

/// The ceiling: a SwiftNIO server that sends back each length-prefixed frame as it came, with
/// no protobuf, no routing and no Task per call. Only the framing is shared with the RPC.
enum RawEchoServer {
    /// With `tls`, the echo is over TLS (the same certificate and settings as the RPC's rows).
    static func start(group: any EventLoopGroup, tls: NIOSSLContext? = nil) async throws -> any Channel {
        try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls { try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls)) }
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(
                        LengthFieldBasedFrameDecoder(lengthFieldBitLength: .fourBytes)
                    ))
                    try channel.pipeline.syncOperations.addHandler(EchoHandler())
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
    }

    /// Writes each frame back with its length; flushes once per read burst.
    private final class EchoHandler: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let frame = unwrapInboundIn(data)
            var out = context.channel.allocator.buffer(capacity: 4 + frame.readableBytes)
            out.writeInteger(UInt32(frame.readableBytes))
            out.writeImmutableBuffer(frame)
            context.write(wrapOutboundOut(out), promise: nil)
        }

        func channelReadComplete(context: ChannelHandlerContext) {
            context.flush()
        }
    }
}

/// A raw client with the same shape as the RPC client: many callers await their answer on
/// one connection. A plain echo answers in order, so answers match callers first-in first-out.
final class RawEchoClient: EchoCaller {
    let channel: any Channel
    let handler: NIOLoopBound<Handler>
    let executor: any TaskExecutor

    init(port: Int, group: any EventLoopGroup, tls: NIOSSLContext? = nil) async throws {
        let channel = try await ClientBootstrap(group: group)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls { try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: tls, serverHostname: nil)) }
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(
                        LengthFieldBasedFrameDecoder(lengthFieldBitLength: .fourBytes)
                    ))
                    try channel.pipeline.syncOperations.addHandler(Handler())
                }
            }
            .connect(host: "127.0.0.1", port: port)
            .get()
        self.channel = channel
        self.handler = try await channel.pipeline.context(handlerType: Handler.self).map { context in
            NIOLoopBound(context.handler as! Handler, eventLoop: channel.eventLoop)
        }.get()
        self.executor = EventLoopTaskExecutor(channel.eventLoop)
    }

    nonisolated(nonsending) func call(_ payload: [UInt8]) async throws {
        let loop = channel.eventLoop
        let handler = self.handler
        _ = try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<ByteBuffer, any Error>) in
            if loop.inEventLoop {
                handler.value.send(payload, continuation)
            } else {
                loop.execute { handler.value.send(payload, continuation) }
            }
        }
    }

    func close() async {
        try? await channel.close()
    }

    final class Handler: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer

        private var waiting = CircularBuffer<UnsafeContinuation<ByteBuffer, any Error>>()
        private var context: ChannelHandlerContext?
        private var flushScheduled = false

        func handlerAdded(context: ChannelHandlerContext) { self.context = context }

        func send(_ payload: [UInt8], _ continuation: UnsafeContinuation<ByteBuffer, any Error>) {
            guard let context else {
                continuation.resume(throwing: ChannelError.ioOnClosedChannel)
                return
            }
            var out = context.channel.allocator.buffer(capacity: 4 + payload.count)
            out.writeInteger(UInt32(payload.count))
            out.writeBytes(payload)
            waiting.append(continuation)
            context.write(wrapOutboundOut(out), promise: nil)
            guard !flushScheduled else { return }
            flushScheduled = true
            let this = NIOLoopBound(self, eventLoop: context.eventLoop)
            context.eventLoop.execute {
                this.value.flushScheduled = false
                this.value.context?.flush()
            }
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            waiting.popFirst()?.resume(returning: unwrapInboundIn(data))
        }

        func channelInactive(context: ChannelHandlerContext) {
            while let next = waiting.popFirst() { next.resume(throwing: ChannelError.ioOnClosedChannel) }
            self.context = nil
        }
    }
}
