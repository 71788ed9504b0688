/// A call as a transport carries it: the method, metadata and the encoded message.
public struct RPCRequestParts: Sendable {
    /// `package.Service/Method`, as sent; the server's router checks it.
    public var method: String
    public var metadata: Metadata
    /// The encoded request message.
    public var payload: [UInt8]

    public init(method: String, metadata: Metadata, payload: [UInt8]) {
        self.method = method
        self.metadata = metadata
        self.payload = payload
    }
}

/// A call's answer as a transport carries it: the encoded message or the error, and metadata.
public struct RPCResponseParts: Sendable {
    public var result: Result<[UInt8], RPCError>
    public var metadata: Metadata

    public init(result: Result<[UInt8], RPCError>, metadata: Metadata = [:]) {
        self.result = result
        self.metadata = metadata
    }

    public static func failure(_ error: RPCError) -> RPCResponseParts {
        RPCResponseParts(result: .failure(error), metadata: error.metadata)
    }
}
