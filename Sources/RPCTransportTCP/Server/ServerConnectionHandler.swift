import Logging
import NIOCore
import RPCCore
import Wire

/// Serves the calls of one connection: runs the requests of each read on the connection's
/// event loop, answers in whatever order they finish, cancels them at their deadlines, and
/// batches its writes into few flushes (`FlushPolicy`).
///
/// One Task serves a read's requests one after another for as long as their handlers answer
/// without suspending: a Task per call would cost its creation, its allocator's slabs and its
/// completion on every call. When a handler suspends (a database read, a peer's answer), that
/// Task stays with its call, which then goes on in the global executor and can be cancelled on
/// its own; a new Task takes the rest of the read.
final class ServerConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private struct Call {
        var task: Task<Void, Never>
        var timeout: Scheduled<Void>?
    }

    private struct QueuedCall {
        var id: UInt64
        var parts: RPCRequestParts
        var info: ServerCallInfo
    }

    private let handler: any ServerCallHandler
    private let maximumFrameSize: Int
    private let frameTimeout: TimeAmount
    private let logger: Logger
    /// Calls whose handler suspended: they finish later, or are cancelled.
    private var calls: [UInt64: Call] = [:]
    /// Requests of the current read, not started yet; served at the read's end.
    private var queued = CircularBuffer<QueuedCall>()
    /// Which runner Task is serving `queued` right now, synchronously on this loop, and the
    /// call it is in (what its Task keeps if the handler suspends); a runner whose handler
    /// suspended is no longer it.
    private var runner: (generation: UInt64, current: (id: UInt64, deadline: ContinuousClock.Instant?)?)?
    private var runnerGeneration: UInt64 = 0
    private var context: ChannelHandlerContext?
    private var peer = "unknown"
    private var draining = false
    private var flushPolicy = FlushPolicy()
    private var outbound = OutboundFrames()
    /// While draining: the last write, so the connection closes only after it reaches the socket.
    private var lastWrite: EventLoopFuture<Void>?
    private var lingerClose: Scheduled<Void>?
    /// Closes the connection if the frame now arriving is not whole in time.
    private var partialFrameDeadline: Scheduled<Void>?

    init(handler: any ServerCallHandler, maximumFrameSize: Int, frameTimeout: TimeAmount, logger: Logger) {
        self.handler = handler
        self.maximumFrameSize = maximumFrameSize
        self.frameTimeout = frameTimeout
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        self.peer = context.channel.remoteAddress?.hostAndPort ?? "unknown"
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
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
        case .request(let request):
            startCall(id: frame.callID, request: request, context: context)
        case .cancel:
            // The handler is cancelled but still answered (`finish`): with its result when it
            // had already committed, else with the rollback's CANCELLED or DEADLINE_EXCEEDED.
            if let call = calls[frame.callID] {
                call.timeout?.cancel()
                call.task.cancel()
            } else if let index = queued.firstIndex(where: { $0.id == frame.callID }) {
                queued.remove(at: index)
                send(id: frame.callID, .failure(RPCError(code: .cancelled, message: "The call was cancelled before it started")))
            }
        case .response, .goAway, nil:
            closeForProtocolViolation("a client sent a frame only a server may send", context: context)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        serveQueued(context: context)
        context.fireChannelReadComplete()
    }

    func channelInactive(context: ChannelHandlerContext) {
        partialFrameDeadline?.cancel()
        // The client is gone: nobody will read the answers.
        queued.removeAll()
        outbound.removeAll()
        for call in calls.values {
            call.timeout?.cancel()
            call.task.cancel()
        }
        calls.removeAll()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        let reason: String
        switch error {
        case let error as FrameTooLargeError:
            reason = error.description
        case is ByteToMessageDecoderError.PayloadTooLargeError:
            reason = "frame larger than \(maximumFrameSize) bytes"
        default:
            reason = "\(error)"
        }
        logger.warning("Closing connection", metadata: ["peer": "\(peer)", "reason": "\(reason)"])
        context.close(promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? PartialFrameEvent {
            partialFrameDeadline?.cancel()
            partialFrameDeadline = nil
            if event == .started {
                let this = NIOLoopBound(self, eventLoop: context.eventLoop)
                let timeout = frameTimeout
                partialFrameDeadline = context.eventLoop.scheduleTask(in: timeout) {
                    let handler = this.value
                    handler.logger.warning("Closing connection: a frame stayed incomplete", metadata: [
                        "peer": "\(handler.peer)", "timeout": "\(timeout)",
                    ])
                    handler.context?.close(promise: nil)
                }
            }
            return
        }
        if let event = event as? IdleStateHandler.IdleStateEvent, event == .read, calls.isEmpty, queued.isEmpty {
            logger.debug("Closing idle connection", metadata: ["peer": "\(peer)"])
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    /// A graceful stop: tell the client, answer what is in flight, refuse the rest, close.
    func beginDraining() {
        guard !draining, let context else { return }
        draining = true
        var goAway = RPCV1.GoAway()
        goAway.reason = "server is shutting down"
        // Behind the answers already waiting: what the client reads before it is theirs.
        outbound.appendFixed(RPCV1.Frame(callID: 0, kind: .goAway(goAway)), allocator: context.channel.allocator)
        flushOutbound(context)
        closeIfDrained()
    }

    private func startCall(id: UInt64, request: RPCV1.Request, context: ChannelHandlerContext) {
        guard id != 0, calls[id] == nil else {
            closeForProtocolViolation("call id \(id) is zero or already in flight", context: context)
            return
        }
        let deadline = request.timeoutMicros > 0
            ? ContinuousClock.now + .microseconds(Int64(clamping: request.timeoutMicros))
            : nil
        queued.append(QueuedCall(
            id: id,
            parts: RPCRequestParts(method: request.method, metadata: Metadata(request.metadata), payload: request.payload),
            info: ServerCallInfo(deadline: deadline, peer: peer)
        ))
    }

    /// Serves the read's requests: one runner Task takes them in order while their handlers
    /// answer at once; a runner whose handler suspended keeps that call, and the next runner
    /// takes the rest.
    private func serveQueued(context: ChannelHandlerContext) {
        guard runner == nil else { return }
        let handler = self.handler
        let eventLoop = context.eventLoop
        let this = NIOLoopBound(self, eventLoop: eventLoop)
        while !queued.isEmpty, self.context != nil {
            runnerGeneration &+= 1
            let generation = runnerGeneration
            runner = (generation, nil)
            // Runs at once on this loop until a handler first suspends. After a suspension the
            // call goes on in the global executor, not on this loop: a connection's suspended
            // handlers then use every core rather than its one loop thread.
            let task = Task.immediate {
                while let call = this.value.nextCall(runner: generation) {
                    let response = await handler.handle(call.parts, info: call.info)
                    if eventLoop.inEventLoop, this.value.answered(call.id, response, runner: generation) { continue }
                    // This handler suspended: the loop has moved on without this Task.
                    if eventLoop.inEventLoop {
                        this.value.finish(id: call.id, response)
                    } else {
                        eventLoop.execute { this.value.finish(id: call.id, response) }
                    }
                    return
                }
            }
            guard let suspended = runner?.current else { break }
            runner = nil
            var call = Call(task: task)
            if let deadline = suspended.deadline {
                call.timeout = eventLoop.scheduleTask(in: max(.zero, TimeAmount(deadline - ContinuousClock.now))) {
                    task.cancel()
                }
            }
            calls[suspended.id] = call
        }
        runner = nil
        closeIfDrained()
    }

    /// The next request for the runner `generation`, if it is still the one serving this
    /// read; nil when the read is served.
    private func nextCall(runner generation: UInt64) -> QueuedCall? {
        guard runner?.generation == generation else { return nil }
        while let call = queued.popFirst() {
            if draining {
                send(id: call.id, RPCResponseParts.failure(RPCError(code: .unavailable, message: "The server is shutting down")))
                continue
            }
            runner?.current = (call.id, call.info.deadline)
            return call
        }
        runner?.current = nil
        return nil
    }

    /// Answers for the runner `generation` if its handler did not suspend; false when it did
    /// (the call is then in `calls`, answered through `finish`).
    private func answered(_ id: UInt64, _ response: RPCResponseParts, runner generation: UInt64) -> Bool {
        guard runner?.generation == generation else { return false }
        runner?.current = nil
        send(id: id, response)
        return true
    }

    private func finish(id: UInt64, _ response: RPCResponseParts) {
        // Absent when the client cancelled the call or went away: nobody waits for the answer.
        guard let call = calls.removeValue(forKey: id) else { return }
        call.timeout?.cancel()
        send(id: id, response)
        closeIfDrained()
    }

    private func send(id: UInt64, _ response: RPCResponseParts) {
        guard let context else { return }
        var wire = response.wireResponse
        if wire.payload.count > maximumFrameSize - 64 {
            wire = RPCResponseParts.failure(RPCError(
                code: .resourceExhausted,
                message: "The answer (\(wire.payload.count) bytes) is larger than the frame limit of \(maximumFrameSize) bytes"
            )).wireResponse
        }
        do {
            try outbound.append(RPCV1.Frame(callID: id, kind: .response(wire)), allocator: context.channel.allocator)
        } catch {
            // A string in the answer (its metadata, an error's text) holds NUL: the server's fault.
            let failure = RPCResponseParts.failure(RPCError(code: .internal, message: "The answer could not be encoded: \(error.field ?? "frame") holds U+0000"))
            outbound.appendFixed(RPCV1.Frame(callID: id, kind: .response(failure.wireResponse)), allocator: context.channel.allocator)
        }
        scheduleFlush(context)
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

    /// Hands the waiting frames to the socket. While draining, remembers the write, so the
    /// connection closes only once it is out.
    private func flushOutbound(_ context: ChannelHandlerContext) {
        if let frames = outbound.take() {
            let promise = draining ? context.eventLoop.makePromise(of: Void.self) : nil
            context.write(wrapOutboundOut(frames), promise: promise)
            if let promise { lastWrite = promise.futureResult }
        }
        context.flush()
    }

    /// Once nothing is in flight, waits `drainLinger` before closing: requests the client
    /// sent before it read `go_away` are still on the wire, and deserve an explicit
    /// `unavailable` rather than a dropped connection. A client closes sooner by itself.
    private func closeIfDrained() {
        guard draining, calls.isEmpty, queued.isEmpty, runner == nil, let context else { return }
        flushOutbound(context)
        lingerClose?.cancel()
        let channel = context.channel
        let lastWrite = self.lastWrite ?? context.eventLoop.makeSucceededVoidFuture()
        lingerClose = context.eventLoop.scheduleTask(in: Self.drainLinger) {
            lastWrite.whenComplete { _ in channel.close(promise: nil) }
        }
    }

    static let drainLinger = TimeAmount.milliseconds(500)

    private func closeForProtocolViolation(_ reason: String, context: ChannelHandlerContext) {
        logger.warning("Closing connection: protocol violation", metadata: ["peer": "\(peer)", "reason": "\(reason)"])
        context.close(promise: nil)
    }
}

@available(*, unavailable)
extension ServerConnectionHandler: Sendable {}
