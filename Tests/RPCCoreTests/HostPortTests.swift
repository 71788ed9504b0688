import RPCCore
import Testing

/// HOST:PORT as flags, environment and peers write it; IPv6 only bracketed.
@Suite struct HostPortTests {
    @Test(arguments: [
        ("127.0.0.1:7101", "127.0.0.1", 7101), ("registry.local:0", "registry.local", 0),
        ("[::1]:7101", "::1", 7101), ("[2001:db8::5]:65535", "2001:db8::5", 65535),
    ])
    func accepted(text: String, host: String, port: Int) throws {
        let address = try #require(HostPort(text))
        #expect(address == HostPort(host: host, port: port))
        #expect(address.description == text, "written back as read")
    }

    @Test(arguments: [
        "", "7101", ":7101", "host:", "host:65536", "host:-1", "host:+80", "host:8o", "::1:7101", "[::1]", "[::1]7101",
        "[127.0.0.1]:80", "a:b:80", "host:123456", "[::1]:", "[]:80",
    ])
    func refused(text: String) {
        #expect(HostPort(text) == nil)
    }
}
