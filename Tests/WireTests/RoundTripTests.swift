import Testing
import Wire

@Suite struct RoundTripTests {
    @Test func everyRegisteredMessageHasSamples() {
        let registered = Set(WireRegistry.allMessageTypes.map { $0.protoMessageName })
        let sampled = Set(generatedSampledTypes.map { $0.protoMessageName })
        #expect(registered == sampled)
        #expect(!registered.isEmpty)
    }

    @Test func registryFindsTypesByName() throws {
        for type in WireRegistry.allMessageTypes {
            let found = try #require(WireRegistry.messageType(named: type.protoMessageName))
            #expect(ObjectIdentifier(found) == ObjectIdentifier(type))
        }
        #expect(WireRegistry.messageType(named: "crm.rpc.v1.NoSuchMessage") == nil)
    }

    @Test(arguments: generatedSampledTypes.map(TypeArgument.init))
    func samplesRoundTrip(_ type: TypeArgument) throws {
        try roundTrip(type.type)
    }

    private func roundTrip<M: WireSampled>(_: M.Type) throws {
        let samples = M.wireSamples
        #expect(!samples.isEmpty)
        for sample in samples {
            let bytes = try sample.serializedBytes()
            if sample != M() {
                #expect(!bytes.isEmpty, "\(M.protoMessageName) with fields set encodes to nothing")
            }
            #expect(try M(serializedBytes: bytes) == sample)
            // Contiguous slices take the zero-copy path, other collections the copying one.
            #expect(try M(serializedBytes: bytes[...]) == sample)
            #expect(try M(serializedBytes: AnyCollection(bytes)) == sample)
        }
        #expect(Set(try samples.map { try $0.serializedBytes() }).count == samples.count, "oneof samples should differ")
    }

    @Test func emptyInputDecodesToTheDefault() throws {
        for type in generatedSampledTypes {
            try decodesEmpty(type)
        }
    }

    private func decodesEmpty<M: WireSampled>(_: M.Type) throws {
        #expect(try M(serializedBytes: [UInt8]()) == M())
        #expect(try M().serializedBytes().isEmpty)
    }

    @Test func bytesMatchTheProtobufEncoding() throws {
        var frame = RPCV1.Frame(callID: 1)
        frame.request = RPCV1.Request(method: "a")
        // field 1 varint 1; field 2 length 3 { field 1 length 1 "a" }
        #expect(try frame.serializedBytes() == [0x08, 0x01, 0x12, 0x03, 0x0A, 0x01, 0x61])
    }

    @Test func anEmptyOneofMessageStillSelectsItsCase() throws {
        let frame = RPCV1.Frame(callID: 7, kind: .cancel(RPCV1.Cancel()))
        let decoded = try RPCV1.Frame(serializedBytes: frame.serializedBytes())
        #expect(decoded.kind == RPCV1.Frame.Kind.cancel(RPCV1.Cancel()))
    }

    @Test func largePayloadsOutgrowTheScratchBuffer() throws {
        let payload = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        var request = RPCV1.Request(method: "crm.rpc.v1.Echo/Echo", payload: payload)
        request.metadata = (0..<200).map { RPCV1.MetadataEntry(key: "k\($0)", value: String(repeating: "значение", count: $0)) }
        let decoded = try RPCV1.Request(serializedBytes: request.serializedBytes())
        #expect(decoded == request)
    }
}

/// A metatype as a test argument (metatypes are not CustomStringConvertible).
struct TypeArgument: Sendable, CustomTestStringConvertible {
    let type: any WireSampled.Type
    var testDescription: String { type.protoMessageName }
}
