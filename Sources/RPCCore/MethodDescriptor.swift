/// Names a method as `package.Service/Method`, e.g. `crm.registry.v1.ClientRegistry/SearchByPhone`.
public struct MethodDescriptor: Hashable, Sendable, CustomStringConvertible {
    /// The service's full name, e.g. `crm.registry.v1.ClientRegistry`.
    public let service: String
    /// The method's name, e.g. `SearchByPhone`.
    public let method: String
    /// `service/method`, made once: every call sends it.
    public let fullName: String

    public init(service: String, method: String) {
        self.service = service
        self.method = method
        self.fullName = "\(service)/\(method)"
    }

    /// Parses `package.Service/Method`; `nil` when either part is missing.
    public init?(fullName: String) {
        guard let slash = fullName.lastIndex(of: "/") else { return nil }
        let service = fullName[..<slash]
        let method = fullName[fullName.index(after: slash)...]
        guard !service.isEmpty, !method.isEmpty else { return nil }
        self.init(service: String(service), method: String(method))
    }

    public var description: String { fullName }
}
