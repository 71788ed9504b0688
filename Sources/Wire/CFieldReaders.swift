internal import CProtobufC

// Reading protobuf-c's unpacked fields into Swift values.

/// A string protobuf-c unpacked. It copies the wire bytes whole into a block of length + 1
/// from our allocator (`WireArena.allocateForUnpack`) and adds a NUL; C code would see the
/// string end at an embedded U+0000, so a string shorter than its block is refused, naming
/// `field`, instead of read cut. Invalid UTF-8 (protobuf-c does not check) is repaired with
/// U+FFFD, never trusted.
@inline(__always)
func wireString(_ p: UnsafeMutablePointer<CChar>?, _ field: String) throws(WireError) -> String {
    // Absent fields keep protobuf-c's shared "", which no allocator made.
    guard let p, UnsafePointer(p) != cprotobufc_empty_string() else { return "" }
    let byteCount = UnsafeRawPointer(p).load(fromByteOffset: -WireArena.sizeHeader, as: Int.self) - 1
    let bytes = UnsafeRawBufferPointer(start: p, count: byteCount)
    if bytes.contains(0) { throw .nul(field: field) }
    return String(decoding: bytes, as: UTF8.self)
}

func wireStrings(_ count: Int, _ p: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, _ field: String) throws(WireError) -> [String] {
    guard count > 0, let p else { return [] }
    var result: [String] = []
    result.reserveCapacity(count)
    for i in 0..<count {
        result.append(try wireString(p[i], "\(field)[\(i)]"))
    }
    return result
}

func wireMessage<M: CMessageBridge>(_ p: UnsafePointer<M.CStruct>, _ field: String) throws(WireError) -> M {
    do throws(WireError) { return try M(c: p) } catch { throw error.within(field) }
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

func wireMessages<M: CMessageBridge>(_ count: Int, _ p: UnsafeMutablePointer<UnsafeMutablePointer<M.CStruct>?>?, _ field: String) throws(WireError) -> [M] {
    guard count > 0, let p else { return [] }
    var result: [M] = []
    result.reserveCapacity(count)
    for i in 0..<count {
        do throws(WireError) { result.append(try M(c: p[i]!)) } catch { throw error.within("\(field)[\(i)]") }
    }
    return result
}
