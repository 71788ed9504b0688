public import Logging

/// What a handler knows about the call it serves.
///
/// The call's own facts live in one shared, immutable box, so the context that every layer of
/// a call (interceptors, router, handler) receives by value is two words: passing it on
/// copies no strings and retains one object, and each async frame that holds it stays small.
public struct ServerContext: Sendable {
    private final class Facts: Sendable {
        let descriptor: MethodDescriptor
        let metadata: Metadata
        let deadline: ContinuousClock.Instant?
        let peer: String
        let logger: Logger

        init(descriptor: MethodDescriptor, metadata: Metadata, deadline: ContinuousClock.Instant?, peer: String, logger: Logger) {
            self.descriptor = descriptor
            self.metadata = metadata
            self.deadline = deadline
            self.peer = peer
            self.logger = logger
        }

        func with(
            descriptor: MethodDescriptor? = nil,
            metadata: Metadata? = nil,
            deadline: ContinuousClock.Instant?? = nil,
            peer: String? = nil
        ) -> Facts {
            Facts(
                descriptor: descriptor ?? self.descriptor,
                metadata: metadata ?? self.metadata,
                deadline: deadline ?? self.deadline,
                peer: peer ?? self.peer,
                logger: logger
            )
        }
    }

    private var facts: Facts
    /// Facts interceptors established for the handler, such as the authenticated operator.
    public var values: Values

    public init(
        descriptor: MethodDescriptor,
        metadata: Metadata = [:],
        deadline: ContinuousClock.Instant? = nil,
        peer: String = "in-process",
        logger: Logger = Logger(label: "rpc")
    ) {
        self.facts = Facts(descriptor: descriptor, metadata: metadata, deadline: deadline, peer: peer, logger: logger)
        self.values = Values()
    }

    public var descriptor: MethodDescriptor {
        get { facts.descriptor }
        set { facts = facts.with(descriptor: newValue) }
    }

    /// The request's metadata (operator token, request id, idempotency key, ...).
    public var metadata: Metadata {
        get { facts.metadata }
        set { facts = facts.with(metadata: newValue) }
    }

    /// When the client stops waiting. The handler's Task is cancelled at that moment, so an
    /// awaited database write in flight rolls back instead of committing late.
    public var deadline: ContinuousClock.Instant? {
        get { facts.deadline }
        set { facts = facts.with(deadline: .some(newValue)) }
    }

    /// The client's address.
    public var peer: String {
        get { facts.peer }
        set { facts = facts.with(peer: newValue) }
    }

    public var requestID: String? { metadata.requestID }

    /// A logger whose every line names the method and the request id. Built on use, so calls
    /// that never log pay nothing for it.
    public var logger: Logger {
        var logger = facts.logger
        logger[metadataKey: "rpc.method"] = "\(descriptor.fullName)"
        if let requestID { logger[metadataKey: "request-id"] = "\(requestID)" }
        return logger
    }

    /// Whether the deadline has passed.
    public var isPastDeadline: Bool {
        guard let deadline = facts.deadline else { return false }
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
