import HTTPEndpoint
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Testing

@Suite("HTTPEndpoint over a real socket")
struct HTTPEndpointTests {
    static let routes = [
        EndpointRoute("GET", "/echo") { request in
            let query = request.queryItems.map { "\($0.name)=\($0.value)" }.joined(separator: ";")
            return .text("\(request.method) \(request.path) \(query) \(request.header("x-probe") ?? "-")")
        },
        EndpointRoute("POST", "/body") { request in .text("\(request.body.count)", status: 201) },
    ]

    /// Runs an endpoint on a free port in a service group, and shuts it down gracefully after `body`.
    func withEndpoint(maxBodyBytes: Int = 1 << 20, _ body: (Int) async throws -> Void) async throws {
        let endpoint = HTTPEndpoint(.init(host: "127.0.0.1", port: 0, maxBodyBytes: maxBodyBytes), routes: Self.routes)
        let group = ServiceGroup(services: [endpoint], logger: Logger(label: "test"))
        try await withThrowingTaskGroup { tasks in
            tasks.addTask { try await group.run() }
            let port = try await endpoint.boundPort()
            #expect(port > 0)
            do {
                try await body(port)
            } catch {
                await group.triggerGracefulShutdown()
                throw error
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    @Test("routes by method and path, decodes the query, keeps the connection alive between requests")
    func routing() async throws {
        try await withEndpoint { port in
            try await EndpointClient.withConnection(host: "127.0.0.1", port: port) { connection in
                let echo = try await connection.request(uri: "/echo?id=sms-1&type=8&text=%D0%9F%D1%80%D0%B8%D0%B2%D0%B5%D1%82+%21&empty", headers: [.init(name: "X-Probe", value: "yes")])
                #expect(echo.status == 200)
                #expect(String(decoding: echo.body, as: UTF8.self) == "GET /echo id=sms-1;type=8;text=Привет !;empty= yes")
                #expect(echo.headers.first { $0.name.lowercased() == "connection" }?.value == "keep-alive")
                // The same connection serves the next requests.
                let posted = try await connection.request(method: "POST", uri: "/body", body: Array(repeating: 7, count: 1000))
                #expect(posted.status == 201)
                #expect(String(decoding: posted.body, as: UTF8.self) == "1000")
                #expect(try await connection.request(uri: "/nowhere").status == 404)
                let wrongMethod = try await connection.request(method: "POST", uri: "/echo")
                #expect(wrongMethod.status == 405)
                #expect(wrongMethod.headers.first { $0.name == "Allow" }?.value == "GET")
            }
        }
    }

    @Test("a body over the cap is answered 413 and nothing reaches the handler")
    func bodyCap() async throws {
        try await withEndpoint(maxBodyBytes: 100) { port in
            let fits = try await EndpointClient.request(host: "127.0.0.1", port: port, method: "POST", uri: "/body", body: Array(repeating: 1, count: 100))
            #expect(fits.status == 201)
            let tooLarge = try await EndpointClient.request(host: "127.0.0.1", port: port, method: "POST", uri: "/body", body: Array(repeating: 1, count: 101))
            #expect(tooLarge.status == 413)
        }
    }

    @Test("a graceful shutdown closes idle keep-alive connections and stops listening")
    func gracefulStop() async throws {
        let endpoint = HTTPEndpoint(.init(port: 0), routes: Self.routes)
        let group = ServiceGroup(services: [endpoint], logger: Logger(label: "test"))
        let running = Task { try await group.run() }
        let port = try await endpoint.boundPort()
        try await EndpointClient.withConnection(host: "127.0.0.1", port: port) { connection in
            #expect(try await connection.request(uri: "/echo").status == 200)
            await group.triggerGracefulShutdown()
            // The group returns although this connection is still open and idle.
            try await running.value
        }
        await #expect(throws: (any Error).self) {
            _ = try await EndpointClient.request(host: "127.0.0.1", port: port, uri: "/echo", timeout: .seconds(5))
        }
    }

    @Test("query strings: order kept, escapes and + decoded, a broken escape kept as sent")
    func queryParsing() {
        let request = EndpointRequest(method: "GET", uri: "/dlr?id=sms-%41&type=1&a+b=c+d&bad=%zz&flag")
        #expect(request.path == "/dlr")
        #expect(request.queryItems.map(\.name) == ["id", "type", "a b", "bad", "flag"])
        #expect(request.query("id") == "sms-A")
        #expect(request.query("a b") == "c d")
        #expect(request.query("bad") == "%zz")
        #expect(request.query("flag") == "")
        #expect(request.query("missing") == nil)
    }
    @Test("a connection that sends nothing for the idle timeout is closed by the server")
    func idleTimeout() async throws {
        let endpoint = HTTPEndpoint(.init(port: 0, idleTimeout: .seconds(2)), routes: Self.routes)
        try await withRunning(endpoint) { port in
            // A client that connects and never sends a byte.
            let silent = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(host: "127.0.0.1", port: port).get()
            #expect(await Self.closes(silent, within: .seconds(20)))
            // One that talks is served as before.
            #expect(try await EndpointClient.request(host: "127.0.0.1", port: port, uri: "/echo").status == 200)
        }
    }

    @Test("past the connection cap a new connection is closed unanswered; a freed place is taken again")
    func connectionCap() async throws {
        let endpoint = HTTPEndpoint(.init(port: 0, maxConnections: 2), routes: Self.routes)
        try await withRunning(endpoint) { port in
            try await EndpointClient.withConnection(host: "127.0.0.1", port: port) { (first: EndpointClientConnection) throws in
                #expect(try await first.request(uri: "/echo").status == 200)
                try await EndpointClient.withConnection(host: "127.0.0.1", port: port) { (second: EndpointClientConnection) throws in
                    #expect(try await second.request(uri: "/echo").status == 200)
                    #expect(endpoint.openConnections == 2)
                    await #expect(throws: (any Error).self) {
                        _ = try await EndpointClient.request(host: "127.0.0.1", port: port, uri: "/echo", timeout: .seconds(20))
                    }
                    // The held connections are untouched by the refusal.
                    #expect(try await second.request(uri: "/echo").status == 200)
                }
            }
            // Both closed by the client: places free up and a new connection is served.
            var waited = 0
            while endpoint.openConnections > 0, waited < 200 {
                try await Task.sleep(for: .milliseconds(50))
                waited += 1
            }
            #expect(endpoint.openConnections == 0)
            #expect(try await EndpointClient.request(host: "127.0.0.1", port: port, uri: "/echo").status == 200)
        }
    }

    /// Runs `endpoint` in a service group for `body`, then shuts it down gracefully.
    func withRunning(_ endpoint: HTTPEndpoint, _ body: (Int) async throws -> Void) async throws {
        let group = ServiceGroup(services: [endpoint], logger: Logger(label: "test"))
        try await withThrowingTaskGroup { tasks in
            tasks.addTask { try await group.run() }
            let port = try await endpoint.boundPort()
            do {
                try await body(port)
            } catch {
                await group.triggerGracefulShutdown()
                throw error
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    /// Whether the server closes `channel` before `limit` (a bound for a hung test, far above
    /// the idle timeout: the guarantee checked is that it closes at all).
    static func closes(_ channel: any Channel, within limit: Duration) async -> Bool {
        await withTaskGroup(of: Bool.self) { race in
            race.addTask { (try? await channel.closeFuture.get()) != nil }
            race.addTask {
                try? await Task.sleep(for: limit)
                return false
            }
            let first = await race.next() ?? false
            race.cancelAll()
            if !first { try? await channel.close() }
            return first
        }
    }

}
