/*
 * Honcho 2.5.1 POST /v2/workspaces/{workspace_id}/trigger_dream
 * (openapi/trigger_dream.openapi.yaml), written the way a Java team writes it on the JDK's own
 * HTTP server (com.sun.net.httpserver, OpenJDK 17) and Jackson 2.14 data binding (Debian's
 * libjackson2-databind-java). Nothing is taken from the kit.
 *
 *   J=/usr/share/java
 *   CP=$J/jackson-databind.jar:$J/jackson-core.jar:$J/jackson-annotations.jar
 *   javac -cp $CP -d out tests/stacks/TriggerDreamServer.java
 *   java -cp out:$CP TriggerDreamServer [--host H] [--port 0] [--token T] [--bug NAME]...
 *
 * It prints "listening on http://HOST:PORT" once it listens and stops on SIGTERM.
 *
 * Choices where the document is silent (the JDK's and Jackson's behaviour unless said otherwise):
 * - Routing: createContext("/v2/workspaces/") matches by prefix, so its handler matches the whole
 *   decoded path (URI.getPath(): %2F splits the segment) against
 *   /v2/workspaces/{workspace_id}/trigger_dream, one non-empty segment; anything else, and every
 *   path outside the context, is 404. Other methods on the path (HEAD and OPTIONS too): 405 with
 *   Allow: POST. Error bodies are JSON: {"detail": "..."}, and for 422
 *   {"detail": [{"loc", "msg", "type"}]} with loc ["body"] or ["body", field].
 * - Auth (--token): after routing, before the body is read. The scheme is case-insensitive
 *   (RFC 9110 11.1); a wrong or missing token is 401 with WWW-Authenticate: Bearer. The JDK gives
 *   header values as ISO-8859-1 characters, so the token is compared as the bytes sent.
 * - Framing is the JDK's (Content-Length, chunked with extensions skipped, 100 Continue sent,
 *   HTTP/1.0) but for one defect: its chunked decoder reads no trailer section (RFC 9112 7.1.2)
 *   and throws after the last chunk; readBody keeps such a body and discards its trailer.
 *   Content-Encoding gzip (or x-gzip) is decoded; a body that is not gzip then is 422; any other
 *   coding is 415 with Accept-Encoding: gzip.
 * - Content-Type: application/json in any letter case, any parameters (RFC 8259 defines none; the
 *   bytes are UTF-8 whatever charset says). Any other media type, or none: 422 at ["body"]
 *   (the operation documents 422 for a request it cannot take, and no 415).
 * - Body limit: 16 MiB (any string is a valid observer), decoded size too; past it 413.
 * - UTF-8 is checked by the JDK's decoder set to REPORT (RFC 3629: no overlong forms, encoded
 *   surrogates or code points past U+10FFFF): new String(bytes, UTF_8) would put U+FFFD in their
 *   place, and Jackson's own byte decoder lets overlong forms and surrogates through. Not UTF-8:
 *   422 json_invalid.
 * - Jackson binds the body to a record. Its defaults are not RFC 8259's, so the mapper is set:
 *   FAIL_ON_TRAILING_TOKENS (it stops after the first value), no scalar coercion to String
 *   (42, 4.2 and true would become "42", "4.2", "true"), undeclared keys ignored (the schema
 *   allows them; Jackson refuses them by default). dream_type is bound as a String and matched
 *   exactly: Jackson's enum binding trims the text (" agent" is AGENT) and takes indexes (0, "1").
 *   Jackson's parser is RFC 8259's otherwise (no comments, single quotes, NaN, leading zeros,
 *   trailing commas, raw control characters). Debian's 2.14 carries 2.15's read limits: nesting
 *   past 1,000 levels and numbers past 1,000 digits are refused too (RFC 8259 9 allows limits).
 * - A body Jackson cannot parse: 422 json_invalid at ["body"]; empty: 422 missing; not an
 *   object: 422 object_type; a field of the wrong type or missing: 422 at ["body", field] (Jackson
 *   stops at the first problem: one item). Lone-surrogate escapes are kept; duplicate keys: the
 *   last wins. Error bodies are written as ASCII JSON.
 *
 * Planted bugs (--bug NAME, repeatable), each a classic Jackson or JDK-server mistake:
 * - trailing-tokens: the mapper's default FAIL_ON_TRAILING_TOKENS (off) kept -> data after the
 *   value ({...} x, {...}{...}) is ignored: 204 instead of 422.
 * - lenient-parser: JsonReadFeature ALLOW_JAVA_COMMENTS and ALLOW_SINGLE_QUOTES enabled "for
 *   hand-written JSON" -> comments and single-quoted strings are read: 204 instead of 422.
 * - scalar-coercion: no coercion config -> numbers and booleans as observer/observed/dream_type
 *   are bound as their text: 204 instead of 422 for observer 42.
 * - enum-binding: dream_type bound to the DreamType enum by Jackson -> " agent", "agent\n",
 *   0, 1 and "1" pass: 204 instead of 422.
 * - lenient-utf8: the body read as new String(bytes, UTF_8) -> bytes that are not UTF-8 become
 *   U+FFFD: 204 instead of 422.
 * - jackson-bytes: the bytes handed to Jackson, trusting its decoder -> stray bytes are refused,
 *   but overlong forms (C0 80), encoded surrogates (ED A0 80) and code points past U+10FFFF pass:
 *   204 instead of 422.
 * - content-length: the body read as the Content-Length header's count of bytes -> a chunked
 *   body (no Content-Length) reads as empty: 422 for a valid request.
 * - prefix-context: the handler trusts its createContext prefix and takes the segment after
 *   it -> /v2/workspaces/ws, /v2/workspaces/ws/anything and .../trigger_dream/ are served: 204
 *   instead of 404.
 * - jackson-400: JsonProcessingException answered 400 Bad Request, the reflex for a parse error
 *   -> every body Jackson cannot read or bind is 400 instead of 422.
 * - case-insensitive: MapperFeature.ACCEPT_CASE_INSENSITIVE_PROPERTIES enabled "for clients
 *   that send Observer" -> {"OBSERVER": ...} is the observer: 204 instead of 422, and an
 *   undeclared "Observer": 42 beside a valid observer is bound to it: 422 instead of 204.
 * - unknown-properties: Jackson's default FAIL_ON_UNKNOWN_PROPERTIES kept -> any undeclared
 *   key is 422 instead of 204.
 * - leading-zeros: JsonReadFeature.ALLOW_LEADING_ZEROS_FOR_NUMBERS enabled "for numbers pasted
 *   from spreadsheets" -> 01 is read as 1: 204 instead of 422.
 * - parse-only-catch: only JsonParseException caught, the reflex for "bad JSON" -> a body that
 *   parses but does not bind (observer 42, a missing field) escapes as a JsonMappingException
 *   to the handler's last resort: 500 instead of 422.
 */

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

public final class TriggerDreamServer {
    static final List<String> KNOWN_BUGS = List.of("trailing-tokens", "lenient-parser",
            "scalar-coercion", "enum-binding", "lenient-utf8", "jackson-bytes", "content-length",
            "prefix-context", "jackson-400", "case-insensitive", "unknown-properties",
            "leading-zeros", "parse-only-catch");
    static final String CONTEXT = "/v2/workspaces/";
    static final Pattern ROUTE = Pattern.compile("/v2/workspaces/([^/]+)/trigger_dream");
    static final int MAX_BODY = 16 << 20;
    static final List<String> OPTIONS = List.of("--host", "--port", "--token", "--bug");
    static final String NOT_A_STRING = "Input should be a string";
    static final String NOT_A_MEMBER = "Input should be 'consolidate' or 'agent'";

    enum DreamType {
        CONSOLIDATE("consolidate"),
        AGENT("agent");

        private final String value;

        DreamType(String value) {
            this.value = value;
        }

        @JsonValue
        String value() {
            return value;
        }

        static DreamType fromValue(String value) {
            for (DreamType type : values()) {
                if (type.value.equals(value)) {
                    return type;
                }
            }
            return null;
        }
    }

    /** The request body: undeclared keys are ignored, dream_type is matched by hand. */
    record TriggerDreamRequest(
            @JsonProperty(value = "observer", required = true) String observer,
            @JsonProperty("observed") String observed,
            @JsonProperty(value = "dream_type", required = true) String dreamType) {}

    /** The body with dream_type bound to the enum by Jackson (the enum-binding bug). */
    record EnumBoundRequest(
            @JsonProperty(value = "observer", required = true) String observer,
            @JsonProperty("observed") String observed,
            @JsonProperty(value = "dream_type", required = true) DreamType dreamType) {}

    record Dream(String workspaceId, String observer, String observed, DreamType type) {}

    /** One item of a 422's detail. */
    record ValidationError(List<String> loc, String msg, String type) {
        static ValidationError body(String msg, String type) {
            return new ValidationError(List.of("body"), msg, type);
        }

        static ValidationError field(String field, String msg, String type) {
            return new ValidationError(List.of("body", field), msg, type);
        }
    }

    /** An answer other than 204. */
    static final class RequestError extends Exception {
        private static final long serialVersionUID = 1L;
        final int status;
        final Object detail;
        final Map<String, String> headers;

        RequestError(int status, Object detail, Map<String, String> headers) {
            super(String.valueOf(detail), null, false, false);
            this.status = status;
            this.detail = detail;
            this.headers = headers;
        }

        RequestError(int status, Object detail) {
            this(status, detail, Map.of());
        }

        static RequestError invalid(ValidationError... items) {
            return new RequestError(422, List.of(items));
        }
    }

    /** The body's bytes, and whether the connection must close after the answer. */
    record Body(byte[] bytes, boolean close) {}

    private final Set<String> bugs;
    private final String token;
    private final JsonMapper mapper;
    private final ObjectWriter writer;

    TriggerDreamServer(Set<String> bugs, String token) {
        this.bugs = bugs;
        this.token = token;
        this.mapper = mapper(bugs);
        this.writer = mapper.writer().with(JsonWriteFeature.ESCAPE_NON_ASCII);
    }

    static JsonMapper mapper(Set<String> bugs) {
        JsonMapper.Builder builder = JsonMapper.builder();
        if (!bugs.contains("unknown-properties")) {
            builder.disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        }
        if (bugs.contains("case-insensitive")) {
            builder.enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_PROPERTIES);
        }
        if (bugs.contains("leading-zeros")) {
            builder.enable(JsonReadFeature.ALLOW_LEADING_ZEROS_FOR_NUMBERS);
        }
        if (!bugs.contains("trailing-tokens")) {
            builder.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        }
        if (!bugs.contains("scalar-coercion")) {
            builder.withCoercionConfig(LogicalType.Textual, config -> config
                    .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail));
        }
        if (bugs.contains("lenient-parser")) {
            builder.enable(
                    JsonReadFeature.ALLOW_JAVA_COMMENTS, JsonReadFeature.ALLOW_SINGLE_QUOTES);
        }
        return builder.build();
    }

    /** A route's handler: it answers, or throws. */
    @FunctionalInterface
    interface Route {
        void serve(HttpExchange exchange) throws IOException;
    }

    /**
     * The JDK's handler for {@code route}: what the route throws is logged and answered 500 while
     * nothing has been sent (the JDK would drop the connection), and the exchange is closed last.
     */
    HttpHandler handler(Route route) {
        return exchange -> {
            try {
                route.serve(exchange);
            } catch (IOException | RuntimeException e) {
                e.printStackTrace();
                if (exchange.getResponseCode() == -1) {
                    send(exchange, 500, "Internal Server Error", Map.of("Connection", "close"));
                }
            } finally {
                exchange.close();
            }
        };
    }

    void serve(HttpExchange exchange) throws IOException {
        String workspaceId = route(exchange.getRequestURI().getPath());
        if (workspaceId == null) {
            send(exchange, 404, "Not Found", Map.of());
            return;
        }
        if (!"POST".equals(exchange.getRequestMethod())) {
            send(exchange, 405, "Method Not Allowed", Map.of("Allow", "POST"));
            return;
        }
        if (token != null && !authorized(exchange)) {
            send(exchange, 401, "Not authenticated", Map.of("WWW-Authenticate", "Bearer"));
            return;
        }
        Body body;
        try {
            body = readBody(exchange);
        } catch (RequestError error) {
            send(exchange, error.status, error.detail, error.headers);
            return;
        }
        Map<String, String> headers = body.close() ? Map.of("Connection", "close") : Map.of();
        try {
            Dream dream = triggerDream(workspaceId, exchange, body.bytes());
            // A real server would enqueue the task for this dream here.
            headers.forEach(exchange.getResponseHeaders()::set);
            exchange.sendResponseHeaders(204, -1);
        } catch (RequestError error) {
            Map<String, String> all = new HashMap<>(error.headers);
            all.putAll(headers);
            send(exchange, error.status, error.detail, all);
        }
    }

    void notFound(HttpExchange exchange) throws IOException {
        send(exchange, 404, "Not Found", Map.of());
    }

    /** The workspace id of /v2/workspaces/{workspace_id}/trigger_dream, or null. */
    String route(String path) {
        if (bugs.contains("prefix-context")) {
            String id = path.substring(CONTEXT.length()).split("/", 2)[0];
            return id.isEmpty() ? null : id;
        }
        Matcher match = ROUTE.matcher(path);
        return match.matches() ? match.group(1) : null;
    }

    boolean authorized(HttpExchange exchange) {
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        if (header == null) {
            return false;
        }
        String[] parts = header.split(" ", 2);
        if (parts.length != 2 || !parts[0].equalsIgnoreCase("Bearer")) {
            return false;
        }
        byte[] given = parts[1].trim().getBytes(StandardCharsets.ISO_8859_1);
        return MessageDigest.isEqual(given, token.getBytes(StandardCharsets.UTF_8));
    }

    Body readBody(HttpExchange exchange) throws RequestError, IOException {
        List<String> codings = contentCodings(exchange);
        if (bugs.contains("content-length")) {
            String length = exchange.getRequestHeaders().getFirst("Content-Length");
            int count = length == null ? 0 : Integer.parseInt(length.trim());
            return new Body(decode(exchange.getRequestBody().readNBytes(count), codings), false);
        }
        String length = exchange.getRequestHeaders().getFirst("Content-Length");
        if (length != null && Long.parseLong(length.trim()) > MAX_BODY) {
            throw tooLarge();
        }
        InputStream in = exchange.getRequestBody();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[64 * 1024];
        boolean close = false;
        while (true) {
            int n;
            try {
                n = in.read(buffer);
            } catch (IOException e) {
                // JDK 17's ChunkedInputStream wants CRLF right after the last chunk: a trailer
                // field makes it throw "invalid chunk end" once the stream is at its end (the
                // next read is -1) and the body read whole. That body is complete; its trailer
                // fields are discarded (RFC 9112 7.1.2 lets a recipient discard them) and the
                // connection closed after the answer, as the JDK would read the unread trailer
                // as the next request. Any other read error is a body that did not arrive whole.
                if (!atEnd(in)) {
                    throw new RequestError(400, "Could not read the request body",
                            Map.of("Connection", "close"));
                }
                close = true;
                break;
            }
            if (n < 0) {
                break;
            }
            out.write(buffer, 0, n);
            if (out.size() > MAX_BODY) {
                throw tooLarge();
            }
        }
        return new Body(decode(out.toByteArray(), codings), close);
    }

    static boolean atEnd(InputStream in) {
        try {
            return in.read() == -1;
        } catch (IOException e) {
            return false;
        }
    }

    static RequestError tooLarge() {
        return new RequestError(413, "Request body is larger than " + MAX_BODY + " bytes",
                Map.of("Connection", "close"));
    }

    /** Content-Encoding's codings, in the order they were applied; refused unless gzip. */
    static List<String> contentCodings(HttpExchange exchange) throws RequestError {
        List<String> codings = new ArrayList<>();
        List<String> values = exchange.getRequestHeaders().get("Content-Encoding");
        for (String value : values == null ? List.<String>of() : values) {
            for (String coding : value.split(",")) {
                String name = coding.trim().toLowerCase(Locale.ROOT);
                if (name.equals("gzip") || name.equals("x-gzip")) {
                    codings.add(name);
                } else if (!name.isEmpty() && !name.equals("identity")) {
                    throw new RequestError(415,
                            "Content-Encoding " + coding.trim() + " is not supported",
                            Map.of("Accept-Encoding", "gzip"));
                }
            }
        }
        return codings;
    }

    static byte[] decode(byte[] bytes, List<String> codings) throws RequestError {
        for (int i = 0; i < codings.size(); i++) {
            try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
                bytes = in.readNBytes(MAX_BODY + 1);
            } catch (IOException e) {
                throw RequestError.invalid(ValidationError.body(
                        "Content-Encoding gzip: " + e.getMessage(), "content_encoding"));
            }
            if (bytes.length > MAX_BODY) {
                throw tooLarge();
            }
        }
        return bytes;
    }

    Dream triggerDream(String workspaceId, HttpExchange exchange, byte[] body)
            throws RequestError, JsonMappingException {
        if (!isJson(exchange.getRequestHeaders().getFirst("Content-Type"))) {
            throw RequestError.invalid(ValidationError.body("Content-Type must be application/json",
                    "content_type"));
        }
        try {
            if (bugs.contains("enum-binding")) {
                EnumBoundRequest request = read(body, EnumBoundRequest.class);
                return dream(workspaceId, request.observer(), request.observed(),
                        request.dreamType());
            }
            TriggerDreamRequest request = read(body, TriggerDreamRequest.class);
            return dream(workspaceId, request.observer(), request.observed(),
                    DreamType.fromValue(request.dreamType()));
        } catch (JsonProcessingException e) {
            if (bugs.contains("parse-only-catch") && e instanceof JsonMappingException binding) {
                throw binding;
            }
            if (bugs.contains("jackson-400")) {
                throw new RequestError(400, e.getOriginalMessage());
            }
            throw RequestError.invalid(problem(e));
        }
    }

    static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        String mediaType = contentType.split(";", 2)[0].trim();
        return mediaType.equalsIgnoreCase("application/json");
    }

    <T> T read(byte[] body, Class<T> type) throws RequestError, JsonProcessingException {
        if (bugs.contains("jackson-bytes")) {
            return nonNull(readBytes(body, type));
        }
        String text;
        if (bugs.contains("lenient-utf8")) {
            text = new String(body, StandardCharsets.UTF_8);
        } else {
            try {
                text = StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(body))
                        .toString();
            } catch (CharacterCodingException e) {
                throw RequestError.invalid(ValidationError.body(
                        "Invalid JSON: the body is not UTF-8", "json_invalid"));
            }
        }
        return nonNull(mapper.readValue(text, type));
    }

    <T> T readBytes(byte[] body, Class<T> type) throws JsonProcessingException {
        try {
            return mapper.readValue(body, type);
        } catch (JsonProcessingException e) {
            throw e;
        } catch (IOException e) {
            throw new IllegalStateException(e); // a byte array cannot fail to be read
        }
    }

    static <T> T nonNull(T request) throws RequestError {
        if (request == null) { // the body was null
            throw RequestError.invalid(
                    ValidationError.body("Input should be a JSON object", "object_type"));
        }
        return request;
    }

    /** The dream a bound body asks for: JSON null is no observer and no dream type. */
    static Dream dream(String workspaceId, String observer, String observed, DreamType type)
            throws RequestError {
        if (observer == null) {
            throw RequestError.invalid(
                    ValidationError.field("observer", NOT_A_STRING, "string_type"));
        }
        if (type == null) {
            throw RequestError.invalid(ValidationError.field("dream_type", NOT_A_MEMBER, "enum"));
        }
        return new Dream(workspaceId, observer, observed, type);
    }

    /** The 422 item for what Jackson could not read or bind. */
    static ValidationError problem(JsonProcessingException e) {
        if (e instanceof StreamReadException || e.getCause() instanceof StreamReadException) {
            String msg = e.getCause() instanceof JsonProcessingException cause
                    ? cause.getOriginalMessage() : e.getOriginalMessage();
            return ValidationError.body("Invalid JSON: " + msg, "json_invalid");
        }
        if (!(e instanceof JsonMappingException mapping)) {
            return ValidationError.body("Invalid JSON: " + e.getOriginalMessage(), "json_invalid");
        }
        String message = e.getOriginalMessage();
        if (message.startsWith("No content to map")) {
            return ValidationError.body("Request body is required", "missing");
        }
        if (message.startsWith("Trailing token")) { // FAIL_ON_TRAILING_TOKENS
            return ValidationError.body(
                    "Invalid JSON: data after the top-level value", "json_invalid");
        }
        String field = mapping.getPath().isEmpty() ? null : mapping.getPath().get(0).getFieldName();
        if (message.startsWith("Missing required creator property")) {
            field = message.split("'", 3)[1];
            return ValidationError.field(field, "Field required", "missing");
        }
        if (field == null) {
            return ValidationError.body("Input should be a JSON object", "object_type");
        }
        if (field.equals("dream_type")) {
            return ValidationError.field(field, NOT_A_MEMBER, "enum");
        }
        String type = e instanceof InvalidFormatException || e instanceof MismatchedInputException
                ? "string_type" : "value_error";
        return ValidationError.field(field, NOT_A_STRING, type);
    }

    void send(HttpExchange exchange, int status, Object detail, Map<String, String> headers)
            throws IOException {
        byte[] body = writer.writeValueAsBytes(Map.of("detail", detail));
        headers.forEach(exchange.getResponseHeaders()::set);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        boolean head = "HEAD".equals(exchange.getRequestMethod());
        exchange.sendResponseHeaders(status, head ? -1 : body.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    public static void main(String[] args) throws IOException {
        String host = "127.0.0.1";
        int port = 8000;
        String token = null;
        Set<String> bugs = new HashSet<>();
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            if (i + 1 >= args.length || !OPTIONS.contains(flag)) {
                usage("unknown or incomplete option " + flag + " (options: " + OPTIONS + ")");
            }
            String value = args[++i];
            switch (flag) {
                case "--host" -> host = value;
                case "--port" -> port = parsePort(value);
                case "--token" -> token = value;
                default -> {
                    if (!KNOWN_BUGS.contains(value)) {
                        usage("unknown --bug " + value + " (known: " + KNOWN_BUGS + ")");
                    }
                    bugs.add(value);
                }
            }
        }
        // The JDK's server writes an answer's head and body apart: without TCP_NODELAY, Nagle's
        // algorithm holds the body until the client's delayed ACK (about 40 ms an answer).
        System.setProperty("sun.net.httpserver.nodelay", "true");
        TriggerDreamServer app = new TriggerDreamServer(Set.copyOf(bugs), token);
        InetSocketAddress address = new InetSocketAddress(InetAddress.getByName(host), port);
        HttpServer server = HttpServer.create(address, 64);
        server.createContext(CONTEXT, app.handler(app::serve));
        server.createContext("/", app.handler(app::notFound));
        ExecutorService executor = Executors.newFixedThreadPool(8);
        server.setExecutor(executor);
        server.start();
        String shown = host.contains(":") ? "[" + host + "]" : host;
        System.out.println("listening on http://" + shown + ":" + server.getAddress().getPort());
        System.out.flush();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.stop(0);
            executor.shutdownNow();
        }));
    }

    static int parsePort(String value) {
        try {
            int port = Integer.parseInt(value);
            if (port >= 0 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        usage("invalid --port " + value);
        return -1;
    }

    static void usage(String message) {
        System.err.println("TriggerDreamServer: error: " + message);
        System.exit(2);
    }
}
