import Gateway
import RPCCore

/// The saved session and a client per service carrying its token.
struct Authorized {
    let session: Session
    let endpoints: ServiceEndpoints
    let registry: ServiceClient
    let contacts: ServiceClient
    let scheduling: ServiceClient

    init(_ global: GlobalOptions) throws {
        session = try SessionStore.standard().require()
        endpoints = try global.endpoints()
        var metadata = Metadata()
        metadata.bearerToken = session.token
        registry = endpoints.registry.client(metadata: metadata)
        contacts = endpoints.contacts.client(metadata: metadata)
        scheduling = endpoints.scheduling.client(metadata: metadata)
    }
}
