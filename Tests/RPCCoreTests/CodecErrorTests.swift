import RPCCore
import Testing

/// Strings with NUL refused by a codec (the wire codecs in CRMAPI do so): a request the
/// deserializer names a field of is INVALID_ARGUMENT naming it; an answer the serializer
/// refuses is INTERNAL, not the caller's fault; a client whose serializer refuses gets the
/// serializer's own error.
private struct NulRefusingCodec: MessageSerializer, MessageDeserializer {
    static func refuse(_ text: String) throws {
        if text.contains("\u{0}") { throw RPCError.invalidArgument(field: "note", "contains U+0000") }
    }

    func serialize(_ message: String) throws -> [UInt8] {
        try Self.refuse(message)
        return Array(message.utf8)
    }

    func deserialize(_ bytes: [UInt8]) throws -> String {
        let text = String(decoding: bytes, as: UTF8.self)
        try Self.refuse(text)
        return text
    }
}

private struct NulService: RegistrableRPCService {
    static let echo = MethodDescriptor(service: "test.v1.Nul", method: "Echo")
    static let answer = MethodDescriptor(service: "test.v1.Nul", method: "Answer")

    func registerMethods(with router: inout RPCRouter) {
        router.registerHandler(forMethod: Self.echo, inputType: "note", outputType: "note",
                               deserializer: NulRefusingCodec(), serializer: NulRefusingCodec()) { (request: String, _) in request }
        // Answers with a NUL whatever it is asked: an answer the wire cannot carry.
        router.registerHandler(forMethod: Self.answer, inputType: "note", outputType: "note",
                               deserializer: NulRefusingCodec(), serializer: NulRefusingCodec()) { (request: String, _) in request + "\u{0}" }
    }
}

@Suite struct CodecErrorTests {
    private func raw(_ client: RPCClient, _ method: MethodDescriptor, _ text: String) async throws -> [UInt8] {
        try await client.unary(RPCRequestParts(method: method.fullName, metadata: [:], payload: Array(text.utf8)))
    }

    @Test func aRequestTheDeserializerRefusesNamesTheField() async throws {
        try await withInProcessServer(services: [NulService()]) { client, _ in
            let error = await #expect(throws: RPCError.self) { _ = try await raw(client, NulService.echo, "a\u{0}b") }
            #expect(error?.code == .invalidArgument)
            #expect(error?.fieldViolations.map(\.field) == ["note"])
            let clean = try await raw(client, NulService.echo, "ab")
            #expect(clean == Array("ab".utf8))
        }
    }

    @Test func anAnswerTheSerializerRefusesIsInternal() async throws {
        try await withInProcessServer(services: [NulService()]) { client, _ in
            let error = await #expect(throws: RPCError.self) { _ = try await raw(client, NulService.answer, "ab") }
            #expect(error?.code == .internal)
            #expect(error?.fieldViolations.isEmpty == true)
        }
    }

    @Test func aClientSerializerRefusalIsPassedOnAsIs() async throws {
        try await withInProcessServer(services: [NulService()]) { client, _ in
            let error = await #expect(throws: RPCError.self) {
                _ = try await client.unary(request: "a\u{0}", descriptor: NulService.echo,
                                           serializer: NulRefusingCodec(), deserializer: NulRefusingCodec())
            }
            #expect(error?.code == .invalidArgument)
            #expect(error?.fieldViolations.map(\.field) == ["note"])
        }
    }
}
