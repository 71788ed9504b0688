@testable import RPCTransportTCP
import Testing

@Suite struct FlushPolicyTests {
    /// Writes at the given times (ns), with end-of-tick flushes after the marked ones.
    /// Returns, per write, whether it flushed at once, and how many end-of-tick flushes were arranged.
    private func run(_ writes: [(at: UInt64, tickEndsAfter: Bool)]) -> (flushedAt: [Bool], scheduled: Int) {
        var policy = FlushPolicy()
        var flushed: [Bool] = []
        var scheduled = 0
        for write in writes {
            flushed.append(policy.wrote(at: write.at) { scheduled += 1 })
            if write.tickEndsAfter { policy.flushedAtEndOfTick() }
        }
        return (flushed, scheduled)
    }

    @Test(arguments: [
        // A burst within the delay waits for the one end-of-tick flush.
        ([(1_000, false), (5_000, false), (19_999, true)], [false, false, false], 1),
        // The write that finds the oldest waiting 20 µs flushes at once, and the next one starts a
        // new wait, twice as long (40 µs); the end-of-tick flush already arranged still comes, once.
        ([(1_000, false), (21_000, false), (22_000, false), (61_999, false), (62_000, true)], [false, true, false, false, true], 1),
        // Within one tick the wait keeps doubling: 20, 40, then 80 µs.
        ([(0, false), (20_000, false), (21_000, false), (61_000, false), (62_000, false), (141_999, false), (142_000, true)],
         [false, true, false, true, false, false, true], 1),
        // The end of a tick brings the wait back to 20 µs.
        ([(0, false), (20_000, true), (30_000, false), (50_000, true)], [false, true, false, true], 2),
        // After an end-of-tick flush, the clock starts again from the next write.
        ([(0, true), (100_000, false), (110_000, true)], [false, false, false], 2),
    ] as [([(UInt64, Bool)], [Bool], Int)])
    func flushesWhenTheOldestFrameHasWaitedItsDelay(writes: [(UInt64, Bool)], expected: [Bool], scheduled: Int) {
        let result = run(writes.map { (at: $0.0, tickEndsAfter: $0.1) })
        #expect(result.flushedAt == expected)
        #expect(result.scheduled == scheduled)
    }
}
