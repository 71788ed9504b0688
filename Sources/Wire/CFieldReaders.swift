internal import CProtobufC

// Reading protobuf-c's unpacked fields into Swift values.

/// Invalid UTF-8 (protobuf-c does not check) is repaired with U+FFFD, never trusted.
@inline(__always)
func wireString(_ p: UnsafeMutablePointer<CChar>?) -> String {
    guard let p, p.pointee != 0 else { return "" }
    return String(cString: p)
}

@inline(__always)
func wireBytes(_ data: ProtobufCBinaryData) -> [UInt8] {
    guard data.len > 0, let p = data.data else { return [] }
    return Array(UnsafeBufferPointer(start: p, count: data.len))
}

func wireScalars<T>(_ count: Int, _ p: UnsafeMutablePointer<T>?) -> [T] {
    guard count > 0, let p else { return [] }
    return Array(UnsafeBufferPointer(start: p, count: count))
}

func wireMapped<C, T>(_ count: Int, _ p: UnsafeMutablePointer<C>?, _ transform: (C) -> T) -> [T] {
    guard count > 0, let p else { return [] }
    var result: [T] = []
    result.reserveCapacity(count)
    for i in 0..<count {
        result.append(transform(p[i]))
    }
    return result
}

func wireMessages<M: CMessageBridge>(_ count: Int, _ p: UnsafeMutablePointer<UnsafeMutablePointer<M.CStruct>?>?) -> [M] {
    guard count > 0, let p else { return [] }
    var result: [M] = []
    result.reserveCapacity(count)
    for i in 0..<count {
        result.append(M(c: p[i]!))
    }
    return result
}
