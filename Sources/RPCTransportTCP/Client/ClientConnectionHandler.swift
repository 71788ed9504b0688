import NIOCore
import RPCCore
import Wire

/// One client connection's calls in flight: sends requests, matches answers by call id,
/// cancels at deadlines (telling the server, then waiting briefly for its last word), and
/// fails everything left when the connection drops.
final class ClientConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    typealias Continuation = UnsafeContinuation<RPCResponseParts, any Error>

    private struct Pending {
        var continuation: Continuation
        var timeout: Scheduled<Void>?
        /// The deadline passed and the server was told to cancel: its answer is still awaited,
        /// since a write that committed before the cancel reached it is answered with its result.
        var expired = false
    }

    /// How long after its deadline a call waits for the server's answer to the cancel (the
    /// result of a write that committed, or the rollback's DEADLINE_EXCEEDED) before it is
    /// reported DEADLINE_EXCEEDED with its outcome unknown, as for a lost connection. A live
    /// server answers within milliseconds; a frozen one should not keep an operator waiting
    /// much past the deadline they chose.
    static let answerAfterCancelGrace: TimeAmount = .seconds(1)

    private let serverAddress: String
    private let maximumFrameSize: Int
    /// Tells the transport to stop giving this connection new calls.
    private let retire: @Sendable () -> Void
    private var pending: [UInt64: Pending] = [:]
    /// Calls whose cancellation overtook their start (see `cancel`).
    private var cancelledBeforeStart: Set<UInt64> = []
    private var context: ChannelHandlerContext?
    private var closed = false
    private var draining = false
    private var flushPolicy = FlushPolicy()
    private var outbound = OutboundFrames()
    /// What the calls in flight fail with when the connection closes, if not the lost connection.
    private var closeError: RPCError?

    init(serverAddress: String, maximumFrameSize: Int, retire: @escaping @Sendable () -> Void) {
        self.serverAddress = serverAddress
        self.maximumFrameSize = maximumFrameSize
        self.retire = retire
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func start(id: UInt64, request: RPCRequestParts, deadline: ContinuousClock.Instant?, continuation: Continuation) {
        if cancelledBeforeStart.remove(id) != nil {
            continuation.resume(throwing: RPCError(code: .cancelled, message: "The call was cancelled"))
            return
        }
        if closed, let closeError {
            // The connection failed its TLS handshake before this call reached it: a new
            // connection would fail the same way, so the call is told why.
            continuation.resume(throwing: closeError)
            return
        }
        guard let context, !closed, !draining else {
            // Nothing was written, and the transport has already let go of this connection
            // (`retire` comes with either flag), so the call can go on a new one.
            continuation.resume(throwing: UnsentCallError(
                reason: draining ? "the server was stopping and closed the connection before the call was sent"
                    : "the connection closed before the call was sent"
            ))
            return
        }
        var timeoutMicros: UInt64 = 0
        if let deadline {
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else {
                continuation.resume(throwing: Self.deadlinePassedUnsent)
                return
            }
            timeoutMicros = UInt64(max(1, remaining.microsecondsRoundedUp))
        }
        guard request.payload.count <= maximumFrameSize - 1024 else {
            continuation.resume(throwing: RPCError(
                code: .resourceExhausted,
                message: "The request (\(request.payload.count) bytes) is larger than the frame limit of \(maximumFrameSize) bytes"
            ))
            return
        }
        var wire = RPCV1.Request()
        wire.method = request.method
        wire.metadata = request.metadata.wireEntries
        wire.timeoutMicros = timeoutMicros
        wire.payload = request.payload
        do {
            try outbound.append(RPCV1.Frame(callID: id, kind: .request(wire)), allocator: context.channel.allocator)
        } catch {
            // A metadata value holding NUL: the wire would cut it, so the call is refused here.
            continuation.resume(throwing: RPCError.invalidArgument(field: error.field ?? "metadata", error.message))
            return
        }
        let this = NIOLoopBound(self, eventLoop: context.eventLoop)
        let timeout = timeoutMicros > 0
            ? context.eventLoop.scheduleTask(in: .microseconds(Int64(timeoutMicros))) {
                this.value.expire(id: id)
            }
            : nil
        pending[id] = Pending(continuation: continuation, timeout: timeout)
        scheduleFlush(context)
    }

    /// The caller's Task was cancelled. The cancellation may run before the call's start
    /// (both hop to this loop from different threads), so an unknown id is remembered.
    func cancel(id: UInt64) {
        if pending[id] == nil {
            cancelledBeforeStart.insert(id)
            return
        }
        giveUp(id: id, error: RPCError(code: .cancelled, message: "The call was cancelled"))
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame: RPCV1.Frame
        do {
            frame = try RPCV1.Frame(body: unwrapInboundIn(data))
        } catch {
            errorCaught(context: context, error: error)
            return
        }
        switch frame.kind {
        case .response(let response):
            // Unknown ids are answers to calls this side already gave up on.
            guard let call = pending.removeValue(forKey: frame.callID) else { return }
            call.timeout?.cancel()
            var answer = RPCResponseParts(response)
            // The server answers this side's cancel CANCELLED when it came before the server's own deadline.
            if call.expired, case .failure(let error) = answer.result, error.code == .cancelled { answer = .failure(Self.deadlineExceeded) }
            call.continuation.resume(returning: answer)
            closeIfDrained()
        case .goAway:
            draining = true
            retire()
            closeIfDrained()
        case .request, .cancel, nil:
            errorCaught(context: context, error: MalformedFrameError(reason: "the server sent a frame only a client may send"))
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        closed = true
        outbound.removeAll()
        retire()
        let calls = pending
        pending.removeAll()
        let error = closeError ?? RPCError(
            code: .unavailable,
            message: "The connection to \(serverAddress) was lost before the answer came"
        )
        for call in calls.values {
            call.timeout?.cancel()
            call.continuation.resume(throwing: error)
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A TLS connection refused before any answer: its calls were not served, and say why.
        if let failure = error as? TLSFailure, closeError == nil { closeError = failure.rpcError }
        context.close(promise: nil)
    }

    /// The deadline passed: the server is told to cancel, and the call waits a grace period for
    /// its answer, so a write that committed meanwhile is not reported as failed.
    private func expire(id: UInt64) {
        guard var call = pending[id], !call.expired else { return }
        guard let context, !closed else {
            giveUp(id: id, error: Self.noAnswer)
            return
        }
        call.expired = true
        let this = NIOLoopBound(self, eventLoop: context.eventLoop)
        call.timeout = context.eventLoop.scheduleTask(in: Self.answerAfterCancelGrace) {
            this.value.giveUp(id: id, error: Self.noAnswer)
        }
        pending[id] = call
        outbound.appendFixed(RPCV1.Frame(callID: id, kind: .cancel(RPCV1.Cancel())), allocator: context.channel.allocator)
        scheduleFlush(context)
    }

    private func giveUp(id: UInt64, error: RPCError) {
        guard let call = pending.removeValue(forKey: id) else { return }
        call.timeout?.cancel()
        call.continuation.resume(throwing: error)
        if let context, !closed, !call.expired {
            outbound.appendFixed(RPCV1.Frame(callID: id, kind: .cancel(RPCV1.Cancel())), allocator: context.channel.allocator)
            scheduleFlush(context)
        }
        closeIfDrained()
    }

    private func scheduleFlush(_ context: ChannelHandlerContext) {
        let flushNow = flushPolicy.wrote {
            let this = NIOLoopBound(self, eventLoop: context.eventLoop)
            context.eventLoop.execute {
                let handler = this.value
                handler.flushPolicy.flushedAtEndOfTick()
                if let context = handler.context { handler.flushOutbound(context) }
            }
        }
        if flushNow { flushOutbound(context) }
    }

    private func flushOutbound(_ context: ChannelHandlerContext) {
        if let frames = outbound.take() { context.write(wrapOutboundOut(frames), promise: nil) }
        context.flush()
    }

    private func closeIfDrained() {
        guard draining, pending.isEmpty, let context else { return }
        context.close(promise: nil)
    }

    /// The server answered the cancel: the call did not complete (it rolled back or never began).
    private static let deadlineExceeded = RPCError(
        code: .deadlineExceeded,
        message: "The deadline passed before the answer came"
    )
    /// No answer even after the grace: the call may or may not have run.
    private static let noAnswer = RPCError(
        code: .deadlineExceeded,
        message: "The deadline passed and the server did not answer: the call may or may not have run",
        reason: .noAnswer
    )
    /// The deadline had passed before the call could be sent.
    private static let deadlinePassedUnsent = RPCError(
        code: .deadlineExceeded,
        message: "The deadline passed before the call was sent",
        reason: .notSent
    )
}

@available(*, unavailable)
extension ClientConnectionHandler: Sendable {}

/// A call the connection refused before writing any of it: the server never saw it, so it is
/// safe to send again on another connection whatever the method does.
struct UnsentCallError: Error {
    var reason: String
}

extension Duration {
    var microsecondsRoundedUp: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000 + (attoseconds + 999_999_999_999) / 1_000_000_000_000
    }
}
