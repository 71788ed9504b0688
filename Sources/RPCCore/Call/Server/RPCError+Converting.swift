import Logging

extension RPCError {
    /// The error a client sees for whatever a handler or interceptor threw.
    ///
    /// Errors that are not the RPC's own are logged here with their details and reach the
    /// client as `unknown`, so internals never leak into an operator's screen.
    static func converting(_ error: any Error, context: ServerContext) -> RPCError {
        switch error {
        case let error as RPCError:
            return error
        case let error as any RPCErrorConvertible:
            return error.rpcError
        case is CancellationError:
            return context.isPastDeadline
                ? RPCError(code: .deadlineExceeded, message: "The deadline passed before the call finished")
                : RPCError(code: .cancelled, message: "The call was cancelled")
        default:
            context.logger.error("Handler failed", metadata: ["error": "\(String(reflecting: error))"])
            let reference = context.requestID.map { " (request id \($0))" } ?? ""
            return RPCError(code: .unknown, message: "The server could not complete the call\(reference)")
        }
    }
}
