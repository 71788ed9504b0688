import Foundation
import Testing
import Wire

@Suite struct JSONTests {
    @Test func samplesRoundTripThroughJSON() throws {
        for type in generatedSampledTypes {
            try jsonRoundTrip(type)
        }
    }

    private func jsonRoundTrip<M: WireSampled>(_: M.Type) throws {
        for sample in M.wireSamples {
            let json = try JSONEncoder().encode(sample)
            let decoded = try JSONDecoder().decode(M.self, from: json)
            #expect(decoded == sample, "\(M.protoMessageName): \(String(decoding: json, as: UTF8.self))")
        }
    }

    @Test func anEmptyObjectDecodesToTheDefault() throws {
        for type in generatedSampledTypes {
            try decodeEmptyObject(type)
        }
    }

    private func decodeEmptyObject<M: WireSampled>(_: M.Type) throws {
        #expect(try JSONDecoder().decode(M.self, from: Data("{}".utf8)) == M())
    }

    @Test func missingKeysKeepTheirDefaults() throws {
        let json = #"{"method": "crm.rpc.v1.Echo/Echo", "metadata": [{"key": "k"}]}"#
        let request = try JSONDecoder().decode(RPCV1.Request.self, from: Data(json.utf8))
        #expect(request == RPCV1.Request(method: "crm.rpc.v1.Echo/Echo", metadata: [.init(key: "k")]))
    }

    @Test func enumsAreProtoNamesAndBytesBase64() throws {
        let status = RPCV1.Status(code: .notFound, message: "нет")
        let json = String(decoding: try JSONEncoder().encode(status), as: UTF8.self)
        #expect(json.contains(#""code":"STATUS_CODE_NOT_FOUND""#))

        let echo = RPCV1.EchoMessage(payload: [1, 2, 3, 250])
        let echoJSON = String(decoding: try JSONEncoder().encode(echo), as: UTF8.self)
        #expect(echoJSON == #"{"payload":"AQID+g=="}"#)
        #expect(try JSONDecoder().decode(RPCV1.EchoMessage.self, from: Data(#"{"payload":"AQID-g"}"#.utf8)) == echo)
    }

    @Test func enumsAcceptNumbers() throws {
        let status = try JSONDecoder().decode(RPCV1.Status.self, from: Data(#"{"code": 5}"#.utf8))
        #expect(status.code == .notFound)
        let unknown = try JSONDecoder().decode(RPCV1.Status.self, from: Data(#"{"code": 77}"#.utf8))
        #expect(unknown.code == .unrecognized(77))
        let back = String(decoding: try JSONEncoder().encode(unknown), as: UTF8.self)
        #expect(back.contains(#""code":77"#))
    }

    @Test func oneofsAppearAsTheirCaseField() throws {
        let frame = RPCV1.Frame(callID: 3, kind: .goAway(RPCV1.GoAway(reason: "drain")))
        let json = try JSONEncoder().encode(frame)
        let object = try JSONSerialization.jsonObject(with: json) as? [String: Any]
        #expect(object?["goAway"] != nil)
        #expect(try JSONDecoder().decode(RPCV1.Frame.self, from: json) == frame)
    }

    @Test func badBase64IsADecodingError() {
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(RPCV1.EchoMessage.self, from: Data(#"{"payload":"!!"}"#.utf8))
        }
    }
}
