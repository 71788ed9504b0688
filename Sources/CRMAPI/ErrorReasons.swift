public import RPCCore

/// The reasons the services put on their refusals (`Status.reason`), part of the API as much
/// as the messages' fields are: a client decides by these, never by the wording meant for
/// people. docs/PROTOCOL.md «Errors» lists them with the transport's own.
extension RPCError.Reason {
    /// The incoming call's process already ended (finished or cancelled): it cannot go on.
    public static let callEnded = RPCError.Reason("CALL_ENDED")
    /// A string field held U+0000 (NUL), which the wire format cannot carry; the field is named.
    public static let nulCharacter = RPCError.Reason("NUL_CHARACTER")
}
