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

    @Test(arguments: [
        ("X-Trace", "x-trace"), ("request-id", "request-id"), ("ÄBC", "äbc"), ("MiXeD-Ключ", "mixed-ключ"),
    ])
    func keysAreComparedLowercased(written: String, stored: String) {
        var metadata = Metadata()
        metadata.add(written, "v")
        #expect(metadata.entries.map(\.key) == [stored])
        #expect(metadata[written.uppercased()] == "v")
        #expect(metadata[stored] == "v")
        #expect(Metadata([(key: written, value: "w")])[stored] == "w")
    }

    @Test func generatedRequestIDsArePrefixDashBase36Counter() {
        let first = RequestID.generate(), second = RequestID.generate()
        let a = first.split(separator: "-"), b = second.split(separator: "-")
        #expect(a.count == 2 && b.count == 2)
        #expect(a[0] == b[0] && a[0].count == 8)
        // Other tests make ids in parallel: later, not necessarily next.
        #expect(UInt64(b[1], radix: 36)! > UInt64(a[1], radix: 36)!)
        #expect(!a[1].hasPrefix("0"))
        let base36 = Set("0123456789abcdefghijklmnopqrstuvwxyz")
        #expect(first.allSatisfy { base36.contains($0) || $0 == "-" })
        // Short enough to live inside the String value: no allocation per call at either end.
        #expect(first.utf8.count <= 15)
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
