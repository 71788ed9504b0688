import Foundation
import NIOCore
import NIOPosix
import Synchronization

/// A TCP port nothing listens on right now, for a service this process starts as a child
/// (`crm demo`, the tests' service processes).
///
/// Taken from below the kernel's ephemeral range (`ip_local_port_range`): the port is free
/// when chosen but only bound later by the child — or re-bound after a restart — and a port
/// from the ephemeral range may be handed meanwhile to any socket bound to port 0 (an
/// in-process server, an outgoing connection), which then answers the child's callers.
///
/// A port is handed out once per process: tests that start children run side by side, and
/// two of them given the same free port would race for it.
public enum FreePort {
    public static func find() -> Int? {
        let ephemeral = ephemeralRange()
        let candidates = 20_000..<min(32_768, ephemeral.lowerBound)
        if !candidates.isEmpty {
            for _ in 0..<64 {
                let port = Int.random(in: candidates)
                if claim(port), let bound = bound(port) { return bound }
            }
        }
        for _ in 0..<64 {
            if let port = bound(0), claim(port) { return port }
        }
        return nil
    }

    private static let handedOut = Mutex<Set<Int>>([])

    /// True the first time a port is claimed in this process.
    private static func claim(_ port: Int) -> Bool {
        handedOut.withLock { $0.insert(port).inserted }
    }

    /// The kernel's range for port-0 binds; Linux's default when it cannot be read.
    static func ephemeralRange() -> ClosedRange<Int> {
        guard let text = try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8) else {
            return 32_768...60_999
        }
        let bounds = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).compactMap { Int($0) }
        guard bounds.count == 2, bounds[0] <= bounds[1] else { return 32_768...60_999 }
        return bounds[0]...bounds[1]
    }

    /// Binds 127.0.0.1:`port` (0: the kernel's choice) and closes at once; the port bound, or
    /// nil when it is taken.
    private static func bound(_ port: Int) -> Int? {
        guard let channel = try? ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: port).wait() else { return nil }
        defer { try? channel.close().wait() }
        return channel.localAddress?.port
    }
}
