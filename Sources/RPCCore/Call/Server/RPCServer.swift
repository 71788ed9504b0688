public import Logging
public import ServiceLifecycle
import Synchronization

/// Serves registered services over one transport: routes each call, runs the interceptors
/// around it, and maps whatever the handler throws to a status.
///
/// It is a `Service`: in a `ServiceGroup`, SIGTERM begins a graceful stop — the transport
/// stops accepting, calls in flight get `gracePeriod` to finish, then whatever is left is
/// cancelled and the connections close.
public final class RPCServer: Service, ServerCallHandler {
    public struct Configuration: Sendable {
        /// How long calls in flight may run after a graceful stop begins.
        public var gracePeriod: Duration

        public init(gracePeriod: Duration = .seconds(10)) {
            self.gracePeriod = gracePeriod
        }
    }

    public let transport: any ServerTransport
    public let router: RPCRouter
    private let interceptors: [any ServerInterceptor]
    private let configuration: Configuration
    private let logger: Logger
    private let stopSignal: (stream: AsyncStream<Void>, continuation: AsyncStream<Void>.Continuation)
    private let stopping = Atomic<Bool>(false)

    public init(
        transport: any ServerTransport,
        services: [any RegistrableRPCService],
        interceptors: [any ServerInterceptor] = [],
        configuration: Configuration = Configuration(),
        logger: Logger = Logger(label: "rpc.server")
    ) {
        var router = RPCRouter()
        for service in services { router.register(service) }
        self.transport = transport
        self.router = router
        self.interceptors = interceptors
        self.configuration = configuration
        self.logger = logger
        self.stopSignal = AsyncStream.makeStream(of: Void.self)
    }

    /// Serves until a graceful stop completes or the Task is cancelled.
    public func run() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await self.transport.listen(self) }
            group.addTask {
                await withGracefulShutdownHandler {
                    for await _ in self.stopSignal.stream { break }
                } onGracefulShutdown: {
                    self.beginGracefulShutdown()
                }
                guard !Task.isCancelled else { return }
                try await Task.sleep(for: self.configuration.gracePeriod)
                self.logger.warning(
                    "Grace period ended with calls still running; cancelling them",
                    metadata: ["grace": "\(self.configuration.gracePeriod)"]
                )
                throw CancellationError()
            }
            // Whichever ends first: the transport drained (done) or the grace period ran out.
            defer { group.cancelAll() }
            try await group.next()
        }
    }

    /// Stops accepting calls and lets those in flight finish; `run` returns when they have.
    public func beginGracefulShutdown() {
        guard !stopping.exchange(true, ordering: .relaxed) else { return }
        logger.info("Graceful stop: no new calls, finishing those in flight")
        transport.beginGracefulShutdown()
        stopSignal.continuation.finish()
    }

    /// Serves one call with its request id (the caller's, or a new one) as `RequestID.current`,
    /// so the logs and the calls this one makes to peers carry it.
    ///
    /// Everything that needs no waiting (routing, the context, the deadline check) is done
    /// here before the first `await`, and what runs after it keeps little: each async
    /// function's frame comes from the call Task's allocator, and frames past its first slab
    /// cost a `malloc` per call.
    nonisolated(nonsending) public func handle(_ request: RPCRequestParts, info: ServerCallInfo) async -> RPCResponseParts {
        var request = request
        if request.metadata.requestID == nil { request.metadata.requestID = RequestID.generate() }
        guard let route = router.route(for: request.method) else {
            return .failure(RPCError(code: .unimplemented, message: "This server has no method \(request.method)"))
        }
        let context = ServerContext(
            descriptor: route.method.descriptor,
            metadata: request.metadata,
            deadline: info.deadline,
            peer: info.peer,
            logger: logger
        )
        if context.isPastDeadline {
            return .failure(RPCError(code: .deadlineExceeded, message: "The deadline passed before the call started"))
        }
        return await RequestID.$current.withValue(request.metadata.requestID) {
            await serve(request, route: route, context: context)
        }
    }

    // Not inlined into `handle`: its locals would then stay in `handle`'s frame for the whole call.
    @inline(never)
    nonisolated(nonsending) private func serve(
        _ request: RPCRequestParts,
        route: RPCRouter.Route,
        context: ServerContext
    ) async -> RPCResponseParts {
        // A handler that finished is answered with its result even past the deadline: a write
        // that committed must not be reported as failed (a cancelled one rolled back and threw).
        interceptors.isEmpty
            ? await route.handle(request.payload, context)
            : await intercepted(request, route: route, context: context)
    }

    @inline(never)
    nonisolated(nonsending) private func intercepted(
        _ request: RPCRequestParts,
        route: RPCRouter.Route,
        context: ServerContext
    ) async -> RPCResponseParts {
        do {
            return try await intercept(from: 0, request: request, context: context, route: route)
        } catch {
            return .failure(RPCError.converting(error, context: context))
        }
    }

    nonisolated(nonsending) private func intercept(
        from index: Int,
        request: RPCRequestParts,
        context: ServerContext,
        route: RPCRouter.Route
    ) async throws -> RPCResponseParts {
        guard index < interceptors.count else {
            return await route.handle(request.payload, context)
        }
        return try await interceptors[index].intercept(request: request, context: context) { request, context in
            try await self.intercept(from: index + 1, request: request, context: context, route: route)
        }
    }
}
