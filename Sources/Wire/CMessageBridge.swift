internal import CProtobufC

/// What a generated message knows about its protoc-c struct. Internal: nothing outside
/// Wire sees C types.
protocol CMessageBridge: WireMessage {
    associatedtype CStruct
    /// The address protobuf-c's own `*__init` stores, so unpack/free_unpacked agree on it
    /// (an imported C `const` global's address cannot be taken from Swift directly).
    static var cDescriptor: UnsafePointer<ProtobufCMessageDescriptor> { get }
    /// A struct set up by the generated `*__init`.
    static func cEmpty() -> CStruct
    /// Throws, naming the field, for a string that held U+0000 on the wire.
    init(c: UnsafePointer<CStruct>) throws(WireError)
    /// Points the struct's fields at copies of this value's data, all owned by `arena`;
    /// throws, naming the field, for a string holding U+0000.
    func fill(_ c: inout CStruct, in arena: inout WireArena) throws(WireError)
}

extension CMessageBridge {
    static func descriptorOfEmptyC() -> UnsafePointer<ProtobufCMessageDescriptor> {
        var c = cEmpty()
        return withUnsafePointer(to: &c) {
            UnsafeRawPointer($0).assumingMemoryBound(to: ProtobufCMessage.self).pointee.descriptor
        }
    }
}

/// Stack scratch for the arena; big enough for a typical RPC frame's C tree.
private let scratchBytes = 1024

func wireEncode<M: CMessageBridge>(_ message: M) throws(WireError) -> [UInt8] {
    try wirePack(message) { size, pack in
        [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            count = size == 0 ? 0 : pack(UnsafeMutableRawBufferPointer(buffer))
        }
    }
}

/// Fills the C tree once, tells `body` the packed size, and lets it pack into memory of its
/// own: a transport writes the frame straight into its send buffer, with no array between.
/// `pack` needs at least `size` bytes and returns the count it wrote.
func wirePack<M: CMessageBridge, R>(
    _ message: M,
    _ body: (_ size: Int, _ pack: (UnsafeMutableRawBufferPointer) -> Int) -> R
) throws(WireError) -> R {
    let packed = withUnsafeTemporaryAllocation(byteCount: scratchBytes, alignment: 16) { scratch -> Result<R, WireError> in
        var arena = WireArena(scratch: scratch)
        var c = M.cEmpty()
        do throws(WireError) {
            try message.fill(&c, in: &arena)
        } catch {
            arena.release()
            return .failure(error)
        }
        let result = withUnsafePointer(to: &c) { p -> R in
            let base = UnsafeRawPointer(p).assumingMemoryBound(to: ProtobufCMessage.self)
            let size = protobuf_c_message_get_packed_size(base)
            return body(size) { out in
                precondition(out.count >= size, "pack needs \(size) bytes, got \(out.count)")
                return size == 0 ? 0 : protobuf_c_message_pack(base, out.baseAddress!.assumingMemoryBound(to: UInt8.self))
            }
        }
        arena.release()
        return .success(result)
    }
    return try packed.get()
}

func wireDecode<M: CMessageBridge, Bytes: Collection>(_ bytes: Bytes) throws(WireError) -> M
where Bytes.Element == UInt8 {
    if bytes.isEmpty { return M() }
    let result =
        bytes.withContiguousStorageIfAvailable { wireDecode(M.self, $0) }
        ?? Array(bytes).withUnsafeBufferPointer { wireDecode(M.self, $0) }
    return try result.get()
}

private func wireDecode<M: CMessageBridge>(_: M.Type, _ bytes: UnsafeBufferPointer<UInt8>) -> Result<M, WireError> {
    withUnsafeTemporaryAllocation(byteCount: scratchBytes, alignment: 16) { scratch in
        var arena = WireArena(scratch: scratch)
        let result = withUnsafeMutablePointer(to: &arena) { arenaPointer -> Result<M, WireError> in
            // Everything protobuf-c allocates lands in the arena; dropping the arena
            // replaces protobuf_c_message_free_unpacked.
            var allocator = ProtobufCAllocator(
                alloc: { data, size in
                    data!.assumingMemoryBound(to: WireArena.self).pointee.allocateForUnpack(byteCount: size)
                },
                free: { _, _ in },
                allocator_data: UnsafeMutableRawPointer(arenaPointer)
            )
            guard let unpacked = protobuf_c_message_unpack(M.cDescriptor, &allocator, bytes.count, bytes.baseAddress) else {
                return .failure(.malformed(M.protoMessageName, byteCount: bytes.count))
            }
            return Result { () throws(WireError) -> M in try M(c: UnsafeRawPointer(unpacked).assumingMemoryBound(to: M.CStruct.self)) }
        }
        arena.release()
        return result
    }
}
