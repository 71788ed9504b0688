public import CRMAPI

extension APICatalog {
    /// `pkg.Service/Method` from either spelling: the protocol's own, or the dotted
    /// `pkg.Service.Method` that ghz and grpcurl users type.
    public static func canonicalName(_ name: String) -> String {
        if name.contains("/") { return name }
        guard let dot = name.lastIndex(of: ".") else { return name }
        return name[..<dot] + "/" + name[name.index(after: dot)...]
    }
}
