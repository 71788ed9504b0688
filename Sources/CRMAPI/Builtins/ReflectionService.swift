public import RPCCore
public import Wire

/// `crm.rpc.v1.Reflection/ListMethods`: every method the server answers, with its message
/// types, so the CLI and the load tester can offer them without reading the protos.
public struct ReflectionService: RPCV1.Reflection.ServiceProtocol {
    public let methods: [RPCRouter.Method]

    public init(methods: [RPCRouter.Method]) {
        self.methods = methods
    }

    public func listMethods(request: RPCV1.ListMethodsRequest, context: ServerContext) async throws -> RPCV1.ListMethodsResponse {
        var response = RPCV1.ListMethodsResponse()
        response.methods = methods.map { method in
            var info = RPCV1.MethodInfo()
            info.name = method.descriptor.fullName
            info.inputType = method.inputType
            info.outputType = method.outputType
            return info
        }
        return response
    }
}
