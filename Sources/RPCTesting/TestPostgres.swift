import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A throw-away PostgreSQL for tests (Debian's `postgresql` 15; ../shared/NOTES.md
/// «PostgreSQL for tests»): a cluster `initdb`-ed into a temporary folder, started on
/// 127.0.0.1 and a free port, one per test process, each test in a database of its own
/// (`database()`). PostgreSQL refuses to run as root, so as root its tools run as the
/// `postgres` user. A watchdog shell stops the cluster and removes its folder when the test
/// process exits, however it exits; `shutdown()` does it at once.
///
/// Tests that need it are enabled when it is installed or when CI requires it
/// (`CRM_REQUIRE_POSTGRES=1`, set by .ci/run): there a missing PostgreSQL fails them.
public final class TestPostgres: @unchecked Sendable {
    public static let binaries = "/usr/lib/postgresql/15/bin"
    public static var installed: Bool { FileManager.default.isExecutableFile(atPath: binaries + "/initdb") }
    public static var required: Bool { ProcessInfo.processInfo.environment["CRM_REQUIRE_POSTGRES"] == "1" }
    /// Whether tests on PostgreSQL run: installed, or required (and then fail when it is not).
    public static var enabled: Bool { installed || required }

    public struct Unavailable: Error, CustomStringConvertible {
        public var description: String
    }

    public let host = "127.0.0.1"
    public let port: Int
    public let user = "crm"
    let folder: String
    private let lock = NSLock()
    private var databases = 0

    /// The cluster of this test process, started on first use.
    public static func shared() throws -> TestPostgres {
        try sharedLock.withLock {
            if let cluster = sharedCluster { return cluster }
            let cluster = try TestPostgres()
            sharedCluster = cluster
            return cluster
        }
    }

    nonisolated(unsafe) private static var sharedCluster: TestPostgres?
    private static let sharedLock = NSLock()

    init() throws {
        guard Self.installed else {
            throw Unavailable(description: "PostgreSQL 15 is not installed (apt-get install postgresql; scripts/ensure-deps does)")
        }
        folder = NSTemporaryDirectory() + "crm-pg-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        port = try Self.freePort()
        let asRoot = getuid() == 0
        if asRoot { try Self.run("/bin/chown", ["postgres", folder]) }
        try Self.run(Self.binaries + "/initdb", ["-D", folder + "/data", "-A", "trust", "-U", user, "-E", "UTF8", "--no-sync"], asPostgres: asRoot)
        // fsync off: a test cluster is thrown away, and its speed is not what tests measure.
        try Self.run(
            Self.binaries + "/pg_ctl",
            ["-D", folder + "/data", "-o", "-p \(port) -k \(folder) -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200",
             "-l", folder + "/log", "-w", "start"],
            asPostgres: asRoot
        )
        try startWatchdog(asPostgres: asRoot)
    }

    /// A new empty database; its name.
    public func database() throws -> String {
        let name = lock.withLock {
            databases += 1
            return "t\(getpid())_\(databases)"
        }
        try Self.run("/usr/bin/psql", ["-h", host, "-p", "\(port)", "-U", user, "-d", "postgres", "-q", "-c", "CREATE DATABASE \(name)"])
        return name
    }

    /// Runs SQL on `database` through psql (for tests that look under the store).
    public func psql(_ sql: String, database: String) throws -> String {
        try Self.run("/usr/bin/psql", ["-h", host, "-p", "\(port)", "-U", user, "-d", database, "-q", "-A", "-t", "-c", sql])
    }

    private func startWatchdog(asPostgres: Bool) throws {
        let stop = (asPostgres ? "runuser -u postgres -- " : "") + "\(Self.binaries)/pg_ctl -D \"$2/data\" -m immediate -w stop"
        let script = """
            while kill -0 "$1" 2>/dev/null; do sleep 1; done
            \(stop) >/dev/null 2>&1
            rm -rf "$2"
            """
        _ = try Self.spawn("/bin/sh", ["-c", script, "postgres-watchdog", "\(getpid())", folder], output: "/dev/null")
    }

    /// Runs a tool to its end; its output (stdout and stderr) goes through a file, not a pipe:
    /// the server `pg_ctl start` leaves running inherits it, and a pipe would never end.
    @discardableResult
    static func run(_ tool: String, _ arguments: [String], asPostgres: Bool = false) throws -> String {
        let (path, arguments) = asPostgres ? ("/usr/sbin/runuser", ["-u", "postgres", "--", tool] + arguments) : (tool, arguments)
        let outputPath = NSTemporaryDirectory() + "crm-pg-run-\(UUID().uuidString.prefix(8)).out"
        defer { unlink(outputPath) }
        let pid = try spawn(path, arguments, output: outputPath)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        // WIFEXITED && WEXITSTATUS == 0
        guard status & 0x7f == 0, (status >> 8) & 0xff == 0 else {
            throw Unavailable(description: "\(tool) \(arguments.joined(separator: " ")) ended with status \(status): \(text)")
        }
        return text
    }

    /// posix_spawn with an empty signal mask (Swift's threads block nearly every signal, and a
    /// child inherits the mask) and waited for by pid, without Foundation's `Process`.
    static func spawn(_ path: String, _ arguments: [String], output: String) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK))
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, path, &actions, &attributes, argv, environ)
        guard result == 0 else { throw Unavailable(description: "cannot start \(path): error \(result)") }
        return pid
    }

    /// A port no one listens on now: bound to 0, read back, closed.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Unavailable(description: "socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw Unavailable(description: "no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
