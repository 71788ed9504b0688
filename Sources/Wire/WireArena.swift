internal import CProtobufC

/// Owns every block of one encode or decode. Blocks come from a bump pointer: first in a
/// caller-given scratch buffer (on the stack), then in heap chunks freed all at once, so a
/// typical RPC message costs no malloc for its C tree.
struct WireArena: ~Copyable {
    private var cursor: UnsafeMutableRawPointer?
    private var end: UnsafeMutableRawPointer?
    /// Heap chunks, newest first; each starts with the address of the previous one.
    private var chunks: UnsafeMutableRawPointer?
    private var nextChunkSize = 4096

    private static let chunkHeader = 16

    init(scratch: UnsafeMutableRawBufferPointer) {
        cursor = scratch.baseAddress
        end = scratch.baseAddress.map { $0 + scratch.count }
    }

    deinit {
        Self.free(chunks)
    }

    /// Ends the arena's life at a point the caller chooses: after the C tree's last use.
    consuming func release() {
        Self.free(chunks)
        discard self
    }

    private static func free(_ head: UnsafeMutableRawPointer?) {
        var chunk = head
        while let current = chunk {
            chunk = current.load(as: UnsafeMutableRawPointer?.self)
            current.deallocate()
        }
    }

    mutating func allocate(byteCount: Int, alignment: Int) -> UnsafeMutableRawPointer {
        if let cursor, let end {
            let start = cursor.alignedUp(toMultipleOf: alignment)
            if end - start >= byteCount {
                self.cursor = start + byteCount
                return start
            }
        }
        return allocateInNewChunk(byteCount: byteCount, alignment: alignment)
    }

    private mutating func allocateInNewChunk(byteCount: Int, alignment: Int) -> UnsafeMutableRawPointer {
        let size = max(nextChunkSize, byteCount + Self.chunkHeader + alignment)
        nextChunkSize = min(nextChunkSize * 2, 1 << 20)
        let chunk = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
        chunk.storeBytes(of: chunks, as: UnsafeMutableRawPointer?.self)
        chunks = chunk
        let start = (chunk + Self.chunkHeader).alignedUp(toMultipleOf: alignment)
        cursor = start + byteCount
        end = chunk + size
        return start
    }

    /// What a block for protobuf-c's unpack is preceded by: its byte count, so a string
    /// protobuf-c copied (it allocates exactly the wire length + 1) can be checked for an
    /// embedded NUL that `strlen` would stop at (`wireString`).
    static let sizeHeader = 16

    mutating func allocateForUnpack(byteCount: Int) -> UnsafeMutableRawPointer {
        let block = allocate(byteCount: Self.sizeHeader + byteCount, alignment: 16)
        block.storeBytes(of: byteCount, as: Int.self)
        return block + Self.sizeHeader
    }

    mutating func allocate<T>(_: T.Type, count: Int) -> UnsafeMutablePointer<T> {
        allocate(byteCount: MemoryLayout<T>.stride * count, alignment: MemoryLayout<T>.alignment)
            .bindMemory(to: T.self, capacity: count)
    }

    // MARK: Swift values to C

    /// NUL-terminated, as protobuf-c reads strings with strlen: an embedded NUL would cut it
    /// silently, so it is refused, naming `field`.
    mutating func string(_ value: String, _ field: String) throws(WireError) -> UnsafeMutablePointer<CChar> {
        var value = value
        let p = value.withUTF8 { utf8 -> UnsafeMutablePointer<CChar>? in
            guard let source = utf8.baseAddress else {
                let p = allocate(CChar.self, count: 1)
                p[0] = 0
                return p
            }
            if utf8.contains(0) { return nil }
            let p = allocate(CChar.self, count: utf8.count + 1)
            UnsafeMutableRawPointer(p).copyMemory(from: source, byteCount: utf8.count)
            p[utf8.count] = 0
            return p
        }
        guard let p else { throw .nul(field: field) }
        return p
    }

    mutating func bytes(_ value: [UInt8]) -> ProtobufCBinaryData {
        guard !value.isEmpty else { return ProtobufCBinaryData(len: 0, data: nil) }
        let p = scalars(value)
        return ProtobufCBinaryData(len: value.count, data: p)
    }

    mutating func scalars<T>(_ values: [T]) -> UnsafeMutablePointer<T> {
        let p = allocate(T.self, count: values.count)
        values.withUnsafeBufferPointer { p.initialize(from: $0.baseAddress!, count: $0.count) }
        return p
    }

    mutating func mapped<S, T>(_ values: [S], _ transform: (S) -> T) -> UnsafeMutablePointer<T> {
        let p = allocate(T.self, count: values.count)
        for (i, value) in values.enumerated() {
            (p + i).initialize(to: transform(value))
        }
        return p
    }

    mutating func strings(_ values: [String], _ field: String) throws(WireError) -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?> {
        let p = allocate(UnsafeMutablePointer<CChar>?.self, count: values.count)
        for (i, value) in values.enumerated() {
            (p + i).initialize(to: nil)
            p[i] = try string(value, "\(field)[\(i)]")
        }
        return p
    }

    mutating func byteArrays(_ values: [[UInt8]]) -> UnsafeMutablePointer<ProtobufCBinaryData> {
        let p = allocate(ProtobufCBinaryData.self, count: values.count)
        for (i, value) in values.enumerated() {
            (p + i).initialize(to: bytes(value))
        }
        return p
    }

    mutating func message<M: CMessageBridge>(_ value: M, _ field: String) throws(WireError) -> UnsafeMutablePointer<M.CStruct> {
        let p = allocate(M.CStruct.self, count: 1)
        p.initialize(to: M.cEmpty())
        do throws(WireError) { try value.fill(&p.pointee, in: &self) } catch { throw error.within(field) }
        return p
    }

    mutating func messages<M: CMessageBridge>(_ values: [M], _ field: String) throws(WireError) -> UnsafeMutablePointer<UnsafeMutablePointer<M.CStruct>?> {
        let pointers = allocate(UnsafeMutablePointer<M.CStruct>?.self, count: values.count)
        let structs = allocate(M.CStruct.self, count: values.count)
        for (i, value) in values.enumerated() {
            let s = structs + i
            s.initialize(to: M.cEmpty())
            (pointers + i).initialize(to: s)
            do throws(WireError) { try value.fill(&s.pointee, in: &self) } catch { throw error.within("\(field)[\(i)]") }
        }
        return pointers
    }
}
