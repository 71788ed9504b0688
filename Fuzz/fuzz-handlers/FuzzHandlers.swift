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
        let scheduling = SchedulingEnvironment(store: try! SchedulingStore.inMemory())
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

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHandlers(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: start, count: count)
    guard input.count >= 2 else { return 0 }
    let method = methods[Int(input[0]) % methods.count]
    var metadata = Metadata()
    metadata.bearerToken = tokens[Int(input[1]) % tokens.count]
    // Half the inputs repeat one key, so idempotent replays and key reuse are exercised too.
    sequence += 1
    metadata.idempotencyKey = input[1] & 0x80 == 0 ? "key-\(sequence)" : "key-fixed"
    let request = RPCRequestParts(method: method.descriptor.fullName, metadata: metadata, payload: Array(input.dropFirst(2)))
    let server = services.current()
    let answer = Answer()
    let done = DispatchSemaphore(value: 0)
    Task {
        answer.parts = await server.handle(request, info: ServerCallInfo(deadline: ContinuousClock.now + .seconds(10), peer: "fuzz"))
        done.signal()
    }
    done.wait()
    if case .failure(let error)? = answer.parts?.result, [.unknown, .internal, .dataLoss].contains(error.code) {
        fatalError("\(method.descriptor.fullName) answered \(error.code): \(error.message)")
    }
    return 0
}
