/// A service that puts its methods in a router; generated service protocols adopt it.
public protocol RegistrableRPCService: Sendable {
    func registerMethods(with router: inout RPCRouter)
}
