import Synchronization

/// The id that follows one operator action through every service's log.
///
/// The server runs each call with the request's id (or a new one) as `RequestID.current`;
/// `RPCClient` sends the current id with every call it makes, so a service calling a peer
/// while it serves a call hands the same id on.
public enum RequestID {
    @TaskLocal public static var current: String?

    /// A new process-unique id: a random per-process prefix and a counter — cheap enough for
    /// every call, and unique across processes with overwhelming likelihood.
    public static func generate() -> String {
        let n = counter.add(1, ordering: .relaxed).newValue
        return "\(prefix)-\(String(n, radix: 16))"
    }

    private static let prefix: String = {
        let value = UInt64.random(in: 0...UInt64.max)
        let hex = String(value, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }()

    private static let counter = Atomic<UInt64>(0)
}
