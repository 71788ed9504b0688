/// Maps a method's full name to the code that decodes the request, runs the handler and
/// encodes the response.
public struct RPCRouter: Sendable {
    /// A registered method, as the reflection service lists it.
    public struct Method: Sendable, Hashable {
        public var descriptor: MethodDescriptor
        /// Full proto names of the messages, e.g. `crm.registry.v1.SearchByPhoneRequest`.
        public var inputType: String
        public var outputType: String
    }

    /// A class, made once at registration: a call's async frames then hold one reference to
    /// its route rather than a copy of it.
    final class Route: Sendable {
        let method: Method
        let handle: nonisolated(nonsending) @Sendable (_ payload: [UInt8], _ context: ServerContext) async -> RPCResponseParts

        init(
            method: Method,
            handle: nonisolated(nonsending) @escaping @Sendable (_ payload: [UInt8], _ context: ServerContext) async -> RPCResponseParts
        ) {
            self.method = method
            self.handle = handle
        }
    }

    private(set) var routes: [String: Route] = [:]

    public init() {}

    /// Every registered method, sorted by full name.
    public var methods: [Method] {
        routes.values.map(\.method).sorted { $0.descriptor.fullName < $1.descriptor.fullName }
    }

    /// The names of the services with at least one method.
    public var serviceNames: Set<String> { Set(routes.values.map(\.method.descriptor.service)) }

    public mutating func register(_ service: any RegistrableRPCService) {
        service.registerMethods(with: &self)
    }

    public mutating func registerHandler<Request, Response>(
        forMethod descriptor: MethodDescriptor,
        inputType: String,
        outputType: String,
        deserializer: some MessageDeserializer<Request>,
        serializer: some MessageSerializer<Response>,
        handler: @escaping @Sendable (Request, ServerContext) async throws -> Response
    ) {
        precondition(routes[descriptor.fullName] == nil, "\(descriptor) is registered twice")
        let method = Method(descriptor: descriptor, inputType: inputType, outputType: outputType)
        routes[descriptor.fullName] = Route(method: method) { payload, context in
            // The decoding, encoding and error texts are in synchronous functions: what an
            // async closure computes stays in its frame for the whole call.
            let request: Request
            do {
                request = try deserializer.deserialize(payload)
            } catch {
                return Self.invalidRequest(error, inputType: inputType)
            }
            let response: Response
            do {
                response = try await handler(request, context)
            } catch {
                return .failure(RPCError.converting(error, context: context))
            }
            return Self.encode(response, serializer: serializer, outputType: outputType)
        }
    }

    /// A deserializer that can name the field at fault says so in an RPCError.
    private static func invalidRequest(_ error: any Error, inputType: String) -> RPCResponseParts {
        .failure(RPCError(
            code: .invalidArgument,
            message: "The request is not a valid \(inputType): \(error)",
            fieldViolations: (error as? RPCError)?.fieldViolations ?? [],
            reason: (error as? RPCError)?.reason
        ))
    }

    private static func encode<Response>(
        _ response: Response,
        serializer: some MessageSerializer<Response>,
        outputType: String
    ) -> RPCResponseParts {
        do {
            return RPCResponseParts(result: .success(try serializer.serialize(response)))
        } catch {
            // The service built an answer the wire cannot carry (a string holding NUL):
            // its fault, not the caller's.
            return .failure(RPCError(code: .internal, message: "Could not encode the \(outputType) answer: \(error)"))
        }
    }

    func route(for method: String) -> Route? {
        routes[method]
    }
}
