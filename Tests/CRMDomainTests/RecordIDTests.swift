import CRMDomain
import Foundation
import Testing

/// A generator that returns a fixed sequence, so the random bits are known.
struct FixedGenerator: RandomNumberGenerator {
    var values: [UInt64]
    mutating func next() -> UInt64 { values.removeFirst() }
}

@Suite("Record ids (UUID version 7)")
struct RecordIDTests {
    @Test("the milliseconds, the version and the variant sit where RFC 9562 puts them")
    func layout() {
        var generator = FixedGenerator(values: [UInt64.max, UInt64.max])
        let id = RecordID.make(unixMs: 0x0192_3456_789A, using: &generator)
        #expect(id == "01923456-789a-7fff-bfff-ffffffffffff")
        var zeros = FixedGenerator(values: [0, 0])
        #expect(RecordID.make(unixMs: 1, using: &zeros) == "00000000-0001-7000-8000-000000000000")
    }

    @Test("Foundation reads it as a UUID")
    func parses() {
        let id = RecordID.make(unixMs: 1_763_900_000_000)
        let uuid = UUID(uuidString: id)
        #expect(uuid != nil)
        #expect(uuid?.uuidString.lowercased() == id)
    }

    @Test("text order is time order, whatever the random bits")
    func ordered() {
        var previous = ""
        for ms in stride(from: Int64(1_700_000_000_000), to: 1_700_000_000_000 + 5_000, by: 7) {
            let id = RecordID.make(unixMs: ms)
            #expect(id > previous)
            previous = id
        }
    }

    @Test("ids made in the same millisecond differ")
    func unique() {
        let ids = (0..<10_000).map { _ in RecordID.make(unixMs: 1_763_900_000_000) }
        #expect(Set(ids).count == ids.count)
    }
}
