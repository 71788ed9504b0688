import NIOCore
@testable import RPCTransportTCP
import Testing
import Wire

@Suite struct OutboundFramesTests {
    private let allocator = ByteBufferAllocator()

    private func request(_ id: UInt64, payload: [UInt8] = [1, 2, 3], metadata: [(String, String)] = []) -> RPCV1.Frame {
        var request = RPCV1.Request()
        request.method = "crm.rpc.v1.Echo/Echo"
        request.payload = payload
        request.metadata = metadata.map { RPCV1.MetadataEntry(key: $0.0, value: $0.1) }
        return RPCV1.Frame(callID: id, kind: .request(request))
    }

    private func taken(_ outbound: inout OutboundFrames) throws -> ByteBuffer {
        let batch = outbound.take()
        return try #require(batch)
    }

    /// Splits a batch at its length prefixes and decodes each frame.
    private func frames(in batch: ByteBuffer) throws -> [RPCV1.Frame] {
        var batch = batch
        var frames: [RPCV1.Frame] = []
        while let length = batch.readInteger(endianness: .big, as: UInt32.self) {
            let slice = batch.readSlice(length: Int(length))
            let body = try #require(slice)
            frames.append(try RPCV1.Frame(body: body))
        }
        #expect(batch.readableBytes == 0)
        return frames
    }

    @Test(arguments: [1, 2, 64])
    func framesGoOutBackToBackInTheOrderWritten(count: Int) throws {
        var outbound = OutboundFrames()
        let written = (1...count).map { request(UInt64($0), payload: Array(repeating: UInt8($0), count: $0 * 3)) }
        for frame in written { try outbound.append(frame, allocator: allocator) }
        let batch = try taken(&outbound)
        #expect(try frames(in: batch) == written)
        #expect(outbound.isEmpty)
        let none = outbound.take()
        #expect(none == nil)
    }

    /// A frame that cannot be encoded (a NUL in a metadata value) is refused whole, and the
    /// frames before it still go out untouched.
    @Test func aFrameThatCannotBeEncodedLeavesTheBatchAsItWas() throws {
        var outbound = OutboundFrames()
        try outbound.append(request(1), allocator: allocator)
        #expect(throws: WireError.self) {
            try outbound.append(request(2, metadata: [("note", "a\u{0}b")]), allocator: allocator)
        }
        try outbound.append(request(3), allocator: allocator)
        let batch = try taken(&outbound)
        #expect(try frames(in: batch).map(\.callID) == [1, 3])

        #expect(throws: WireError.self) {
            try outbound.append(request(4, metadata: [("note", "\u{0}")]), allocator: allocator)
        }
        #expect(outbound.isEmpty, "a refused first frame leaves no empty batch behind")
    }

    /// Under a steady load a batch starts as large as the last one, so packing into it does
    /// not grow it (a copy of every frame so far); within bounds, so one burst of large
    /// answers does not make every later batch hold on to that much memory.
    @Test(arguments: [100, 5_000, 200_000])
    func theNextBatchStartsAtTheLastOnesSize(lastBatchBytes: Int) throws {
        var outbound = OutboundFrames()
        let frame = request(1, payload: Array(repeating: 7, count: 90))
        try outbound.append(frame, allocator: allocator)
        let single = try taken(&outbound).readableBytes
        for _ in 0..<max(1, lastBatchBytes / single) { try outbound.append(frame, allocator: allocator) }
        let last = try taken(&outbound).readableBytes

        try outbound.append(request(2), allocator: allocator)
        let next = try taken(&outbound).capacity
        let bounded = min(OutboundFrames.maximumCapacity, max(OutboundFrames.minimumCapacity, last))
        #expect(next >= bounded)
        #expect(next <= 2 * bounded)
    }
}
