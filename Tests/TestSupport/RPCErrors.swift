public import RPCCore
import Testing

/// The error a call ends with; nil when it succeeds. Any error that is not an `RPCError` is
/// a test failure: a service's refusals always travel as statuses.
public func rpcError(_ body: () async throws -> Void) async -> RPCError? {
    do {
        try await body()
        return nil
    } catch let error as RPCError {
        return error
    } catch {
        Issue.record("not an RPCError: \(error)")
        return nil
    }
}
