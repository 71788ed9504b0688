public import RPCCore
import Synchronization

/// A client and a server transport joined in memory: tests of service logic run the real
/// router, interceptors and codecs with no socket.
public struct InProcessTransport: Sendable {
    public let server: Server
    public let client: Client

    public init() {
        let server = Server()
        self.server = server
        self.client = Client(server: server)
    }
}

extension InProcessTransport {
    /// Hands calls to the handler `listen` was given, each in its own Task, cancelled at its deadline.
    public final class Server: ServerTransport {
        private struct State {
            var handler: (any ServerCallHandler)?
            var draining = false
            var inFlight = 0
            var drained: CheckedContinuation<Void, Never>?
            /// Calls made before `listen`: they wait for the server to start, as a connect would.
            var waitingForListen: [CheckedContinuation<Void, Never>] = []
        }

        private let state = Mutex(State())

        init() {}

        public func listen(_ handler: any ServerCallHandler) async throws {
            let waiting = state.withLock { state in
                state.handler = handler
                defer { state.waitingForListen = [] }
                return state.waitingForListen
            }
            for waiter in waiting { waiter.resume() }
            await withTaskCancellationHandler {
                await withCheckedContinuation { continuation in
                    let finished = state.withLock { state -> Bool in
                        if state.draining && state.inFlight == 0 { return true }
                        state.drained = continuation
                        return false
                    }
                    if finished { continuation.resume() }
                }
            } onCancel: {
                self.beginGracefulShutdown()
                self.state.withLock { state in
                    state.drained?.resume()
                    state.drained = nil
                }
            }
        }

        public func beginGracefulShutdown() {
            let (continuation, waiting) = state.withLock { state -> (CheckedContinuation<Void, Never>?, [CheckedContinuation<Void, Never>]) in
                state.draining = true
                let waiting = state.waitingForListen
                state.waitingForListen = []
                guard state.inFlight == 0 else { return (nil, waiting) }
                defer { state.drained = nil }
                return (state.drained, waiting)
            }
            for waiter in waiting { waiter.resume() }
            continuation?.resume()
        }

        private func waitUntilListening() async {
            await withCheckedContinuation { continuation in
                let ready = state.withLock { state -> Bool in
                    if state.handler != nil || state.draining { return true }
                    state.waitingForListen.append(continuation)
                    return false
                }
                if ready { continuation.resume() }
            }
        }

        func call(_ request: RPCRequestParts, deadline: ContinuousClock.Instant?) async -> RPCResponseParts {
            await waitUntilListening()
            let handler = state.withLock { state -> (any ServerCallHandler)? in
                guard let handler = state.handler, !state.draining else { return nil }
                state.inFlight += 1
                return handler
            }
            guard let handler else {
                return .failure(RPCError(code: .unavailable, message: "The in-process server is not serving"))
            }
            defer {
                let continuation = state.withLock { state -> CheckedContinuation<Void, Never>? in
                    state.inFlight -= 1
                    guard state.draining, state.inFlight == 0 else { return nil }
                    defer { state.drained = nil }
                    return state.drained
                }
                continuation?.resume()
            }
            let info = ServerCallInfo(deadline: deadline, peer: "in-process")
            let task = Task { await handler.handle(request, info: info) }
            let watchdog = deadline.map { deadline in
                Task {
                    try await Task.sleep(until: deadline)
                    task.cancel()
                }
            }
            defer { watchdog?.cancel() }
            return await withTaskCancellationHandler {
                await task.value
            } onCancel: {
                task.cancel()
            }
        }
    }

    /// Calls the paired server directly; encodes and decodes as a network client would.
    public final class Client: ClientTransport {
        private let server: Server
        private let closed = Atomic<Bool>(false)

        init(server: Server) {
            self.server = server
        }

        nonisolated(nonsending) public func unary(_ request: RPCRequestParts, deadline: ContinuousClock.Instant?) async throws -> RPCResponseParts {
            guard !closed.load(ordering: .relaxed) else {
                throw RPCError(code: .unavailable, message: "The in-process client is closed")
            }
            let response = await server.call(request, deadline: deadline)
            if Task.isCancelled {
                throw RPCError(code: .cancelled, message: "The call was cancelled")
            }
            // Past the deadline the handler was cancelled; what it answered is the truth (a
            // write that committed first), as over TCP.
            if let deadline, ContinuousClock.now >= deadline, case .failure(let error) = response.result, error.code == .cancelled {
                throw RPCError(code: .deadlineExceeded, message: "The deadline passed before the answer came")
            }
            return response
        }

        public func close() async {
            closed.store(true, ordering: .relaxed)
        }
    }
}
