public import RPCCore
public import Wire

/// `crm.rpc.v1.Health/Check`: whether the server (or one of its services) can serve.
///
/// `readiness` checks what the server depends on (its database, say); a failing check
/// answers NOT_SERVING, so an orchestrator stops sending traffic without killing the process.
public struct HealthService: RPCV1.Health.ServiceProtocol {
    public let serviceNames: Set<String>
    public let readiness: @Sendable () async -> Bool

    public init(serviceNames: Set<String>, readiness: @escaping @Sendable () async -> Bool = { true }) {
        self.serviceNames = serviceNames
        self.readiness = readiness
    }

    public func check(request: RPCV1.HealthCheckRequest, context: ServerContext) async throws -> RPCV1.HealthCheckResponse {
        var response = RPCV1.HealthCheckResponse()
        if !request.service.isEmpty, !serviceNames.contains(request.service) {
            response.status = .serviceUnknown
        } else {
            response.status = await readiness() ? .serving : .notServing
        }
        return response
    }
}
