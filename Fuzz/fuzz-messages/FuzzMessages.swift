// libFuzzer target: arbitrary bytes as the payload of every request and response message
// of the API, through protobuf-c's unpack and the Swift conversion, as a server (requests)
// or a client (answers) decodes them. It must never crash, and whatever decodes must encode
// and decode again to the same value.
import CRMAPI
import Wire

/// Every message a method takes or returns, in catalog order (the seed corpus names a type by
/// its position here: the input's first byte).
let messageTypes: [any WireMessage.Type] = {
    var seen = Set<String>()
    var types: [any WireMessage.Type] = []
    for entry in APICatalog.methods {
        for type in [entry.input, entry.output] where seen.insert(type.protoMessageName).inserted {
            types.append(type)
        }
    }
    types.append(RPCV1.Frame.self)
    return types
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMessages(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: start, count: count)
    guard let first = input.first else { return 0 }
    roundTrip(messageTypes[Int(first) % messageTypes.count], Array(input.dropFirst()))
    return 0
}

func roundTrip(_ type: any WireMessage.Type, _ bytes: [UInt8]) {
    guard let message = try? type.init(serializedBytes: bytes) else { return }
    checkRoundTrip(message)
}

func checkRoundTrip<M: WireMessage>(_ message: M) {
    // Decoding refuses what encoding would (a string holding NUL), so a decoded message encodes.
    let encoded: [UInt8]
    do {
        encoded = try message.serializedBytes()
    } catch {
        fatalError("\(M.protoMessageName): a decoded message does not encode: \(error)")
    }
    let again: M
    do {
        again = try M(serializedBytes: encoded)
    } catch {
        fatalError("\(M.protoMessageName): its own encoding does not decode: \(error)")
    }
    precondition(again == message, "\(M.protoMessageName): a decoded message changes when encoded and decoded again")
}
