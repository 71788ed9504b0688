import Auth
import CRMAPI
import CRMDomain
import Foundation
import RPCCore
import RPCTesting
import Testing
import Wire
import TestSupport

/// Every method of the three services, from the generated catalog (a new method is covered
/// the day it is generated), holds its request to `FieldBounds` (docs/API.md «Limits»).
@Suite("Every method bounds its request")
struct EveryMethodBoundsTests {
    static var methods: [APICatalog.Entry] {
        APICatalog.methods.filter { !$0.descriptor.fullName.hasPrefix("crm.rpc.v1.") }
    }

    /// A 201-character idempotency key reaches the bound before anything else, so each method
    /// answering INVALID_ARGUMENT `idempotency-key` to some role shows its handler checks.
    @Test func everyMethodRefusesAnOverlongIdempotencyKey() async throws {
        let services = try AllServices()
        let key = String(repeating: "k", count: FieldBounds.maxIdempotencyKeyLength + 1)
        var refused = 0
        try await services.run { client in
            for entry in Self.methods {
                let method = entry.descriptor.fullName
                let payload = try entry.input.init().serializedBytes()
                var named = false
                for role in Role.allCases {
                    let error = await rpcError {
                        _ = try await client.unary(RPCRequestParts(method: method, metadata: services.metadata(role, key: key), payload: payload))
                    }
                    #expect(error != nil, "\(method) as \(role) accepted a \(key.count)-character key")
                    if error?.code == .invalidArgument, error?.fieldViolations.map(\.field) == ["idempotency-key"] { named = true }
                }
                #expect(named, "\(method): no role got INVALID_ARGUMENT idempotency-key")
                if named { refused += 1 }
            }
        }
        print("bounds: \(refused) of \(Self.methods.count) methods refuse a \(key.count)-character idempotency key, naming it")
    }

    /// Each top-level string of each request, one at a time, one character over its bound.
    @Test func everyTopLevelStringIsBounded() async throws {
        let services = try AllServices()
        var checked = 0
        try await services.run { client in
            for entry in Self.methods {
                let method = entry.descriptor.fullName
                let empty = try JSONSerialization.jsonObject(with: JSONEncoder().encode(entry.input.init())) as? [String: Any] ?? [:]
                for (key, value) in empty.sorted(by: { $0.key < $1.key }) where value as? String == "" {  // enums encode as non-empty names
                    let field = Self.protoName(key)
                    let limit = FieldBounds.maxLengths[field] ?? FieldBounds.defaultMaxLength
                    var json = empty
                    json[key] = String(repeating: "ж", count: limit + 1)
                    let request = try JSONDecoder().decode(entry.input, from: JSONSerialization.data(withJSONObject: json))
                    var named = false
                    for role in Role.allCases {
                        let error = await rpcError {
                            _ = try await client.unary(RPCRequestParts(
                                method: method, metadata: services.metadata(role, key: "k-\(method)-\(field)"), payload: request.serializedBytes()
                            ))
                        }
                        #expect(error != nil, "\(method).\(field) as \(role): \(limit + 1) characters accepted")
                        if error?.code == .invalidArgument, error?.fieldViolations.map(\.field) == [field] { named = true }
                    }
                    #expect(named, "\(method): no role got INVALID_ARGUMENT \(field)")
                    checked += 1
                }
            }
        }
        print("bounds: \(checked) top-level string fields over \(Self.methods.count) methods refused one character over their bound")
    }

    static func protoName(_ json: String) -> String {
        json.reduce(into: "") { name, character in
            if character.isUppercase { name += "_" + character.lowercased() } else { name.append(character) }
        }
    }
}
