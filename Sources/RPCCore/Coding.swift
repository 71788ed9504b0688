/// Turns a message into the bytes of a frame's payload.
public protocol MessageSerializer<Message>: Sendable {
    associatedtype Message
    func serialize(_ message: Message) throws -> [UInt8]
}

/// Turns a frame's payload back into a message.
public protocol MessageDeserializer<Message>: Sendable {
    associatedtype Message
    func deserialize(_ bytes: [UInt8]) throws -> Message
}
