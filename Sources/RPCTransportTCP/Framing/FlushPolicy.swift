import NIOCore

/// When a connection hands its written frames to the socket.
///
/// Flushing once per loop tick makes one `writev` of everything a read burst produced, but
/// the peer then idles while this side works through the whole burst, and the two event loops
/// take turns instead of running side by side. Flushing as soon as the oldest unflushed frame
/// has waited `initialDelay` sends the first answers while the rest are being made: the peer
/// starts on them at once. At 16–64 calls in flight on one connection that roughly doubles
/// calls/s on two cores for a few more syscalls (docs/PERFORMANCE-HISTORY.md).
///
/// Within one tick each early flush doubles the wait before the next: the first frames go out
/// quickly, and a long burst goes out in a few large writes rather than many small ones (each
/// `writev` on loopback costs microseconds of the peer's TCP receive path as well).
struct FlushPolicy {
    /// How long the first frame written in a tick may wait for company before it is flushed anyway.
    static let initialDelay: UInt64 = 20_000

    private var unflushed = 0
    private var oldest: UInt64 = 0
    private var flushScheduled = false
    private var delay = Self.initialDelay

    /// Call after each write. Returns true when the caller should flush now; otherwise it
    /// has arranged (once per tick), through `schedule`, a flush that calls `flushedAtEndOfTick`.
    mutating func wrote(at now: UInt64 = NIODeadline.now().uptimeNanoseconds, schedule: () -> Void) -> Bool {
        if unflushed == 0 { oldest = now }
        unflushed += 1
        if now &- oldest >= delay {
            unflushed = 0
            delay &*= 2
            return true
        }
        if !flushScheduled {
            flushScheduled = true
            schedule()
        }
        return false
    }

    /// The end-of-tick flush ran: whatever was written is on its way.
    mutating func flushedAtEndOfTick() {
        flushScheduled = false
        unflushed = 0
        delay = Self.initialDelay
    }
}
