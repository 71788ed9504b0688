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
        let digits = n == 0 ? 1 : (67 - n.leadingZeroBitCount) / 4
        // One allocation: every call makes an id, and interpolation builds three strings.
        return String(unsafeUninitializedCapacity: prefixBytes.count + 1 + digits) { buffer in
            _ = buffer.initialize(from: prefixBytes)
            buffer[prefixBytes.count] = UInt8(ascii: "-")
            var rest = n
            for i in (0..<digits).reversed() {
                buffer[prefixBytes.count + 1 + i] = hexDigits[Int(rest & 0xF)]
                rest >>= 4
            }
            return prefixBytes.count + 1 + digits
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)
    private static let prefixBytes = Array(prefix.utf8)

    private static let prefix: String = {
        let value = UInt64.random(in: 0...UInt64.max)
        let hex = String(value, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }()

    private static let counter = Atomic<UInt64>(0)
}
