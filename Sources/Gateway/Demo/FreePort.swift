import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A TCP port nothing listens on right now, for a service this process starts as a child
/// (`crm demo`, the tests' service processes).
///
/// Taken from below the kernel's ephemeral range (`ip_local_port_range`): the port is free
/// when chosen but only bound later by the child — or re-bound after a restart — and a port
/// from the ephemeral range may be handed meanwhile to any socket bound to port 0 (an
/// in-process server, an outgoing connection), which then answers the child's callers.
public enum FreePort {
    public static func find() -> Int? {
        let ephemeral = ephemeralRange()
        let candidates = 20_000..<min(32_768, ephemeral.lowerBound)
        if !candidates.isEmpty {
            for _ in 0..<64 {
                let port = Int.random(in: candidates)
                if bindable(port) { return port }
            }
        }
        return bindable(0, reportBound: true)
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

    private static func bindable(_ port: Int) -> Bool { bindable(port, reportBound: false) != nil }

    /// Binds 127.0.0.1:`port` and closes at once; the bound port, or nil when it is taken.
    private static func bindable(_ port: Int, reportBound: Bool) -> Int? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { return nil }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return named == 0 ? Int(UInt16(bigEndian: address.sin_port)) : nil
    }
}
