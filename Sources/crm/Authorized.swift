import Gateway
import RPCCore

/// The saved session and a client per service carrying its access token, renewed against
/// the registry as it nears expiry.
struct Authorized {
    let session: Session
    let endpoints: ServiceEndpoints
    let registry: ServiceClient
    let contacts: ServiceClient
    let scheduling: ServiceClient

    init(_ global: GlobalOptions) throws {
        session = try SessionStore.standard().require()
        endpoints = try global.endpoints()
        let keeper = SessionKeeper(session: session, store: SessionStore.standard(), registry: endpoints.registry)
        registry = endpoints.registry.client(session: keeper)
        contacts = endpoints.contacts.client(session: keeper)
        scheduling = endpoints.scheduling.client(session: keeper)
    }
}
