public import RPCCore
import Wire

/// The services every server carries besides its own: health and the method listing.
public enum BuiltinServices {
    /// `services` with health and reflection added; reflection lists all of them, itself included.
    public static func adding(
        to services: [any RegistrableRPCService],
        readiness: @escaping @Sendable () async -> Bool = { true }
    ) -> [any RegistrableRPCService] {
        var router = RPCRouter()
        for service in services { router.register(service) }
        let health = HealthService(
            serviceNames: router.serviceNames.union([RPCV1.Health.serviceName, RPCV1.Reflection.serviceName]),
            readiness: readiness
        )
        router.register(health)
        router.register(ReflectionService(methods: []))
        let reflection = ReflectionService(methods: router.methods)
        return services + [health, reflection]
    }
}
