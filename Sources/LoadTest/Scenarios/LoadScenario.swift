public import Auth
public import RPCCore

/// A named workload on one service's main calls, so a load test needs no hand-written
/// request: `crm-load run --target HOST:PORT --scenario contacts.save-outcome`.
///
/// `prepare` runs once before the clock starts (it may read the service to find valid
/// ids, slots or phones); the `Iteration` it returns is what each worker repeats, and is
/// what the report measures: one iteration may be several calls (a saved call result is
/// open → draft → save).
public struct LoadScenario: Sendable {
    /// One repetition: the worker's client, the session metadata, the iteration's number
    /// (unique within the run, for idempotency keys and spreading over the data).
    public typealias Iteration = @Sendable (RPCClient, Metadata, Int) async throws -> Void

    public var name: String
    public var service: String
    public var summary: String
    /// The role the scenario's calls need; `--auth-secret` mints a token with it.
    public var role: Role
    public var prepare: @Sendable (RPCClient, Metadata) async throws -> Iteration

    public init(name: String, service: String, summary: String, role: Role, prepare: @escaping @Sendable (RPCClient, Metadata) async throws -> Iteration) {
        self.name = name
        self.service = service
        self.summary = summary
        self.role = role
        self.prepare = prepare
    }
}

extension LoadScenario {
    /// Every scenario, by service.
    public static let all: [LoadScenario] = RegistryScenarios.all + ContactsScenarios.all + SchedulingScenarios.all

    public static func named(_ name: String) -> LoadScenario? {
        all.first { $0.name == name }
    }
}

extension Metadata {
    /// The session metadata with an idempotency key unique to this run and iteration.
    func withKey(_ run: String, _ iteration: Int) -> Metadata {
        var metadata = self
        metadata.idempotencyKey = "load-\(run)-\(iteration)"
        return metadata
    }
}
