import Testing
import Wire

@Suite struct MalformedInputTests {
    @Test(arguments: [
        [0xFF, 0xFF, 0xFF],  // a varint that never ends
        [0x12, 0x05, 0x0A],  // a length running past the end
        [0x0F],  // wire type 7 does not exist
        [0x12, 0x02, 0x0A, 0x7F],  // the nested message's length runs past its own end
    ] as [[UInt8]])
    func malformedBytesThrowWireError(_ bytes: [UInt8]) {
        #expect(throws: WireError.self) { try RPCV1.Frame(serializedBytes: bytes) }
    }

    @Test func truncatedSamplesThrowOrDecodeButNeverCrash() throws {
        for type in generatedSampledTypes {
            try truncate(type)
        }
    }

    private func truncate<M: WireSampled>(_: M.Type) throws {
        for sample in M.wireSamples {
            let bytes = try sample.serializedBytes()
            for end in stride(from: 0, to: bytes.count, by: max(1, bytes.count / 16)) {
                _ = try? M(serializedBytes: bytes[..<end])
            }
        }
        #expect(throws: WireError.self) { try M(serializedBytes: [0x0F]) }
    }

    @Test func unknownEnumNumbersSurviveAsUnrecognized() throws {
        // Status.code (field 1, varint) = 99
        let status = try RPCV1.Status(serializedBytes: [0x08, 99])
        #expect(status.code == .unrecognized(99))
        #expect(status.code.rawValue == 99)
        #expect(try status.serializedBytes() == [0x08, 99])

        let negative = RPCV1.Status(code: .unrecognized(-5))
        #expect(try RPCV1.Status(serializedBytes: negative.serializedBytes()).code == .unrecognized(-5))
    }

    @Test func enumRawValuesMapToCases() {
        #expect(RPCV1.StatusCode(rawValue: 5) == .notFound)
        #expect(RPCV1.StatusCode(rawValue: 13) == .internal)
        #expect(RPCV1.StatusCode.invalidArgument.protoName == "STATUS_CODE_INVALID_ARGUMENT")
        #expect(RPCV1.StatusCode(protoName: "STATUS_CODE_UNAUTHENTICATED") == .unauthenticated)
        #expect(RPCV1.StatusCode() == .ok)
        #expect(!RPCV1.StatusCode.allCases.contains(.unrecognized(99)))
    }

    @Test func unknownFieldsAreSkipped() throws {
        // field 15 (varint) = 1, then GoAway.reason = "x"
        let goAway = try RPCV1.GoAway(serializedBytes: [0x78, 0x01, 0x0A, 0x01, 0x78])
        #expect(goAway.reason == "x")
    }

    @Test func invalidUTF8IsRepairedNotTrusted() throws {
        // GoAway.reason = bytes C3 28 (an invalid two-byte sequence)
        let goAway = try RPCV1.GoAway(serializedBytes: [0x0A, 0x02, 0xC3, 0x28])
        #expect(goAway.reason == "\u{FFFD}(")
    }
}
