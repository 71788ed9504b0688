/// Where a process's TLS material lives, as the deployer gives it (`--tls-cert`, `--tls-key`,
/// `--tls-ca`, `--tls-require-client-cert`). One set serves both sides of a process: a service
/// serves with its certificate and presents the same one to its peers.
///
/// - A server with `certificate` and `key` serves TLS only (TLS 1.2 or later); with `ca` it also
///   checks the certificates clients present, and with `requireClientCertificate` it serves no
///   client without one (mutual TLS).
/// - A client with `ca` connects over TLS and trusts only servers whose certificate that CA
///   issued; with `certificate` and `key` it presents them (for a server that requires one).
///
/// The certificate and key are read again every `reloadInterval`, so a renewed pair placed over
/// the old files takes effect without a restart; the CA is read once, at start.
public struct TLSFiles: Sendable, Hashable {
    /// PEM: the certificate first, then any intermediates.
    public var certificate: String?
    /// PEM: the certificate's private key.
    public var key: String?
    /// PEM: the CA certificate(s) this process trusts, for servers and for clients.
    public var ca: String?
    public var requireClientCertificate: Bool
    public var reloadInterval: Duration

    public init(
        certificate: String? = nil,
        key: String? = nil,
        ca: String? = nil,
        requireClientCertificate: Bool = false,
        reloadInterval: Duration = .seconds(60)
    ) {
        self.certificate = certificate
        self.key = key
        self.ca = ca
        self.requireClientCertificate = requireClientCertificate
        self.reloadInterval = reloadInterval
    }

    /// Whether this process serves TLS.
    public var servesTLS: Bool { certificate != nil }
    /// Whether this process's clients connect over TLS.
    public var connectsWithTLS: Bool { ca != nil }
}
