public import RPCCore
public import RPCTransportTCP
import Synchronization

/// Where the three services listen. Flags win over environment variables
/// (`CRM_REGISTRY`, `CRM_CONTACTS`, `CRM_SCHEDULING`), which win over the local defaults
/// that `crm up` uses.
public struct ServiceEndpoints: Sendable, Hashable {
    public struct Endpoint: Sendable, Hashable, CustomStringConvertible {
        /// The service's name as operators and logs know it: registry, contacts, scheduling.
        public var service: String
        public var host: String
        public var port: Int
        /// TLS for the connection (`--tls-ca`, and `--tls-cert`/`--tls-key` for mutual TLS).
        public var tls: TLSCredentials?

        public var description: String { HostPort(host: host, port: port).description }

        /// Parses `host:port` (`[::1]:7101` for IPv6); port 0 is no service's.
        public init?(service: String, address: String) {
            guard let parsed = HostPort(address), parsed.port > 0 else { return nil }
            self.init(service: service, host: parsed.host, port: parsed.port)
        }

        public init(service: String, host: String, port: Int) {
            self.service = service
            self.host = host
            self.port = port
        }
    }

    public var registry: Endpoint
    public var contacts: Endpoint
    public var scheduling: Endpoint

    public static let defaultPorts = (registry: 7101, contacts: 7102, scheduling: 7103)

    public init(registry: Endpoint, contacts: Endpoint, scheduling: Endpoint) {
        self.registry = registry
        self.contacts = contacts
        self.scheduling = scheduling
    }

    public static func local(host: String = "127.0.0.1") -> ServiceEndpoints {
        ServiceEndpoints(
            registry: Endpoint(service: "registry", host: host, port: defaultPorts.registry),
            contacts: Endpoint(service: "contacts", host: host, port: defaultPorts.contacts),
            scheduling: Endpoint(service: "scheduling", host: host, port: defaultPorts.scheduling)
        )
    }

    /// The endpoints from flags (nil when not given) and the environment.
    public static func resolve(
        registry: String?, contacts: String?, scheduling: String?,
        environment: [String: String]
    ) throws(GatewayError) -> ServiceEndpoints {
        var endpoints = local()
        func pick(_ service: String, _ flag: String?, _ variable: String) throws(GatewayError) -> Endpoint? {
            guard let address = flag ?? environment[variable] else { return nil }
            guard let endpoint = Endpoint(service: service, address: address) else {
                throw GatewayError("Адрес сервиса \(service) «\(address)» не в виде хост:порт")
            }
            return endpoint
        }
        if let endpoint = try pick("registry", registry, "CRM_REGISTRY") { endpoints.registry = endpoint }
        if let endpoint = try pick("contacts", contacts, "CRM_CONTACTS") { endpoints.contacts = endpoint }
        if let endpoint = try pick("scheduling", scheduling, "CRM_SCHEDULING") { endpoints.scheduling = endpoint }
        return endpoints
    }

    /// The same endpoints reached over TLS when `tlsCA` is given (see `TLSCredentials.client`).
    public func with(tlsCA: String?, certificate: String?, key: String?) throws(GatewayError) -> ServiceEndpoints {
        with(tls: try TLSCredentials.client(ca: tlsCA, certificate: certificate, key: key))
    }

    /// The same endpoints reached over TLS with `tls`.
    public func with(tls: TLSCredentials?) -> ServiceEndpoints {
        var endpoints = self
        endpoints.registry.tls = tls
        endpoints.contacts.tls = tls
        endpoints.scheduling.tls = tls
        return endpoints
    }
}

extension ServiceEndpoints.Endpoint {
    /// A client for this service; connections open on the first call.
    public func client(metadata: Metadata = [:], timeout: Duration = .seconds(10)) -> ServiceClient {
        ServiceClient(
            endpoint: self,
            rpc: RPCClient(
                transport: TCPClientTransport(host: host, port: port, tls: tls),
                defaultMetadata: metadata,
                defaultTimeout: timeout
            )
        )
    }
}

extension ServiceEndpoints.Endpoint {
    /// A client for this service whose every call carries the session's access token,
    /// renewed as it nears expiry.
    public func client(session keeper: SessionKeeper, timeout: Duration = .seconds(10)) -> ServiceClient {
        ServiceClient(
            endpoint: self,
            rpc: RPCClient(
                transport: RenewingTransport(inner: TCPClientTransport(host: host, port: port, tls: tls), keeper: keeper),
                defaultTimeout: timeout
            )
        )
    }
}

/// An RPC client that knows which service it talks to, so its failures can say so.
public struct ServiceClient: Sendable {
    public let endpoint: ServiceEndpoints.Endpoint
    public let rpc: RPCClient

    /// Shown while a call has waited more than a second (the CLI draws a spinner on a
    /// terminal); returns what hides it again. Set once at start-up.
    public static var slowCall: (@Sendable (ServiceEndpoints.Endpoint) -> @Sendable () -> Void)? {
        get { slowCallHook.withLock { $0 } }
        set { slowCallHook.withLock { $0 = newValue } }
    }
    private static let slowCallHook = Mutex<(@Sendable (ServiceEndpoints.Endpoint) -> @Sendable () -> Void)?>(nil)

    /// Runs one or more calls; an RPC failure becomes a `GatewayError` in the operator's words.
    public func call<T>(_ body: (RPCClient) async throws -> T) async throws(GatewayError) -> T {
        let notice = SlowCallNotice()
        if let slow = Self.slowCall {
            let endpoint = endpoint
            notice.timer = Task { [notice] in
                guard (try? await Task.sleep(for: .seconds(1))) != nil else { return }
                notice.show { slow(endpoint) }
            }
        }
        defer { notice.hide() }
        do {
            return try await body(rpc)
        } catch let error as RPCError {
            throw GatewayError(error, endpoint: endpoint)
        } catch let error as GatewayError {
            throw error
        } catch {
            throw GatewayError("\(error)")
        }
    }
}

/// The slow-call notice of one call: shown by its timer unless the call ended first, and
/// hidden synchronously when the call ends, so nothing is drawn over what follows.
final class SlowCallNotice: Sendable {
    private struct State {
        var ended = false
        var hide: (@Sendable () -> Void)?
        var timer: Task<Void, Never>?
    }
    private let state = Mutex(State())

    var timer: Task<Void, Never>? {
        get { state.withLock { $0.timer } }
        set { state.withLock { $0.timer = newValue } }
    }

    func show(_ start: () -> @Sendable () -> Void) {
        state.withLock { state in
            guard !state.ended else { return }
            state.hide = start()
        }
    }

    func hide() {
        state.withLock { state in
            state.ended = true
            state.timer?.cancel()
            state.hide?()
            state.hide = nil
        }
    }
}

extension TLSCredentials {
    /// A client's TLS from its flags or `CRM_TLS_*`: nil without a CA (plain TCP); a setting
    /// that cannot work is refused in the operator's words.
    public static func client(ca: String?, certificate: String?, key: String?) throws(GatewayError) -> TLSCredentials? {
        guard let ca, !ca.isEmpty else {
            guard certificate == nil, key == nil else { throw GatewayError("Настройки TLS: --tls-cert и --tls-key действуют только вместе с --tls-ca") }
            return nil
        }
        do {
            return try TLSCredentials(TLSFiles(certificate: certificate, key: key, ca: ca))
        } catch {
            throw GatewayError("Настройки TLS неверны: \(error)")
        }
    }
}
