/// Every generated message type by full proto name, for tools that pick a method at run
/// time (the load tester, a CLI taking JSON).
public enum WireRegistry {
    /// Sorted by full proto name.
    public static var allMessageTypes: [any WireMessage.Type] { generatedMessageTypes }

    /// `named` is the full proto name, e.g. "crm.rpc.v1.Frame".
    public static func messageType(named name: String) -> (any WireMessage.Type)? {
        byName[name]
    }

    private static let byName: [String: any WireMessage.Type] = Dictionary(
        uniqueKeysWithValues: generatedMessageTypes.map { ($0.protoMessageName, $0) })
}
