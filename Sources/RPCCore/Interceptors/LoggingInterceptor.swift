public import Logging

/// Writes one log line per finished call: method, status, duration, peer and request id.
///
/// Successful calls log at `successLevel` (debug by default, so a busy server's log is
/// its failures); failures at `notice`, server faults (`unknown`, `internal`, `dataLoss`)
/// at `error`.
public struct LoggingInterceptor: ServerInterceptor {
    public var logger: Logger
    public var successLevel: Logger.Level

    public init(logger: Logger, successLevel: Logger.Level = .debug) {
        self.logger = logger
        self.successLevel = successLevel
    }

    public func intercept(
        request: RPCRequestParts,
        context: ServerContext,
        next: @Sendable (RPCRequestParts, ServerContext) async throws -> RPCResponseParts
    ) async throws -> RPCResponseParts {
        let start = ContinuousClock.now
        let response: RPCResponseParts
        do {
            response = try await next(request, context)
        } catch {
            response = .failure(RPCError.converting(error, context: context))
        }
        log(response, elapsed: ContinuousClock.now - start, context: context)
        return response
    }

    /// Synchronous, so the line's formatting lives on the thread's stack rather than in the
    /// call's async frame: an async function's frame holds every local it has, and a large one
    /// costs each call another block from the Task's allocator.
    private func log(_ response: RPCResponseParts, elapsed: Duration, context: ServerContext) {
        let level: Logger.Level
        switch response.result {
        case .success: level = successLevel
        case .failure(let error): level = Self.serverFaults.contains(error.code) ? .error : .notice
        }
        // Most calls succeed below the logger's level: build nothing for them.
        guard level >= logger.logLevel else { return }
        var metadata: Logger.Metadata = [
            "rpc.method": "\(context.descriptor.fullName)",
            "rpc.duration_us": "\(elapsed.microseconds)",
            "rpc.peer": "\(context.peer)",
        ]
        if let requestID = context.requestID { metadata["request-id"] = "\(requestID)" }
        switch response.result {
        case .success:
            metadata["rpc.code"] = "OK"
            logger.log(level: level, "Call finished", metadata: metadata)
        case .failure(let error):
            metadata["rpc.code"] = "\(error.code)"
            metadata["rpc.message"] = "\(error.message)"
            logger.log(level: level, "Call failed", metadata: metadata)
        }
    }

    private static let serverFaults: Set<StatusCode> = [.unknown, .internal, .dataLoss]
}

extension Duration {
    var microseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000 + attoseconds / 1_000_000_000_000
    }
}
