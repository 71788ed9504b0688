/// Makes calls through a client transport: encodes the request, waits for the answer,
/// decodes it, and turns a failure into a thrown `RPCError`.
public struct RPCClient: Sendable {
    public let transport: any ClientTransport
    /// Sent with every call, under the call's own metadata (an operator's token, say).
    public var defaultMetadata: Metadata
    /// Used when a call's options name no timeout.
    public var defaultTimeout: Duration?

    public init(transport: any ClientTransport, defaultMetadata: Metadata = [:], defaultTimeout: Duration? = nil) {
        self.transport = transport
        self.defaultMetadata = defaultMetadata
        self.defaultTimeout = defaultTimeout
    }

    /// Makes one unary call. Throws `RPCError` only.
    nonisolated(nonsending) public func unary<Request, Response>(
        request: Request,
        descriptor: MethodDescriptor,
        serializer: some MessageSerializer<Request>,
        deserializer: some MessageDeserializer<Response>,
        metadata: Metadata = [:],
        options: CallOptions = .defaults
    ) async throws -> Response {
        let payload: [UInt8]
        do {
            payload = try serializer.serialize(request)
        } catch let error as RPCError {
            throw error  // a serializer's own verdict, e.g. INVALID_ARGUMENT naming a field
        } catch {
            throw RPCError(code: .internal, message: "Could not encode the request for \(descriptor): \(error)")
        }
        // The transport directly rather than through `unary(_:options:)`: one async frame
        // fewer on every call.
        let response = try await transport.unary(
            RPCRequestParts(method: descriptor.fullName, metadata: merged(metadata), payload: payload),
            deadline: deadline(options)
        ).result.get()
        do {
            return try deserializer.deserialize(response)
        } catch {
            throw RPCError(code: .internal, message: "Could not decode the response of \(descriptor): \(error)")
        }
    }

    /// Makes one call with an encoded request and returns the encoded response: for tools
    /// that choose the method at run time (the load tester, the CLI's raw mode).
    nonisolated(nonsending) public func unary(_ request: RPCRequestParts, options: CallOptions = .defaults) async throws -> [UInt8] {
        try await transport.unary(request, deadline: deadline(options)).result.get()
    }

    private func deadline(_ options: CallOptions) -> ContinuousClock.Instant? {
        (options.timeout ?? defaultTimeout).map { ContinuousClock.now + $0 }
    }

    /// The call's metadata over the defaults, with a request id: the caller's own, else the
    /// one of the call this code is serving (`RequestID.current`), else a new one.
    private func merged(_ metadata: Metadata) -> Metadata {
        var result = metadata
        if result.requestID == nil { result.requestID = RequestID.current ?? RequestID.generate() }
        guard !defaultMetadata.isEmpty else { return result }
        for entry in defaultMetadata where result[entry.key] == nil {
            result.add(entry.key, entry.value)
        }
        return result
    }
}
