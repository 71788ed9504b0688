import RPCCore
import Testing

@Suite struct StatusCodeTests {
    @Test func thereAreSeventeenCodesWithGRPCNumbers() {
        #expect(StatusCode.allCodes.count == 17)
        #expect(StatusCode.allCodes.map(\.rawValue) == Array(0...16))
        #expect(StatusCode.unauthenticated.rawValue == 16)
        #expect(StatusCode.resourceExhausted.rawValue == 8)
    }

    @Test(arguments: StatusCode.allCodes)
    func namesRoundTrip(code: StatusCode) {
        #expect(StatusCode(name: code.description) == code)
        #expect(StatusCode(rawValue: code.rawValue) == code)
    }

    @Test func numbersOutsideTheRangeAreNotCodes() {
        #expect(StatusCode(rawValue: 17) == nil)
        #expect(StatusCode(rawValue: -1) == nil)
    }
}

@Suite struct MetadataTests {
    @Test func keysIgnoreCaseAndKeepOrder() {
        var metadata: Metadata = ["B": "2", "a": "1"]
        metadata.add("b", "3")
        #expect(metadata.entries.map(\.key) == ["b", "a", "b"])
        #expect(metadata.values(forKey: "B") == ["2", "3"])
        metadata["b"] = "4"
        #expect(metadata.values(forKey: "b") == ["4"])
        metadata["a"] = nil
        #expect(metadata["a"] == nil)
    }

    @Test func bearerToken() {
        var metadata = Metadata()
        metadata.bearerToken = "abc.def"
        #expect(metadata["Authorization"] == "Bearer abc.def")
        #expect(metadata.bearerToken == "abc.def")
        #expect(Metadata(["authorization": "Basic x"].map { (key: $0.key, value: $0.value) }).bearerToken == nil)
    }

    @Test(arguments: [
        ("crm.registry.v1.ClientRegistry/SearchByPhone", "crm.registry.v1.ClientRegistry", "SearchByPhone"),
        ("a/b", "a", "b"),
    ])
    func methodNamesParse(full: String, service: String, method: String) {
        let descriptor = MethodDescriptor(fullName: full)
        #expect(descriptor == MethodDescriptor(service: service, method: method))
        #expect(descriptor?.fullName == full)
    }

    @Test(arguments: ["", "/", "noSlash", "svc/", "/m"])
    func malformedMethodNamesDoNotParse(full: String) {
        #expect(MethodDescriptor(fullName: full) == nil)
    }
}
