/// Bytes that are not a valid encoding of the expected message, or a message that cannot be
/// encoded (a string field holding U+0000, which protobuf-c's NUL-terminated strings cannot
/// carry).
public struct WireError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    /// The proto field at fault, as a path from the top message (`contacts[2].value`); nil
    /// when the bytes as a whole are malformed.
    public var field: String?

    public init(message: String, field: String? = nil) {
        self.message = message
        self.field = field
    }

    public var description: String { field.map { "\($0): \(message)" } ?? message }

    static func malformed(_ messageName: String, byteCount: Int) -> WireError {
        WireError(message: "malformed \(messageName) (\(byteCount) bytes)")
    }

    /// Why a string with U+0000 is refused both ways, in words an operator's tool can show.
    public static let nulMessage = "contains the character U+0000 (NUL), which the wire format cannot carry"

    static func nul(field: String) -> WireError { WireError(message: nulMessage, field: field) }

    /// The same error seen from the message that holds `parent`.
    func within(_ parent: String) -> WireError {
        var error = self
        error.field = field.map { "\(parent).\($0)" } ?? parent
        return error
    }
}
