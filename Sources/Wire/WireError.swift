/// Bytes that are not a valid encoding of the expected message.
public struct WireError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String

    public init(message: String) {
        self.message = message
    }

    public var description: String { message }

    static func malformed(_ messageName: String, byteCount: Int) -> WireError {
        WireError(message: "malformed \(messageName) (\(byteCount) bytes)")
    }
}
