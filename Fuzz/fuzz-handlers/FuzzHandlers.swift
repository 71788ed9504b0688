// libFuzzer target: arbitrary request bytes to every method of the three services (real
// handlers, in-memory stores, the real auth interceptor), as a signed-in operator of a role
// the input picks. A handler must never crash, and bad input must get a status that names
// the problem: UNKNOWN, INTERNAL or DATA_LOSS is a bug.
import Auth
import ClientRegistry
import ContactOutcome
import CRMAPI
import Dispatch
import RPCCore
import RPCTransportInProcess
import Scheduling
import Wire

let secret = "fuzz-handlers-secret-0123456789ab"
let signer = try! SessionTokenSigner(secret: secret, lifetime: .seconds(10 * 365 * 86_400))
let tokens: [String] = Role.allCases.map {
    signer.sign(signer.claims(operatorID: 1, login: "fuzz.\($0.rawValue.lowercased())", role: $0, fullName: "Фаззов Фазз", nowMs: SystemClockMs.now()))
}
let methods = APICatalog.methods.filter { !$0.descriptor.fullName.hasPrefix("crm.rpc.v1.Echo/") }

/// A fresh set of services (in-memory stores) every so many inputs, so memory stays bounded.
final class Services: @unchecked Sendable {
    private var server: RPCServer?
    private var served = 0

    func current() -> RPCServer {
        if let server, served < 5_000 {
            served += 1
            return server
        }
        let registry = RegistryEnvironment(store: try! RegistryStore.inMemory())
        let scheduling = SchedulingEnvironment(store: try! SQLiteSchedulingStore.inMemory())
        let services: [any RegistrableRPCService] = [
            ClientRegistryService(environment: registry),
            AuthService(environment: registry, signer: signer, codeSender: DatabaseLoginCodeOutbox(writer: registry.store.writer)),
            OperatorsService(environment: registry),
            OfficesService(environment: scheduling),
            SmsService(environment: scheduling),
        ] + ContactsServices.all(ContactsEnvironment(store: try! ContactsStore.inMemory()))
        let fresh = RPCServer(
            transport: InProcessTransport().server, services: BuiltinServices.adding(to: services),
            interceptors: [AuthInterceptor(signer: signer)]
        )
        server = fresh
        served = 1
        return fresh
    }
}

let services = Services()
final class Answer: @unchecked Sendable { var parts: RPCResponseParts? }
nonisolated(unsafe) var sequence = 0  // libFuzzer calls one input at a time

/// An input is up to four calls, each `method role mutation length(2 bytes, little-endian)
/// payload`: the method in catalog order (Echo left out), the role in `Role.allCases` order
/// (its high bit: reuse one idempotency key), the mutation steering one integer field to an
/// extreme (IntegerExtremes.swift), then the request. A string field "$1" in a later call
/// becomes the first record id the previous call answered (a session opened, then used).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHandlers(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let input = UnsafeBufferPointer(start: start.assumingMemoryBound(to: UInt8.self), count: count)
    var previous: [UInt8]?
    for at in callOffsets(input) {
        let method = methods[Int(input[at]) % methods.count]
        let role = input[at + 1]
        let mutation = input[at + 2]
        let length = min(Int(input[at + 3]) | Int(input[at + 4]) << 8, input.count - at - 5)
        var payload = Array(input[(at + 5)..<(at + 5 + length)])
        if let previous, var fields = WireTree.parse(payload[...]) {
            WireTree.substitute(&fields, marker: Array("$1".utf8), with: previous)
            payload = WireTree.encode(fields)
        }
        payload = steer(payload, mutation: mutation)
        previous = call(method, role: role, payload: payload).flatMap { firstRecordID(in: $0) }
    }
    return 0
}

/// One call through the server; the answer's payload, nil for an error.
func call(_ method: APICatalog.Entry, role: UInt8, payload: [UInt8]) -> [UInt8]? {
    var metadata = Metadata()
    metadata.bearerToken = tokens[Int(role & 0x7F) % tokens.count]
    // Half the calls repeat one key, so idempotent replays and key reuse are exercised too.
    sequence += 1
    metadata.idempotencyKey = role & 0x80 == 0 ? "key-\(sequence)" : "key-fixed"
    let request = RPCRequestParts(method: method.descriptor.fullName, metadata: metadata, payload: payload)
    let server = services.current()
    let answer = Answer()
    let done = DispatchSemaphore(value: 0)
    Task {
        answer.parts = await server.handle(request, info: ServerCallInfo(deadline: ContinuousClock.now + .seconds(10), peer: "fuzz"))
        done.signal()
    }
    done.wait()
    switch answer.parts?.result {
    case .failure(let error)? where [.unknown, .internal, .dataLoss].contains(error.code):
        fatalError("\(method.descriptor.fullName) answered \(error.code): \(error.message)")
    case .success(let bytes)?:
        return bytes
    default:
        return nil
    }
}
