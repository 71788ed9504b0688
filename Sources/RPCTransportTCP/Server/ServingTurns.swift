import NIOCore

/// The connections of one event loop that have more requests waiting than one turn serves,
/// served in turn: a connection that pipelined thousands of requests gets `callsPerTurn` of
/// them, then every other connection of the loop gets its reads served, then it goes on.
///
/// The next turn is a timer `gap` after this one's answers are flushed, not `execute`: a NIO
/// loop runs the tasks it is given until none is left before it looks at its sockets again,
/// so a task that schedules itself would keep the loop's other connections unread for as long
/// as the pipelining lasts. A timer that is not yet due ends the loop's tick; the sockets are
/// polled, their reads served, and the timer then fires.
final class ServingTurns {
    /// How many requests of one connection run in one turn; at 64 calls in flight on a
    /// connection (the benchmark's load) each read is still served in one turn.
    static let callsPerTurn = 64
    static let gap = TimeAmount.microseconds(100)

    private let eventLoop: any EventLoop
    private var waiting: [ServerConnectionHandler] = []
    private var serving: [ServerConnectionHandler] = []
    private var scheduled = false

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    /// `connection.serveTurn()` runs on a later turn.
    func wait(_ connection: ServerConnectionHandler) {
        waiting.append(connection)
        scheduleTurn()
    }

    private func scheduleTurn() {
        guard !scheduled, !waiting.isEmpty else { return }
        scheduled = true
        let this = NIOLoopBound(self, eventLoop: eventLoop)
        eventLoop.scheduleTask(in: Self.gap) { this.value.turn() }
    }

    private func turn() {
        // `scheduled` stays set while the turn runs and until its answers are flushed: a
        // connection that waits again is served on the next turn, timed from then.
        swap(&waiting, &serving)
        for connection in serving { connection.serveTurn() }
        serving.removeAll(keepingCapacity: true)
        // The turn's flushes are tasks it queued; timed from its own end, the next turn could
        // fall due while they run (a `writev` of 64 answers can take longer than the gap), and
        // then run in the same tick, before the sockets are polled.
        let this = NIOLoopBound(self, eventLoop: eventLoop)
        eventLoop.execute {
            let turns = this.value
            turns.scheduled = false
            turns.scheduleTurn()
        }
    }
}

@available(*, unavailable)
extension ServingTurns: Sendable {}
