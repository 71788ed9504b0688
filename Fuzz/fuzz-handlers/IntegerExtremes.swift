// Steers a request's integer fields to the ends of their types. libFuzzer's byte mutations
// rarely turn a valid varint into 2^63−1 inside a valid message; here one input byte names
// an integer field (depth first, nested messages included) and a value from `extremes`, and
// the message is re-encoded around it, so the overflow class (issue 22) is a mutation away.

/// The values a bound or an overflow is likeliest to break at.
let extremes: [UInt64] = [
    0, UInt64(bitPattern: -1), 1 << 31, UInt64(bitPattern: -(1 << 31)), (1 << 31) - 1,
    UInt64(bitPattern: -(1 << 31) - 1), UInt64(Int64.max), UInt64(bitPattern: Int64.min),
]

/// A protobuf message as a tree: enough to find varints and re-encode with new lengths.
indirect enum WireField {
    case varint(UInt64, UInt64)  // key, value
    case fixed64(UInt64, [UInt8])
    case fixed32(UInt64, [UInt8])
    case bytes(UInt64, [UInt8])
    case message(UInt64, [WireField])
}

enum WireTree {
    /// Nil when the bytes are not a well-formed message (then they are a string or bytes).
    static func parse(_ bytes: ArraySlice<UInt8>, depth: Int = 0) -> [WireField]? {
        var fields: [WireField] = []
        var at = bytes.startIndex
        func varint() -> UInt64? {
            var value: UInt64 = 0
            var shift: UInt64 = 0
            while at < bytes.endIndex, shift < 64 {
                let byte = bytes[at]
                at += 1
                value |= UInt64(byte & 0x7F) << shift
                if byte & 0x80 == 0 { return value }
                shift += 7
            }
            return nil
        }
        while at < bytes.endIndex {
            guard let key = varint(), key >> 3 != 0 else { return nil }
            switch key & 7 {
            case 0:
                guard let value = varint() else { return nil }
                fields.append(.varint(key, value))
            case 1:
                guard bytes.endIndex - at >= 8 else { return nil }
                fields.append(.fixed64(key, Array(bytes[at..<at + 8])))
                at += 8
            case 5:
                guard bytes.endIndex - at >= 4 else { return nil }
                fields.append(.fixed32(key, Array(bytes[at..<at + 4])))
                at += 4
            case 2:
                guard let length = varint(), length <= UInt64(bytes.endIndex - at) else { return nil }
                let body = bytes[at..<at + Int(length)]
                at += Int(length)
                if depth < 8, !body.isEmpty, let nested = parse(body, depth: depth + 1) {
                    fields.append(.message(key, nested))
                } else {
                    fields.append(.bytes(key, Array(body)))
                }
            default:
                return nil
            }
        }
        return fields
    }

    static func encode(_ fields: [WireField]) -> [UInt8] {
        var out: [UInt8] = []
        func varint(_ value: UInt64) {
            var rest = value
            while rest >= 0x80 {
                out.append(UInt8(rest & 0x7F) | 0x80)
                rest >>= 7
            }
            out.append(UInt8(rest))
        }
        for field in fields {
            switch field {
            case .varint(let key, let value): varint(key); varint(value)
            case .fixed64(let key, let body), .fixed32(let key, let body): varint(key); out += body
            case .bytes(let key, let body): varint(key); varint(UInt64(body.count)); out += body
            case .message(let key, let nested):
                let body = encode(nested)
                varint(key); varint(UInt64(body.count)); out += body
            }
        }
        return out
    }

    /// Replaces the `index`th varint (depth first) with `value`; false when there are fewer.
    static func replaceVarint(_ fields: inout [WireField], index: inout Int, with value: UInt64) -> Bool {
        for position in fields.indices {
            switch fields[position] {
            case .varint(let key, _):
                if index == 0 {
                    fields[position] = .varint(key, value)
                    return true
                }
                index -= 1
            case .message(let key, var nested):
                if replaceVarint(&nested, index: &index, with: value) {
                    fields[position] = .message(key, nested)
                    return true
                }
            default:
                break
            }
        }
        return false
    }

    /// Replaces each length-delimited field holding exactly `marker` with `replacement`.
    static func substitute(_ fields: inout [WireField], marker: [UInt8], with replacement: [UInt8]) {
        for position in fields.indices {
            switch fields[position] {
            case .bytes(let key, let body) where body == marker:
                fields[position] = .bytes(key, replacement)
            case .message(let key, var nested):
                substitute(&nested, marker: marker, with: replacement)
                fields[position] = .message(key, nested)
            default:
                break
            }
        }
    }
}

/// The input's `mutation` byte: 0 leaves the request alone; otherwise it picks a varint
/// (((m − 1) / extremes.count) modulo the request's varints, so most bytes hit one) and the
/// value ((m − 1) % extremes.count).
func steer(_ payload: [UInt8], mutation: UInt8) -> [UInt8] {
    guard mutation != 0, var fields = WireTree.parse(payload[...]) else { return payload }
    let count = WireTree.varintCount(fields)
    guard count > 0 else { return payload }
    let target = (Int(mutation - 1) / extremes.count) % count
    // A field already holding more than 32 bits (an instant in ms, a big id) is an int64:
    // only the 64-bit ends are news there.
    let wide = WireTree.varint(fields, at: target).map { $0 > UInt64(UInt32.max) && $0 < 1 << 63 } ?? false
    let choices = wide ? wideExtremes : extremes
    var index = target
    let value = choices[Int(mutation - 1) % choices.count]
    return WireTree.replaceVarint(&fields, index: &index, with: value) ? WireTree.encode(fields) : payload
}

let wideExtremes: [UInt64] = [UInt64(Int64.max), UInt64(bitPattern: Int64.min), UInt64(bitPattern: -1), 0]

extension WireTree {
    /// The `index`th varint's value (depth first).
    static func varint(_ fields: [WireField], at index: Int) -> UInt64? {
        var left = index
        func find(_ fields: [WireField]) -> UInt64? {
            for field in fields {
                switch field {
                case .varint(_, let value):
                    if left == 0 { return value }
                    left -= 1
                case .message(_, let nested):
                    if let found = find(nested) { return found }
                default:
                    break
                }
            }
            return nil
        }
        return find(fields)
    }

    static func varintCount(_ fields: [WireField]) -> Int {
        fields.reduce(0) { count, field in
            switch field {
            case .varint: count + 1
            case .message(_, let nested): count + varintCount(nested)
            default: count
            }
        }
    }
}

/// Where each call of an input starts (the layout FuzzHandlers.swift reads).
func callOffsets(_ input: UnsafeBufferPointer<UInt8>) -> [Int] {
    var offsets: [Int] = []
    var at = 0
    while offsets.count < 4, input.count - at >= 5 {
        offsets.append(at)
        at += 5 + min(Int(input[at + 3]) | Int(input[at + 4]) << 8, input.count - at - 5)
    }
    return offsets
}

@_silgen_name("LLVMFuzzerMutate")
func libFuzzerMutate(_ data: UnsafeMutablePointer<UInt8>, _ size: Int, _ maxSize: Int) -> Int

/// A third of the mutations are libFuzzer's own; the others set one call's mutation byte, so
/// an integer of a valid request reaches an extreme in a few dozen tries, not tens of thousands.
@_cdecl("LLVMFuzzerCustomMutator")
public func customMutator(_ data: UnsafeMutablePointer<UInt8>, _ size: Int, _ maxSize: Int, _ seed: UInt32) -> Int {
    var random = SplitMix(seed)
    let offsets = callOffsets(UnsafeBufferPointer(start: data, count: size))
    guard !offsets.isEmpty, random.next() % 3 != 0 else { return libFuzzerMutate(data, size, maxSize) }
    let call = offsets[Int(random.next() % UInt64(offsets.count))]
    data[call + 2] = UInt8(1 + random.next() % 255)
    return size
}

struct SplitMix {
    var state: UInt64
    init(_ seed: UInt32) { state = UInt64(seed) &* 0x9E37_79B9_7F4A_7C15 }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The first record id (a UUID in text, as `RecordID` makes them) in a response, for a later
/// call of the same input that names it with the marker "$1" (a session opened, then used).
func firstRecordID(in bytes: [UInt8]) -> [UInt8]? {
    guard bytes.count >= 36 else { return nil }
    let dashes: Set<Int> = [8, 13, 18, 23]
    func isHex(_ byte: UInt8) -> Bool { (0x30...0x39).contains(byte) || (0x61...0x66).contains(byte) }
    for start in 0...(bytes.count - 36) {
        var matches = true
        for offset in 0..<36 {
            let byte = bytes[start + offset]
            if dashes.contains(offset) ? byte != 0x2D : !isHex(byte) {
                matches = false
                break
            }
        }
        if matches { return Array(bytes[start..<start + 36]) }
    }
    return nil
}
