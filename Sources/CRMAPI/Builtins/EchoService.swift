public import RPCCore
public import Wire

/// `crm.rpc.v1.Echo/Echo`: answers with the bytes it was sent; the benchmark's peer.
public struct EchoService: RPCV1.Echo.ServiceProtocol {
    public init() {}

    public func echo(request: RPCV1.EchoMessage, context: ServerContext) async throws -> RPCV1.EchoMessage {
        request
    }
}
