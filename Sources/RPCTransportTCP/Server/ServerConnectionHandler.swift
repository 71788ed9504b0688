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
///
/// Flow control: at `maximumCallsInFlight` calls (queued or running) the connection takes no
/// more frames until some finish; while the channel is not writable (its peer does not read
/// the answers) it neither reads nor starts calls. A connection serves at most
/// `ServingTurns.callsPerTurn` requests at a time; the rest wait for its next turn, after the
/// loop's other connections.
final class ServerConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    struct Limits {
        var maximumFrameSize: Int
        var frameTimeout: TimeAmount
        var maximumCallsInFlight: Int
        var firstCallTimeout: TimeAmount
        /// Answers packed but not yet handed to the channel are flushed at this many bytes, so
        /// the channel's writability (same watermark) sees them.
        var outboundHighWatermark: Int
    }

    private struct Call {
        var task: Task<Void, Never>
        var timeout: Scheduled<Void>?
        /// The runner that started it: an answer from a Task whose call the client cancelled,
        /// and whose id it then used again, must not take the new call's place.
        var runner: UInt64
    }

    private struct QueuedCall {
        var id: UInt64
        var parts: RPCRequestParts
        var info: ServerCallInfo
    }

    private let handler: any ServerCallHandler
    private let limits: Limits
    private let flowControl: InboundFlowControl
    private let turns: ServingTurns
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
    /// Requests the current turn may still start.
    private var turnBudget = 0
    private var waitingForTurn = false
    /// The highest id in `queued`: ids usually grow, so a new one above it needs no search
    /// for a duplicate.
    private var highestQueuedID: UInt64 = 0
    private var writable = true
    private var context: ChannelHandlerContext?
    private var peer = "unknown"
    private var draining = false
    private var flushPolicy = FlushPolicy()
    private var outbound = OutboundFrames()
    /// While draining: the last write, so the connection closes only after it reaches the socket.
    private var lastWrite: EventLoopFuture<Void>?
    private var lingerClose: Scheduled<Void>?
    /// Closes the connection if the frame now arriving is not whole in time (not counting
    /// while this side has stopped reading).
    private var partialFrameDeadline: Scheduled<Void>?
    private var partialFrame = false
    /// Closes the connection if no request arrives in time after it opened.
    private var firstCallDeadline: Scheduled<Void>?
    /// Set by `refuse`.
    private var refusal: RPCError?

    init(handler: any ServerCallHandler, limits: Limits, flowControl: InboundFlowControl, turns: ServingTurns, logger: Logger) {
        self.handler = handler
        self.limits = limits
        self.flowControl = flowControl
        self.turns = turns
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        self.peer = context.channel.remoteAddress?.hostAndPort ?? "unknown"
        let this = NIOLoopBound(self, eventLoop: context.eventLoop)
        let timeout = limits.firstCallTimeout
        firstCallDeadline = context.eventLoop.scheduleTask(in: timeout) {
            let handler = this.value
            handler.logger.warning("Closing connection: no request since it opened", metadata: [
                "peer": "\(handler.peer)", "timeout": "\(timeout)",
            ])
            handler.context?.close(promise: nil)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        firstCallDeadline?.cancel()
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
                callsLeft()
                send(id: frame.callID, .failure(RPCError(code: .cancelled, message: "The call was cancelled before it started")))
            }
        case .response, .goAway, nil:
            closeForProtocolViolation("a client sent a frame only a server may send", context: context)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        serve()
        context.fireChannelReadComplete()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        writable = context.channel.isWritable
        if writable {
            flowControl.resumeReads()
            updateFrameTimer()
            serve()
        } else {
            flowControl.pauseReads()
            updateFrameTimer()
        }
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        partialFrameDeadline?.cancel()
        firstCallDeadline?.cancel()
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
            reason = "frame larger than \(limits.maximumFrameSize) bytes"
        default:
            reason = "\(error)"
        }
        logger.warning("Closing connection", metadata: ["peer": "\(peer)", "reason": "\(reason)"])
        context.close(promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? PartialFrameEvent {
            partialFrame = event == .started
            partialFrameDeadline?.cancel()
            partialFrameDeadline = nil
            updateFrameTimer()
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
    /// Every call of this connection is answered `error`, none served (a TLS client without the
    /// certificate the server requires), and the connection closes after the first answer.
    func refuse(_ error: RPCError) {
        refusal = error
    }

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
        guard id != 0, calls[id] == nil, !isQueued(id) else {
            closeForProtocolViolation("call id \(id) is zero or already in flight", context: context)
            return
        }
        if let firstCallDeadline {
            firstCallDeadline.cancel()
            self.firstCallDeadline = nil
        }
        if let refusal {
            send(id: id, .failure(refusal))
            beginDraining()
            return
        }
        let deadline = request.timeoutMicros > 0
            ? ContinuousClock.now + .microseconds(Int64(clamping: request.timeoutMicros))
            : nil
        highestQueuedID = queued.isEmpty ? id : max(highestQueuedID, id)
        queued.append(QueuedCall(
            id: id,
            parts: RPCRequestParts(method: request.method, metadata: Metadata(request.metadata), payload: request.payload),
            info: ServerCallInfo(deadline: deadline, peer: peer)
        ))
        if calls.count + queued.count >= limits.maximumCallsInFlight {
            flowControl.stopFrames()
            updateFrameTimer()
        }
    }

    private func isQueued(_ id: UInt64) -> Bool {
        !queued.isEmpty && id <= highestQueuedID && queued.contains { $0.id == id }
    }

    /// A later turn of this connection (see `ServingTurns`).
    func serveTurn() {
        waitingForTurn = false
        serve()
    }

    /// Serves the waiting requests, up to a turn's worth: one runner Task takes them in order
    /// while their handlers answer at once; a runner whose handler suspended keeps that call,
    /// and the next runner takes the rest. What is left waits for the connection's next turn,
    /// or, while the peer does not read, for the channel to become writable.
    private func serve() {
        guard runner == nil, !waitingForTurn, let context else { return }
        turnBudget = ServingTurns.callsPerTurn
        let handler = self.handler
        let eventLoop = context.eventLoop
        let this = NIOLoopBound(self, eventLoop: eventLoop)
        while !queued.isEmpty, turnBudget > 0, writable, self.context != nil {
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
                        this.value.finish(id: call.id, runner: generation, response)
                    } else {
                        eventLoop.execute { this.value.finish(id: call.id, runner: generation, response) }
                    }
                    return
                }
            }
            guard let suspended = runner?.current else { break }
            runner = nil
            var call = Call(task: task, runner: generation)
            if let deadline = suspended.deadline {
                call.timeout = eventLoop.scheduleTask(in: max(.zero, TimeAmount(deadline - ContinuousClock.now))) {
                    task.cancel()
                }
            }
            calls[suspended.id] = call
        }
        runner = nil
        callsLeft()
        if !queued.isEmpty, writable, !waitingForTurn, self.context != nil {
            waitingForTurn = true
            turns.wait(self)
        }
        closeIfDrained()
    }

    /// Some calls finished or were dropped: if the connection had stopped taking frames, it
    /// takes them again (those the decoder holds arrive at once, and are served on a turn).
    private func callsLeft() {
        guard !flowControl.acceptsFrames, calls.count + queued.count < limits.maximumCallsInFlight else { return }
        flowControl.resumeFrames()
        updateFrameTimer()
        if !queued.isEmpty, runner == nil, writable, !waitingForTurn, context != nil {
            waitingForTurn = true
            turns.wait(self)
        }
    }

    /// The incomplete-frame timer runs only while this side is reading: a frame that stops
    /// arriving because the server stopped reading is not the peer's delay.
    private func updateFrameTimer() {
        guard partialFrame, writable, flowControl.acceptsFrames, let context else {
            partialFrameDeadline?.cancel()
            partialFrameDeadline = nil
            return
        }
        guard partialFrameDeadline == nil else { return }
        let this = NIOLoopBound(self, eventLoop: context.eventLoop)
        let timeout = limits.frameTimeout
        partialFrameDeadline = context.eventLoop.scheduleTask(in: timeout) {
            let handler = this.value
            handler.logger.warning("Closing connection: a frame stayed incomplete", metadata: [
                "peer": "\(handler.peer)", "timeout": "\(timeout)",
            ])
            handler.context?.close(promise: nil)
        }
    }

    /// The next request for the runner `generation`, if it is still the one serving this
    /// turn; nil when the turn is over (its budget spent, the channel full, nothing waiting).
    private func nextCall(runner generation: UInt64) -> QueuedCall? {
        guard runner?.generation == generation else { return nil }
        while turnBudget > 0, writable, let call = queued.popFirst() {
            turnBudget &-= 1
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

    private func finish(id: UInt64, runner generation: UInt64, _ response: RPCResponseParts) {
        // Absent when the client cancelled the call or went away: nobody waits for the answer.
        guard let call = calls[id], call.runner == generation else { return }
        calls[id] = nil
        call.timeout?.cancel()
        send(id: id, response)
        callsLeft()
        closeIfDrained()
    }

    private func send(id: UInt64, _ response: RPCResponseParts) {
        guard let context else { return }
        var wire = response.wireResponse
        if wire.payload.count > limits.maximumFrameSize - 64 {
            wire = RPCResponseParts.failure(RPCError(
                code: .resourceExhausted,
                message: "The answer (\(wire.payload.count) bytes) is larger than the frame limit of \(limits.maximumFrameSize) bytes"
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
        // Large answers go to the channel at once: its writability, which stops this turn,
        // counts only what it was handed.
        if outbound.byteCount >= limits.outboundHighWatermark { flushOutbound(context) }
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
