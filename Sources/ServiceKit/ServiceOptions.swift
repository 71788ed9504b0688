public import ArgumentParser
public import RPCCore
public import GRDB
public import Logging
public import RPCTransportTCP
public import ServiceLifecycle

/// The operations flags every service shares (`@OptionGroup var operations: ServiceOptions`):
/// how it logs and where it serves its metrics.
public struct ServiceOptions: ParsableArguments {
    @Option(help: "Log line format: logfmt or json (one line per event on stderr).")
    public var logFormat = "logfmt"
    @Option(help: "Lowest level logged: trace, debug, info, notice, warning, error or critical.")
    public var logLevel = "info"
    @Option(help: ArgumentHelp(
        "Copy the live database to FILE (VACUUM INTO, checked; FILE must not exist) and exit; the running service keeps serving.",
        valueName: "FILE"
    ))
    public var backupTo: String?
    @Option(help: "Serve Prometheus metrics on HOST:PORT (GET /metrics); none when absent.")
    public var metricsListen: String?
    @Option(help: "Connections beyond this many are closed as soon as they are accepted.")
    public var maxConnections = 1024
    @Option(help: "Connections from one IP address beyond this many are closed as soon as they are accepted.")
    public var maxConnectionsPerPeer = 64
    @Option(help: "Calls of one connection queued or running at once; beyond them the service reads no more of its requests until some finish.")
    public var maxCallsPerConnection = 100
    @Option(help: ArgumentHelp("Close a connection that has sent no request this long after it opened.", valueName: "SECONDS"))
    public var firstCallTimeout = 10.0
    @Option(help: ArgumentHelp("Close a connection with no call in flight that sends nothing for this long.", valueName: "SECONDS"))
    public var idleTimeout = 120.0
    @Option(help: ArgumentHelp("Close a connection whose started frame is not whole within this long (a peer trickling bytes).", valueName: "SECONDS"))
    public var frameTimeout = 30.0
    @Option(help: ArgumentHelp(
        "After this long without a call (following some), close idle database readers and return freed memory to the system; 0: never.",
        valueName: "SECONDS"
    ))
    public var releaseMemoryAfter = 30.0
    @Flag(help: "Stop, as on SIGTERM, when the process that started this one exits (for services run by another program, such as `crm demo`).")
    public var exitWithParent = false
    @Option(help: ArgumentHelp("PEM certificate (then intermediates) to serve TLS with, plain clients refused; also shown to peers that ask. Re-read every minute.", valueName: "FILE"))
    public var tlsCert: String?
    @Option(help: ArgumentHelp("PEM private key of --tls-cert.", valueName: "FILE"))
    public var tlsKey: String?
    @Option(help: ArgumentHelp("PEM CA certificate(s): clients' certificates are checked against it, and peers are called over TLS trusting only it.", valueName: "FILE"))
    public var tlsCa: String?
    @Flag(help: "Serve only clients that present a certificate issued by --tls-ca (mutual TLS).")
    public var tlsRequireClientCert = false

    public init() {}

    public func validate() throws {
        guard LogFormat(rawValue: logFormat) != nil else { throw ValidationError("--log-format: logfmt or json") }
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level: trace, debug, info, notice, warning, error or critical")
        }
        if let metricsListen { _ = try HostPort(parsing: metricsListen, flag: "--metrics-listen") }
        guard maxConnections > 0 else { throw ValidationError("--max-connections must be at least 1") }
        guard maxConnectionsPerPeer > 0 else { throw ValidationError("--max-connections-per-peer must be at least 1") }
        guard maxCallsPerConnection > 0 else { throw ValidationError("--max-calls-per-connection must be at least 1") }
        guard firstCallTimeout > 0 else { throw ValidationError("--first-call-timeout must be more than 0 seconds") }
        guard idleTimeout > 0 else { throw ValidationError("--idle-timeout must be more than 0 seconds") }
        guard frameTimeout > 0 else { throw ValidationError("--frame-timeout must be more than 0 seconds") }
        guard releaseMemoryAfter >= 0 else { throw ValidationError("--release-memory-after must be 0 (never) or more seconds") }
        guard (tlsCert == nil) == (tlsKey == nil) else { throw ValidationError("--tls-cert and --tls-key go together") }
        guard !tlsRequireClientCert || (tlsCa != nil && tlsCert != nil) else {
            throw ValidationError("--tls-require-client-cert needs --tls-ca and --tls-cert/--tls-key")
        }
    }

    /// The `--tls-*` files, loaded once for the listener and every peer client; nil without any.
    public func tls(logger: Logger) throws -> TLSCredentials? {
        guard tlsCert != nil || tlsCa != nil else { return nil }
        return try TLSCredentials(
            TLSFiles(certificate: tlsCert, key: tlsKey, ca: tlsCa, requireClientCertificate: tlsRequireClientCert), logger: logger
        )
    }

    /// The RPC listener on `host:port` with these limits (TLS only with `tls` holding a certificate).
    public func serverTransport(host: String, port: Int, tls: TLSCredentials? = nil) -> TCPServerTransport {
        TCPServerTransport(TCPServerTransport.Configuration(
            host: host,
            port: port,
            idleTimeout: .milliseconds(Int64(idleTimeout * 1000)),
            maximumConnections: maxConnections,
            frameTimeout: .milliseconds(Int64(frameTimeout * 1000)),
            maximumConnectionsPerPeer: maxConnectionsPerPeer,
            firstCallTimeout: .milliseconds(Int64(firstCallTimeout * 1000)),
            maximumCallsPerConnection: maxCallsPerConnection,
            tls: tls
        ))
    }

    /// Per `--release-memory-after`: an interceptor and a service to run beside the server, or
    /// nil when it is 0.
    public func idleMemoryRelease(database: any DatabaseWriter, logger: Logger) -> IdleMemoryRelease? {
        guard releaseMemoryAfter > 0 else { return nil }
        return IdleMemoryRelease(database: database, quietPeriod: .milliseconds(Int64(releaseMemoryAfter * 1000)), logger: logger)
    }

    /// With `--backup-to FILE`: copies `database` there, prints what it did and returns true
    /// (the command then exits instead of serving). See `SQLiteBackup`.
    public func backupIfAsked(database: String) throws -> Bool {
        guard let backupTo else { return false }
        let summary = try SQLiteBackup.backup(database: database, to: backupTo)
        print("backup: \(database) → \(summary.path), \(summary.bytes) bytes, integrity \(summary.integrity)")
        return true
    }

    /// Installs the log handler and the metrics backend for the whole process (once, before
    /// anything logs), and returns the services to run beside the RPC server: the metrics
    /// endpoint when `--metrics-listen` is set, the parent watch with `--exit-with-parent`.
    public func bootstrap() throws -> [any Service] {
        let format = LogFormat(rawValue: logFormat) ?? .logfmt
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in StructuredLogHandler(label: label, format: format, level: level) }
        let metrics = MetricsExport.bootstrap(listen: try metricsListen.map { try HostPort(parsing: $0, flag: "--metrics-listen") })
        return metrics + (exitWithParent ? [ParentWatch(logger: Logger(label: "service.parent"))] : [])
    }
}

extension HostPort {
    /// A flag's HOST:PORT value, or the flag's usage error.
    public init(parsing text: String, flag: String) throws {
        guard let address = HostPort(text) else { throw ValidationError("\(flag) takes HOST:PORT, got «\(text)»") }
        self = address
    }
}
