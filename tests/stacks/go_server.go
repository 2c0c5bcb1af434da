// Command go_server serves Honcho 2.5.1's POST /v2/workspaces/{workspace_id}/trigger_dream
// (openapi/trigger_dream.openapi.yaml) the way a Go team writes it on Go 1.19's standard
// library alone: net/http and encoding/json, no modules. Nothing is taken from the kit.
//
//	go build -o go_server tests/stacks/go_server.go
//	./go_server [--host 127.0.0.1] [--port 0] [--token T] [--bug NAME]...
//
// It prints "listening on http://HOST:PORT" once it listens and exits cleanly on SIGTERM.
//
// Choices where the document is silent (Go's natural behaviour unless said otherwise):
//   - Routing is by hand: Go 1.19's ServeMux has neither methods nor path parameters, and it
//     answers 301 for a path it would clean (//, /./). The decoded path (r.URL.Path) must be
//     /v2/workspaces/{workspace_id}/trigger_dream with one non-empty segment, so %2F splits
//     the segment (404). Other methods on the path, HEAD and OPTIONS included: 405 with
//     Allow: POST. Unknown paths: 404. Error bodies are JSON: {"detail": "..."}, and for 422
//     {"detail": [{"loc", "msg", "type"}]} with loc ["body"] or ["body", field].
//   - Auth (--token): after routing, before the body is read. The scheme is case-insensitive
//     (RFC 9110 11.1); a wrong or missing token is 401 with WWW-Authenticate: Bearer.
//   - Framing is net/http's: Content-Length or chunked (extensions skipped, trailers read),
//     100 Continue sent when the handler first reads the body, HTTP/1.0. net/http does not
//     decode content codings: any Content-Encoding but identity is 415 with
//     Accept-Encoding: identity (RFC 9110 15.5.16).
//   - Content-Type: the type/subtype before the first ";" decides, in any letter case;
//     parameters are ignored (RFC 8259 defines none for application/json; mime.ParseMediaType
//     would refuse duplicate or malformed ones, which change nothing here). No Content-Type:
//     the body is read as JSON. Any other media type: 415.
//   - Body limit: http.MaxBytesReader at 16 MiB (any string is a valid observer); past it 413.
//   - The body must be UTF-8 (RFC 8259 8.1): utf8.Valid before decoding, since encoding/json
//     replaces invalid bytes with U+FFFD. Not UTF-8: 422 json_invalid.
//   - Decoded into map[string]json.RawMessage, not a struct: encoding/json matches struct
//     fields case-insensitively, with Unicode folding ("ob\u017fserver" is observer), so keys
//     are compared here exactly. json.Decoder stops after the first value: a second Decode
//     must meet io.EOF, or the body is two values. Anything encoding/json refuses (it reads
//     RFC 8259 only: no comments, NaN, trailing commas, leading zeros...), a truncated body or
//     one past its 10,000 levels of nesting: 422 json_invalid at ["body"]; a value that is not
//     an object: 422 object_type; an empty body: 422 missing.
//   - Lone-surrogate escapes decode to U+FFFD (encoding/json); duplicate keys: the last wins;
//     undeclared keys are ignored, their values kept raw (numbers of any size).
//   - Validation reports every problem: types missing, string_type and enum.
//
// Planted bugs (--bug NAME, repeatable), each a classic Go mistake:
//   - struct-fields: the body decoded into a struct with `json:"observer"` tags, as the
//     encoding/json docs show -> keys match case-insensitively: {"OBSERVER": "a"} (or
//     "ob\u017fserver") is the observer, and an undeclared "Observer": 42 beside a valid
//     observer fails the body: 204 and 422 where the keys say otherwise.
//   - decoder-trailing: json.NewDecoder(...).Decode with no check that the body ends there ->
//     data after the value ({...} x, {...}{...}, {...}]) is ignored: 204 instead of 422.
//   - no-utf8-check: no utf8.Valid -> invalid bytes inside a string (Latin-1, a stray
//     continuation byte, an overlong form, an encoded surrogate) become U+FFFD: 204.
//   - content-length: the body read as io.LimitReader(r.Body, r.ContentLength) -> a chunked
//     body (ContentLength -1) reads as empty: 422 missing for a valid request.
//   - form-fallback: a body that is not JSON is read with r.FormValue "so curl -d works" ->
//     the fields sent form-urlencoded, multipart or in the query string are accepted: 204.
//   - disallow-unknown: the struct decoding with dec.DisallowUnknownFields() "to be strict" ->
//     any undeclared key is 422 instead of 204.
//   - exact-content-type: r.Header.Get("Content-Type") != "application/json" -> charset or
//     any other parameter, or another letter case, is 415 instead of 204.
//   - late-allow: the Allow header set after the 405 was written (w.WriteHeader already
//     sent the header) -> 405 without Allow.
//   - type-assertion: the body decoded into map[string]interface{} and dream_type taken as
//     body["dream_type"].(string) -> a non-string dream_type panics; net/http recovers the
//     panic and drops the connection: no answer at all.
//   - enum-switch: dream_type checked by a switch with no default case -> any string is a
//     dream type ("sleep", "Agent", " agent"): 204 instead of 422.
//   - implicit-200: the handler returns without w.WriteHeader(http.StatusNoContent) ->
//     net/http's implicit 200 OK with Content-Length: 0 instead of 204.
//   - http-error: errors written with http.Error(w, body, status) -> the JSON body goes out
//     as text/plain; charset=utf-8 (http.Error sets it) instead of application/json.
package main

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"
)

const (
	maxBodyBytes = 16 << 20
	routePrefix  = "/v2/workspaces/"
	routeSuffix  = "/trigger_dream"
)

var knownBugs = []string{
	"struct-fields", "decoder-trailing", "no-utf8-check", "content-length", "form-fallback",
	"disallow-unknown", "exact-content-type", "late-allow", "type-assertion", "enum-switch",
	"implicit-200", "http-error",
}

var dreamTypes = []string{"consolidate", "agent"}

type bugSet map[string]bool

func (b bugSet) String() string {
	names := make([]string, 0, len(b))
	for name := range b {
		names = append(names, name)
	}
	sort.Strings(names)
	return strings.Join(names, ",")
}

func (b bugSet) Set(name string) error {
	for _, known := range knownBugs {
		if name == known {
			b[name] = true
			return nil
		}
	}
	return fmt.Errorf("unknown bug %q (known: %s)", name, strings.Join(knownBugs, ", "))
}

// fieldError is one item of a 422's detail.
type fieldError struct {
	Loc  []string `json:"loc"`
	Msg  string   `json:"msg"`
	Type string   `json:"type"`
}

// requestError is an answer other than 204: a status and its detail.
type requestError struct {
	status int
	detail interface{} // a string, or []fieldError for 422
}

func (e *requestError) Error() string { return fmt.Sprintf("%d: %v", e.status, e.detail) }

func invalid(items ...fieldError) *requestError {
	return &requestError{status: http.StatusUnprocessableEntity, detail: items}
}

func bodyError(msg, typ string) fieldError {
	return fieldError{Loc: []string{"body"}, Msg: msg, Type: typ}
}

func fieldProblem(field, msg, typ string) fieldError {
	return fieldError{Loc: []string{"body", field}, Msg: msg, Type: typ}
}

// triggerDreamRequest is a valid body.
type triggerDreamRequest struct {
	Observer  string
	Observed  *string
	DreamType string
}

// triggerDreamJSON is the struct the encoding/json documentation would decode into (the
// struct-fields and disallow-unknown bugs).
type triggerDreamJSON struct {
	Observer  *string `json:"observer"`
	Observed  *string `json:"observed"`
	DreamType *string `json:"dream_type"`
}

type server struct {
	token string
	bugs  bugSet
}

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	workspaceID, ok := matchRoute(r.URL.Path)
	if !ok {
		s.writeError(w, &requestError{http.StatusNotFound, "Not Found"})
		return
	}
	if r.Method != http.MethodPost {
		if s.bugs["late-allow"] {
			s.writeError(w, &requestError{http.StatusMethodNotAllowed, "Method Not Allowed"})
			w.Header().Set("Allow", http.MethodPost)
			return
		}
		w.Header().Set("Allow", http.MethodPost)
		s.writeError(w, &requestError{http.StatusMethodNotAllowed, "Method Not Allowed"})
		return
	}
	if s.token != "" && !s.authorized(r) {
		w.Header().Set("WWW-Authenticate", "Bearer")
		s.writeError(w, &requestError{http.StatusUnauthorized, "Not authenticated"})
		return
	}
	req, err := s.readRequest(w, r)
	if err != nil {
		s.writeError(w, err)
		return
	}
	// A real server would enqueue the dream for (workspace, observer, observed or observer).
	_, _ = workspaceID, req
	if !s.bugs["implicit-200"] {
		w.WriteHeader(http.StatusNoContent)
	}
}

// matchRoute returns the workspace id of /v2/workspaces/{workspace_id}/trigger_dream.
func matchRoute(path string) (string, bool) {
	id := strings.TrimPrefix(path, routePrefix)
	if id == path || !strings.HasSuffix(id, routeSuffix) {
		return "", false
	}
	id = strings.TrimSuffix(id, routeSuffix)
	if id == "" || strings.Contains(id, "/") {
		return "", false
	}
	return id, true
}

func (s *server) authorized(r *http.Request) bool {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return false
	}
	given := []byte(strings.TrimSpace(token))
	return subtle.ConstantTimeCompare(given, []byte(s.token)) == 1
}

func (s *server) readRequest(w http.ResponseWriter, r *http.Request) (triggerDreamRequest, error) {
	for _, value := range r.Header.Values("Content-Encoding") {
		for _, coding := range strings.Split(value, ",") {
			coding = strings.TrimSpace(coding)
			if coding != "" && !strings.EqualFold(coding, "identity") {
				w.Header().Set("Accept-Encoding", "identity")
				return triggerDreamRequest{}, &requestError{http.StatusUnsupportedMediaType,
					"Content-Encoding " + coding + " is not supported"}
			}
		}
	}
	if !s.isJSON(r.Header) {
		if s.bugs["form-fallback"] {
			return formRequest(r)
		}
		return triggerDreamRequest{}, &requestError{http.StatusUnsupportedMediaType,
			"Content-Type must be application/json"}
	}
	body, err := s.readBody(w, r)
	if err != nil {
		return triggerDreamRequest{}, err
	}
	switch {
	case s.bugs["type-assertion"]:
		return genericRequest(body)
	case s.bugs["struct-fields"] || s.bugs["disallow-unknown"]:
		return s.structRequest(body)
	}
	fields, err := s.decodeFields(body)
	if err != nil {
		return triggerDreamRequest{}, err
	}
	return s.validate(fields)
}

func (s *server) isJSON(header http.Header) bool {
	contentType := header.Get("Content-Type")
	if s.bugs["exact-content-type"] {
		return contentType == "application/json"
	}
	if contentType == "" {
		return true // no Content-Type: read the body as the JSON it should be
	}
	mediaType, _, _ := strings.Cut(contentType, ";")
	return strings.EqualFold(strings.TrimSpace(mediaType), "application/json")
}

func (s *server) readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	var body []byte
	var err error
	if s.bugs["content-length"] {
		body, err = io.ReadAll(io.LimitReader(r.Body, r.ContentLength))
	} else {
		body, err = io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	}
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return nil, &requestError{http.StatusRequestEntityTooLarge,
			fmt.Sprintf("Request body is larger than %d bytes", tooLarge.Limit)}
	case err != nil:
		return nil, &requestError{http.StatusBadRequest, "Could not read the request body"}
	}
	if !s.bugs["no-utf8-check"] && !utf8.Valid(body) {
		return nil, invalid(bodyError("Invalid JSON: the body is not UTF-8", "json_invalid"))
	}
	return body, nil
}

// decodeFields reads the body as one JSON object, its keys as they are written.
func (s *server) decodeFields(body []byte) (map[string]json.RawMessage, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, invalid(bodyError("Request body is required", "missing"))
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	var fields map[string]json.RawMessage
	if err := dec.Decode(&fields); err != nil {
		return nil, decodeError(err)
	}
	if !s.bugs["decoder-trailing"] {
		if err := dec.Decode(&struct{}{}); err != io.EOF {
			return nil, invalid(bodyError("Invalid JSON: data after the top-level value",
				"json_invalid"))
		}
	}
	if fields == nil { // the body was null
		return nil, invalid(bodyError("Input should be a JSON object", "object_type"))
	}
	return fields, nil
}

func decodeError(err error) *requestError {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr) && typeErr.Field == "":
		return invalid(bodyError("Input should be a JSON object", "object_type"))
	case errors.As(err, &typeErr):
		return invalid(fieldProblem(typeErr.Field, "Input should be a string", "string_type"))
	case errors.As(err, &syntaxErr):
		msg := fmt.Sprintf("Invalid JSON at byte %d: %s", syntaxErr.Offset, syntaxErr)
		return invalid(bodyError(msg, "json_invalid"))
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return invalid(bodyError("Invalid JSON: unexpected end of input", "json_invalid"))
	}
	return invalid(bodyError("Invalid JSON: "+err.Error(), "json_invalid"))
}

func (s *server) validate(fields map[string]json.RawMessage) (triggerDreamRequest, error) {
	var req triggerDreamRequest
	var problems []fieldError
	if raw, ok := fields["observer"]; !ok {
		problems = append(problems, fieldProblem("observer", "Field required", "missing"))
	} else if observer, ok := jsonString(raw); !ok {
		problems = append(problems, fieldProblem("observer", "Input should be a string",
			"string_type"))
	} else {
		req.Observer = observer
	}
	if raw, ok := fields["observed"]; ok && string(raw) != "null" {
		if observed, ok := jsonString(raw); ok {
			req.Observed = &observed
		} else {
			problems = append(problems, fieldProblem("observed",
				"Input should be a string or null", "string_type"))
		}
	}
	if raw, ok := fields["dream_type"]; !ok {
		problems = append(problems, fieldProblem("dream_type", "Field required", "missing"))
	} else if dreamType, ok := jsonString(raw); !ok {
		problems = append(problems, enumProblem())
	} else {
		switch dreamType {
		case "consolidate", "agent":
			req.DreamType = dreamType
		default:
			if !s.bugs["enum-switch"] {
				problems = append(problems, enumProblem())
			}
		}
	}
	if len(problems) > 0 {
		return triggerDreamRequest{}, invalid(problems...)
	}
	return req, nil
}

// jsonString is the string a raw JSON value holds, if it is a string.
func jsonString(raw json.RawMessage) (string, bool) {
	var s string
	if len(raw) == 0 || raw[0] != '"' || json.Unmarshal(raw, &s) != nil {
		return "", false
	}
	return s, true
}

func isDreamType(s string) bool {
	for _, name := range dreamTypes {
		if s == name {
			return true
		}
	}
	return false
}

func enumProblem() fieldError {
	return fieldProblem("dream_type", "Input should be 'consolidate' or 'agent'", "enum")
}

func (s *server) structRequest(body []byte) (triggerDreamRequest, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return triggerDreamRequest{}, invalid(bodyError("Request body is required", "missing"))
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if s.bugs["disallow-unknown"] {
		dec.DisallowUnknownFields()
	}
	var in *triggerDreamJSON
	if err := dec.Decode(&in); err != nil {
		if msg := err.Error(); strings.HasPrefix(msg, "json: unknown field ") {
			return triggerDreamRequest{}, invalid(bodyError(msg, "extra_forbidden"))
		}
		return triggerDreamRequest{}, decodeError(err)
	}
	if err := dec.Decode(&struct{}{}); err != io.EOF {
		return triggerDreamRequest{}, invalid(bodyError(
			"Invalid JSON: data after the top-level value", "json_invalid"))
	}
	if in == nil {
		return triggerDreamRequest{}, invalid(bodyError("Input should be a JSON object",
			"object_type"))
	}
	var problems []fieldError
	if in.Observer == nil {
		problems = append(problems, fieldProblem("observer", "Field required", "missing"))
	}
	if in.DreamType == nil {
		problems = append(problems, fieldProblem("dream_type", "Field required", "missing"))
	} else if !isDreamType(*in.DreamType) {
		problems = append(problems, enumProblem())
	}
	if len(problems) > 0 {
		return triggerDreamRequest{}, invalid(problems...)
	}
	return triggerDreamRequest{Observer: *in.Observer, Observed: in.Observed,
		DreamType: *in.DreamType}, nil
}

func genericRequest(body []byte) (triggerDreamRequest, error) {
	var in map[string]interface{}
	if err := json.Unmarshal(body, &in); err != nil {
		return triggerDreamRequest{}, decodeError(err)
	}
	if in == nil {
		return triggerDreamRequest{}, invalid(bodyError("Input should be a JSON object",
			"object_type"))
	}
	var problems []fieldError
	observer, ok := in["observer"].(string)
	if !ok {
		problems = append(problems, fieldProblem("observer", "Input should be a string",
			"string_type"))
	}
	var observed *string
	if value, ok := in["observed"].(string); ok {
		observed = &value
	} else if in["observed"] != nil {
		problems = append(problems, fieldProblem("observed", "Input should be a string or null",
			"string_type"))
	}
	var dreamType string
	if _, present := in["dream_type"]; !present {
		problems = append(problems, fieldProblem("dream_type", "Field required", "missing"))
	} else if dreamType = in["dream_type"].(string); !isDreamType(dreamType) {
		problems = append(problems, enumProblem())
	}
	if len(problems) > 0 {
		return triggerDreamRequest{}, invalid(problems...)
	}
	return triggerDreamRequest{Observer: observer, Observed: observed, DreamType: dreamType}, nil
}

func formRequest(r *http.Request) (triggerDreamRequest, error) {
	req := triggerDreamRequest{Observer: r.FormValue("observer"), DreamType: r.FormValue("dream_type")}
	var problems []fieldError
	if req.Observer == "" {
		problems = append(problems, fieldProblem("observer", "Field required", "missing"))
	}
	if observed := r.FormValue("observed"); observed != "" {
		req.Observed = &observed
	}
	if !isDreamType(req.DreamType) {
		problems = append(problems, enumProblem())
	}
	if len(problems) > 0 {
		return triggerDreamRequest{}, invalid(problems...)
	}
	return req, nil
}

func (s *server) writeError(w http.ResponseWriter, err error) {
	var answer *requestError
	if !errors.As(err, &answer) {
		answer = &requestError{http.StatusInternalServerError, "Internal Server Error"}
	}
	body, _ := json.Marshal(map[string]interface{}{"detail": answer.detail})
	if s.bugs["http-error"] {
		http.Error(w, string(body), answer.status)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(answer.status)
	_, _ = w.Write(append(body, '\n'))
}

func main() {
	bugs := bugSet{}
	flags := flag.NewFlagSet("go_server", flag.ContinueOnError)
	host := flags.String("host", "127.0.0.1", "address to listen on")
	port := flags.Int("port", 8000, "port to listen on (0: a free one)")
	token := flags.String("token", "", "require Authorization: Bearer TOKEN")
	flags.Var(bugs, "bug", "plant a bug (repeatable): "+strings.Join(knownBugs, ", "))
	if err := flags.Parse(os.Args[1:]); err != nil {
		os.Exit(2)
	}

	ln, err := net.Listen("tcp", net.JoinHostPort(*host, strconv.Itoa(*port)))
	if err != nil {
		fmt.Fprintf(os.Stderr, "go_server: cannot listen on %s:%d: %v\n", *host, *port, err)
		os.Exit(2)
	}
	srv := &http.Server{
		Handler:           &server{token: *token, bugs: bugs},
		ReadHeaderTimeout: 30 * time.Second,
	}
	shown := *host
	if strings.Contains(shown, ":") {
		shown = "[" + shown + "]"
	}
	fmt.Printf("listening on http://%s:%d\n", shown, ln.Addr().(*net.TCPAddr).Port)

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintf(os.Stderr, "go_server: %v\n", err)
		os.Exit(1)
	}
}
