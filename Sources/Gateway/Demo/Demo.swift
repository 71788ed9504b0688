import Foundation

/// The whole operator workflow against running services.
public enum Demo {
    /// Runs every part whose service is given; returns the record of the steps.
    public static func perform(endpoints: ServiceEndpoints, smsFile: URL) async -> DemoRun {
        let run = DemoRun()
        let session = await RegistryDemo(run: run, registry: endpoints.registry, smsFile: smsFile).perform()
        if let session {
            await SchedulingDemo(run: run, scheduling: endpoints.scheduling, session: session, smsFile: smsFile).perform()
            await CallsDemo(run: run, endpoints: endpoints, session: session, smsFile: smsFile).perform()
            await CollectionDemo(run: run, endpoints: endpoints, smsFile: smsFile).perform()
        }
        return run
    }
}

#if canImport(Glibc)
import Glibc
#endif

/// A TCP port nothing listens on right now, so the demo never collides with `crm up`.
public enum FreePort {
    public static func find() -> Int? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
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
