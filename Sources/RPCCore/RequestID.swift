import Synchronization

/// The id that follows one operator action through every service's log.
///
/// The server runs each call with the request's id (or a new one) as `RequestID.current`;
/// `RPCClient` sends the current id with every call it makes, so a service calling a peer
/// while it serves a call hands the same id on.
public enum RequestID {
    @TaskLocal public static var current: String?

    /// A new process-unique id: a random per-process prefix of 8 base-36 characters (41 bits),
    /// a dash, and a base-36 counter, e.g. `k3x9q0za-1b7`. Every call makes one, so it is kept
    /// within the 15 bytes a Swift string holds without a heap allocation (at both ends of the
    /// wire) for the process's first 2.1 billion ids; later ids are a character longer.
    public static func generate() -> String {
        let n = counter.add(1, ordering: .relaxed).newValue
        var digits = 1
        var rest = n / 36
        while rest > 0 { digits += 1; rest /= 36 }
        return String(unsafeUninitializedCapacity: prefixBytes.count + 1 + digits) { buffer in
            _ = buffer.initialize(from: prefixBytes)
            buffer[prefixBytes.count] = UInt8(ascii: "-")
            var rest = n
            for i in (0..<digits).reversed() {
                buffer[prefixBytes.count + 1 + i] = base36Digits[Int(rest % 36)]
                rest /= 36
            }
            return prefixBytes.count + 1 + digits
        }
    }

    private static let base36Digits = Array("0123456789abcdefghijklmnopqrstuvwxyz".utf8)
    private static let prefixBytes: [UInt8] = (0..<8).map { _ in base36Digits.randomElement()! }
    private static let counter = Atomic<UInt64>(0)
}
