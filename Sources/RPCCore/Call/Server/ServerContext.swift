public import Logging

/// What a handler knows about the call it serves.
public struct ServerContext: Sendable {
    public var descriptor: MethodDescriptor
    /// The request's metadata (operator token, request id, idempotency key, ...).
    public var metadata: Metadata
    /// When the client stops waiting. The handler's Task is cancelled at that moment, so an
    /// awaited database write in flight rolls back instead of committing late.
    public var deadline: ContinuousClock.Instant?
    /// The client's address.
    public var peer: String
    /// Facts interceptors established for the handler, such as the authenticated operator.
    public var values: Values

    let baseLogger: Logger

    public init(
        descriptor: MethodDescriptor,
        metadata: Metadata = [:],
        deadline: ContinuousClock.Instant? = nil,
        peer: String = "in-process",
        logger: Logger = Logger(label: "rpc")
    ) {
        self.descriptor = descriptor
        self.metadata = metadata
        self.deadline = deadline
        self.peer = peer
        self.values = Values()
        self.baseLogger = logger
    }

    public var requestID: String? { metadata.requestID }

    /// A logger whose every line names the method and the request id. Built on use, so calls
    /// that never log pay nothing for it.
    public var logger: Logger {
        var logger = baseLogger
        logger[metadataKey: "rpc.method"] = "\(descriptor.fullName)"
        if let requestID { logger[metadataKey: "request-id"] = "\(requestID)" }
        return logger
    }

    /// Whether the deadline has passed.
    public var isPastDeadline: Bool {
        guard let deadline else { return false }
        return ContinuousClock.now >= deadline
    }
}

/// A key for a fact an interceptor hands to handlers through `ServerContext.values`.
public protocol ServerContextKey {
    associatedtype Value: Sendable
}

extension ServerContext {
    /// A typed bag: one value per key type.
    public struct Values: Sendable {
        private var storage: [ObjectIdentifier: any Sendable] = [:]

        public init() {}

        public subscript<Key: ServerContextKey>(_ key: Key.Type) -> Key.Value? {
            get { storage[ObjectIdentifier(key)] as? Key.Value }
            set { storage[ObjectIdentifier(key)] = newValue }
        }
    }
}
