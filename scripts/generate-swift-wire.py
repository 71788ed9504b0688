#!/usr/bin/python3
"""Swift code for the project's .proto files, over protoc-c's C structs.

Run by scripts/generate-protos (never by hand): it reads the FileDescriptorSet protoc-c
wrote and emits, for every .proto under proto/,
  Sources/Wire/Generated/<path_with_underscores>.pb.swift      messages, enums, C bridging
  Sources/CRMAPI/Generated/<path_with_underscores>+Services.swift  service stubs (if any)
plus Sources/Wire/Generated/WireRegistry+Messages.swift, Sources/CRMAPI/Generated/
APICatalog.swift and Tests/WireTests/Generated/*+Samples.swift (one sample per message,
every field set, one per oneof case).

Mapping: a file's `option swift_prefix = "X";` names a `public enum X {}` namespace that
holds its package's types (declared by the package's first file in path order). Messages
become structs (fields `call_id` -> `callID`: lowerCamel with acronyms such as ID and URL
upper-cased; JSON keys stay protobuf's JSON names, `callId`), singular message fields
optionals, repeated fields arrays, bytes `[UInt8]`. Enums become open Swift enums: cases
lowerCamel after the UPPER_SNAKE enum-name prefix, plus `.unrecognized(Int32)`. A oneof
becomes `enum <UpperCamel name>` and an optional property, plus one accessor per case.
A service becomes an enum with Method descriptors, a ServiceProtocol and a Client.

Limits (the generator stops with an error naming the file and element):
  - proto2 files, groups, extensions, proto3 `optional` (protoc-c 1.4 refuses it too):
    model presence with a oneof or a wrapper message.
  - map<,> fields: use `repeated` of an entry message.
  - recursive message types (a message reachable from itself): Swift structs cannot
    hold themselves, and the samples would never end.
  - enum aliases (allow_alias), enums whose zero value is not first, and imports of
    files outside proto/ (google/protobuf/*.proto has no protoc-c output here).
  - streaming rpcs: the RPC core is unary only; rpc names that protoc-c turns into a
    C keyword (`Do` -> `do`), which its service struct does not escape.
  - names that would clash in Swift: type names of Swift's standard types used by the
    generated code, members the runtime defines (protoMessageName, serializedBytes,
    ...), a oneof whose UpperCamel name equals a nested type's.
Strings are NUL-terminated in protobuf-c, so a string with an embedded NUL would be cut
there: encoding refuses it and decoding detects it (the runtime compares a string with the
block protobuf-c copied it into), both throwing a WireError naming the field.
"""

import argparse
import os
import re
import sys

from google.protobuf import descriptor_pb2 as pb

F = pb.FieldDescriptorProto


class GenError(Exception):
    pass


SWIFT_KEYWORDS = {
    "associatedtype", "class", "deinit", "enum", "extension", "fileprivate", "func",
    "import", "init", "inout", "internal", "let", "open", "operator", "private",
    "precedencegroup", "protocol", "public", "rethrows", "static", "struct", "subscript",
    "typealias", "var", "break", "case", "catch", "continue", "default", "defer", "do",
    "else", "fallthrough", "for", "guard", "if", "in", "repeat", "return", "throw",
    "switch", "where", "while", "Any", "as", "false", "is", "nil", "self", "Self",
    "super", "throws", "true", "try", "await", "async", "some", "any", "consume",
    "borrowing", "consuming", "copy", "discard", "each", "package", "Type", "Protocol",
}

# Type names the generated code uses unqualified; a proto type with one of these names
# would shadow it inside the namespace.
RESERVED_TYPE_NAMES = {
    "String", "Bool", "Int", "Int32", "Int64", "UInt32", "UInt64", "UInt8", "Double",
    "Float", "Array", "Optional", "Error", "Decoder", "Encoder", "CodingKey", "CodingKeys",
    "Hasher", "Sendable", "Hashable", "Codable", "CaseIterable", "Never",
    "DecodingError", "UnsafePointer", "CStruct", "CMessageBridge", "WireArena", "WireNoKeys",
    "WireMessage", "WireEnum", "WireError", "WireRegistry", "Swift", "Wire", "RPCCore", "CRMAPI",
    # Used unqualified inside the service enums, which live in the package namespace.
    "MethodDescriptor", "Metadata", "CallOptions", "ServerContext", "RPCClient",
    "RPCRouter", "RegistrableRPCService", "WireSerializer", "WireDeserializer",
}

# Members a message already has (a same-named property would be a redeclaration).
RESERVED_MEMBER_NAMES = {"protoMessageName", "serializedBytes", "hashValue", "cDescriptor", "cEmpty"}

C_KEYWORDS = {
    "and", "and_eq", "asm", "auto", "bitand", "bitor", "bool", "break", "case", "catch",
    "char", "class", "compl", "const", "const_cast", "continue", "default", "delete", "do",
    "double", "dynamic_cast", "else", "enum", "explicit", "extern", "false", "float", "for",
    "friend", "goto", "if", "inline", "int", "long", "mutable", "namespace", "new", "not",
    "not_eq", "operator", "or", "or_eq", "private", "protected", "public", "register",
    "reinterpret_cast", "return", "short", "signed", "sizeof", "static", "static_cast",
    "struct", "switch", "template", "this", "throw", "true", "try", "typedef", "typeid",
    "typename", "union", "unsigned", "using", "virtual", "void", "volatile", "wchar_t",
    "while", "xor", "xor_eq",
}

SCALARS = {
    # type: (swift type, default literal, kind)
    F.TYPE_INT32: ("Int32", "0", "num"), F.TYPE_SINT32: ("Int32", "0", "num"),
    F.TYPE_SFIXED32: ("Int32", "0", "num"), F.TYPE_INT64: ("Int64", "0", "num"),
    F.TYPE_SINT64: ("Int64", "0", "num"), F.TYPE_SFIXED64: ("Int64", "0", "num"),
    F.TYPE_UINT32: ("UInt32", "0", "num"), F.TYPE_FIXED32: ("UInt32", "0", "num"),
    F.TYPE_UINT64: ("UInt64", "0", "num"), F.TYPE_FIXED64: ("UInt64", "0", "num"),
    F.TYPE_DOUBLE: ("Double", "0", "num"), F.TYPE_FLOAT: ("Float", "0", "num"),
    F.TYPE_BOOL: ("Bool", "false", "bool"), F.TYPE_STRING: ("String", '""', "string"),
    F.TYPE_BYTES: ("[UInt8]", "[]", "bytes"),
}

HEADER = "// Generated by scripts/generate-protos from {src}. DO NOT EDIT.\n"


# --- names ---------------------------------------------------------------------------

def lower_camel(name):
    """protobuf's JSON name: `call_id` -> `callId`."""
    out, upper = [], False
    for ch in name:
        if ch == "_":
            upper = True
        elif upper:
            out.append(ch.upper())
            upper = False
        else:
            out.append(ch)
    s = "".join(out)
    return s[:1].lower() + s[1:]


# Words written as acronyms in Swift names (Swift API guidelines: `callID`, as
# RPCCore's `requestID`); JSON keys keep protobuf's JSON names (`callId`).
ACRONYMS = {"id", "ids", "url", "urls", "uri", "uuid", "http", "https", "json", "html", "xml"}


def swift_member_name(snake):
    """`call_id` -> `callID`, `id` -> `id`, `card_ids` -> `cardIDs`."""
    words = [w for w in snake.split("_") if w]
    out = []
    for i, w in enumerate(words):
        low = w.lower()
        if i == 0:
            out.append(w[:1].lower() + w[1:])
        elif low in ACRONYMS:
            out.append(low[:-1].upper() + "s" if low.endswith("s") and low != "https" else low.upper())
        else:
            out.append(w[:1].upper() + w[1:])
    return "".join(out)


def upper_camel(name):
    s = lower_camel(name)
    return s[:1].upper() + s[1:]


def upper_snake(camel):
    """`StatusCode` -> `STATUS_CODE`, `HTTPStatus` -> `HTTP_STATUS`."""
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", camel)
    s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", s)
    return s.upper()


def esc(name):
    return f"`{name}`" if name in SWIFT_KEYWORDS else name


def string_literal(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


# protoc-c 1.4's c_helpers.cc, so the Swift side names its C symbols.
def c_to_camel(piece):
    out, upper = [], True
    for ch in piece:
        if ch == "_":
            upper = True
        elif upper:
            out.append(ch.upper())
            upper = False
        else:
            out.append(ch)
    return "".join(out)


def c_camel_to_lower(piece):
    out, was_upper = [], True
    for ch in piece:
        is_upper = ch.isupper()
        if is_upper:
            if not was_upper:
                out.append("_")
            out.append(ch.lower())
        else:
            out.append(ch)
        was_upper = is_upper
    return "".join(out)


def c_type_name(full_name):
    return "__".join(c_to_camel(p) for p in full_name.split(".") if p)


def c_lower_name(full_name):
    return "__".join(c_camel_to_lower(p) for p in full_name.split(".") if p)


def c_field_name(name):
    n = name.lower()
    return n + "_" if n in C_KEYWORDS else n


def doc(comment, indent):
    if not comment:
        return ""
    lines = comment.rstrip("\n").split("\n")
    out = []
    for line in lines:
        line = line[1:] if line.startswith(" ") else line
        out.append(f"{indent}///" + (f" {line}" if line.strip() else ""))
    return "\n".join(out) + "\n"


# --- model ---------------------------------------------------------------------------

class Enum:
    def __init__(self, file, proto, full_name, swift_name, path):
        self.file, self.proto, self.full_name, self.swift_name = file, proto, full_name, swift_name
        self.local_name = proto.name
        self.comment = file.comment(path)
        self.values = []  # (proto name, number, swift case, comment)
        where = f"{file.name}: enum {full_name}"
        if proto.options.allow_alias:
            raise GenError(f"{where}: allow_alias is not supported")
        if not proto.value or proto.value[0].number != 0:
            raise GenError(f"{where}: the first value must be 0")
        prefix = upper_snake(proto.name) + "_"
        strip = all(v.name.startswith(prefix) and len(v.name) > len(prefix) for v in proto.value)
        seen = set()
        for i, v in enumerate(proto.value):
            rest = v.name[len(prefix):] if strip else v.name
            case = swift_member_name(rest.lower())
            if not case or not (case[0].isalpha() or case[0] == "_"):
                raise GenError(f"{where}: value {v.name} gives no Swift identifier ({case!r})")
            if case in seen or case == "unrecognized":
                raise GenError(f"{where}: value {v.name} clashes as Swift case .{case}")
            seen.add(case)
            self.values.append((v.name, v.number, case, file.comment(path + [2, i])))


class Field:
    def __init__(self, msg, proto, path):
        self.msg, self.proto = msg, proto
        self.name = proto.name
        self.number = proto.number
        self.repeated = proto.label == F.LABEL_REPEATED
        self.type = proto.type
        self.type_name = proto.type_name  # ".pkg.Msg" for messages and enums
        self.prop = swift_member_name(proto.name)
        self.json = proto.json_name or lower_camel(proto.name)
        self.c_name = c_field_name(proto.name)
        self.in_oneof = proto.HasField("oneof_index")
        self.oneof_index = proto.oneof_index if self.in_oneof else None
        self.comment = msg.file.comment(path)
        where = f"{msg.file.name}: field {msg.full_name}.{proto.name}"
        if proto.proto3_optional:
            raise GenError(f"{where}: proto3 `optional` is not supported (protoc-c 1.4 refuses it); use a oneof or a wrapper message")
        if proto.type == F.TYPE_GROUP:
            raise GenError(f"{where}: groups are not supported")
        if proto.HasField("extendee"):
            raise GenError(f"{where}: extensions are not supported")
        if self.prop in RESERVED_MEMBER_NAMES:
            raise GenError(f"{where}: the Swift name `{self.prop}` is reserved by the runtime")


class Oneof:
    def __init__(self, msg, proto, index, path):
        self.msg, self.name = msg, proto.name
        self.prop = swift_member_name(proto.name)
        self.type_name = upper_camel(proto.name)
        self.c_case = c_field_name(proto.name) + "_case"
        self.comment = msg.file.comment(path)
        self.fields = []


class Message:
    def __init__(self, file, proto, full_name, swift_name, path):
        self.file, self.proto, self.full_name, self.swift_name = file, proto, full_name, swift_name
        self.local_name = proto.name
        self.comment = file.comment(path)
        self.c_type = c_type_name(full_name)
        self.c_init = c_lower_name(full_name) + "__init"
        where = f"{file.name}: message {full_name}"
        if proto.options.map_entry:
            raise GenError(f"{where}: map fields are not supported; use a repeated entry message")
        if proto.extension or proto.extension_range:
            raise GenError(f"{where}: extensions are not supported")
        self.messages = []
        self.enums = []
        for i, m in enumerate(proto.nested_type):
            if m.options.map_entry:
                field = next((f.name for f in proto.field if f.type_name.endswith("." + m.name)), m.name)
                raise GenError(f"{where}: field {field} is a map; maps are not supported, use a repeated entry message")
            self.messages.append(Message(file, m, f"{full_name}.{m.name}", f"{swift_name}.{m.name}", path + [3, i]))
        for i, e in enumerate(proto.enum_type):
            self.enums.append(Enum(file, e, f"{full_name}.{e.name}", f"{swift_name}.{e.name}", path + [4, i]))
        self.fields = [Field(self, f, path + [2, i]) for i, f in enumerate(proto.field)]
        self.oneofs = [Oneof(self, o, i, path + [8, i]) for i, o in enumerate(proto.oneof_decl)]
        for f in self.fields:
            if f.in_oneof:
                self.oneofs[f.oneof_index].fields.append(f)
        props = {}
        for name, source in [(f.prop, f.name) for f in self.fields] + [(o.prop, o.name) for o in self.oneofs]:
            if name in props:
                raise GenError(f"{where}: {source} and {props[name]} both become Swift member `{name}`")
            props[name] = source
        nested = {m.local_name for m in self.messages} | {e.local_name for e in self.enums}
        for n in nested:
            if n in RESERVED_TYPE_NAMES or n in SWIFT_KEYWORDS:
                raise GenError(f"{where}: nested type name {n} clashes with a Swift name the generated code uses")
        for o in self.oneofs:
            if o.type_name in nested or o.type_name in RESERVED_TYPE_NAMES:
                raise GenError(f"{where}: oneof {o.name} would be Swift type {o.type_name}, which clashes")
            if o.prop in RESERVED_MEMBER_NAMES:
                raise GenError(f"{where}: oneof {o.name}: the Swift name `{o.prop}` is reserved")
            if not o.fields:
                raise GenError(f"{where}: oneof {o.name} is empty")

    def plain_fields(self):
        return [f for f in self.fields if not f.in_oneof]

    def walk(self):
        yield self
        for m in self.messages:
            yield from m.walk()


class Service:
    def __init__(self, file, proto, path):
        self.file, self.proto = file, proto
        self.name = proto.name
        self.full_name = f"{file.package}.{proto.name}" if file.package else proto.name
        self.swift_name = f"{file.prefix}.{proto.name}"
        self.comment = file.comment(path)
        self.methods = []
        for i, m in enumerate(proto.method):
            if m.client_streaming or m.server_streaming:
                raise GenError(f"{file.name}: rpc {self.full_name}.{m.name}: streaming is not supported")
            if c_camel_to_lower(m.name) in C_KEYWORDS:
                raise GenError(f"{file.name}: rpc {self.full_name}.{m.name}: protoc-c names a C member `{c_camel_to_lower(m.name)}`, a C keyword; rename the rpc")
            self.methods.append((m, file.comment(path + [2, i])))


class File:
    def __init__(self, proto):
        self.proto = proto
        self.name = proto.name
        self.package = proto.package
        self.prefix = proto.options.swift_prefix
        self.comments = {}
        for loc in proto.source_code_info.location:
            if loc.leading_comments:
                self.comments[tuple(loc.path)] = loc.leading_comments
        if proto.syntax != "proto3":
            raise GenError(f"{self.name}: only proto3 is supported (syntax is {proto.syntax or 'proto2'!r})")
        if not self.prefix:
            raise GenError(f'{self.name}: add `option swift_prefix = "...";` (it names the Swift namespace of package {self.package})')
        if not re.fullmatch(r"[A-Z][A-Za-z0-9]*", self.prefix) or self.prefix in RESERVED_TYPE_NAMES:
            raise GenError(f"{self.name}: swift_prefix {self.prefix!r} must be an UpperCamel Swift identifier")
        if proto.extension:
            raise GenError(f"{self.name}: extensions are not supported")
        self.messages = [Message(self, m, self.qual(m.name), f"{self.prefix}.{m.name}", [4, i])
                         for i, m in enumerate(proto.message_type)]
        self.enums = [Enum(self, e, self.qual(e.name), f"{self.prefix}.{e.name}", [5, i])
                      for i, e in enumerate(proto.enum_type)]
        self.services = [Service(self, s, [6, i]) for i, s in enumerate(proto.service)]
        for n in [m.local_name for m in self.messages] + [e.local_name for e in self.enums] + [s.name for s in self.services]:
            if n in RESERVED_TYPE_NAMES or n in SWIFT_KEYWORDS:
                raise GenError(f"{self.name}: type name {n} clashes with a Swift name the generated code uses")

    def qual(self, name):
        return f"{self.package}.{name}" if self.package else name

    def comment(self, path):
        return self.comments.get(tuple(path))

    def all_messages(self):
        for m in self.messages:
            yield from m.walk()

    def all_enums(self):
        yield from self.enums
        for m in self.all_messages():
            yield from m.enums

    def base(self):
        return self.name[:-len(".proto")].replace("/", "_").replace("-", "_")


class Model:
    def __init__(self, fds, proto_root):
        self.files = []
        for fp in fds.file:
            if not os.path.isfile(os.path.join(proto_root, fp.name)):
                raise GenError(f"{fp.name}: imported from outside {proto_root}/ (well-known types have no protoc-c output here)")
            self.files.append(File(fp))
        self.files.sort(key=lambda f: f.name)
        self.types = {}
        for f in self.files:
            for m in f.all_messages():
                self.types["." + m.full_name] = m
            for e in f.all_enums():
                self.types["." + e.full_name] = e
        prefixes = {}
        for f in self.files:
            other = prefixes.setdefault(f.package, f.prefix)
            if other != f.prefix:
                raise GenError(f"{f.name}: package {f.package} has swift_prefix {f.prefix!r} here and {other!r} elsewhere")
        by_prefix = {}
        for pkg, pre in prefixes.items():
            if by_prefix.setdefault(pre, pkg) != pkg:
                raise GenError(f"swift_prefix {pre!r} is used by packages {pkg} and {by_prefix[pre]}")
        names = {}
        for f in self.files:
            for t in [m.swift_name for m in f.messages] + [e.swift_name for e in f.enums] + [s.swift_name for s in f.services]:
                if t in names:
                    raise GenError(f"{f.name}: Swift type {t} is also declared by {names[t]}")
                names[t] = f.name
        self.check_recursion()

    def type(self, field):
        t = self.types.get(field.type_name)
        if t is None:
            raise GenError(f"{field.msg.file.name}: field {field.msg.full_name}.{field.name}: unknown type {field.type_name}")
        return t

    def check_recursion(self):
        state = {}

        def visit(m, stack):
            if state.get(m.full_name) == "done":
                return
            if state.get(m.full_name) == "active":
                cycle = " -> ".join(stack[stack.index(m.full_name):] + [m.full_name])
                raise GenError(f"{m.file.name}: recursive message types are not supported: {cycle}")
            state[m.full_name] = "active"
            for f in m.fields:
                if f.type == F.TYPE_MESSAGE:
                    visit(self.type(f), stack + [m.full_name])
            state[m.full_name] = "done"

        for f in self.files:
            for m in f.all_messages():
                visit(m, [])

    def packages(self):
        """package -> first file (sorted) that declares its namespace enum."""
        first = {}
        for f in self.files:
            first.setdefault(f.package, f)
        return first


# --- Swift: types --------------------------------------------------------------------

class Out:
    def __init__(self):
        self.parts = []

    def __call__(self, line=""):
        self.parts.append(line + "\n")

    def raw(self, text):
        self.parts.append(text)

    def text(self):
        return "".join(self.parts)


def swift_type(model, f, element=False):
    if f.type in (F.TYPE_MESSAGE, F.TYPE_ENUM):
        t = model.type(f).swift_name
    else:
        t = SCALARS[f.type][0]
    if f.repeated and not element:
        return f"[{t}]"
    return t


def swift_default(model, f):
    if f.repeated:
        return "[]"
    if f.type == F.TYPE_MESSAGE:
        return "nil"
    if f.type == F.TYPE_ENUM:
        return "." + esc(model.type(f).values[0][2])
    return SCALARS[f.type][1]


def prop_type(model, f):
    t = swift_type(model, f)
    return t + "?" if (f.type == F.TYPE_MESSAGE and not f.repeated) else t


def emit_enum_decl(model, out, e, ind):
    out.raw(doc(e.comment, ind))
    out(f"{ind}public enum {e.local_name}: WireEnum {{")
    for name, number, case, comment in e.values:
        out.raw(doc(comment, ind + "    "))
        out(f"{ind}    case {esc(case)} // {name} = {number}")
    out(f"{ind}    /// A value this build does not know; proto3 enums are open, so it survives a round trip.")
    out(f"{ind}    case unrecognized(Int32)")
    out(f"{ind}}}")


def emit_message_decl(model, out, m, ind):
    out.raw(doc(m.comment, ind))
    out(f"{ind}public struct {m.local_name}: WireMessage {{")
    i2 = ind + "    "
    out(f"{i2}public static let protoMessageName = {string_literal(m.full_name)}")
    for f in m.plain_fields():
        out()
        out.raw(doc(f.comment, i2))
        out(f"{i2}public var {esc(f.prop)}: {prop_type(model, f)} = {swift_default(model, f)}")
    for o in m.oneofs:
        out()
        out.raw(doc(o.comment, i2))
        out(f"{i2}public var {esc(o.prop)}: {o.type_name}? = nil")
        out()
        out(f"{i2}public enum {o.type_name}: Sendable, Hashable, Codable {{")
        for f in o.fields:
            out.raw(doc(f.comment, i2 + "    "))
            out(f"{i2}    case {esc(f.prop)}({swift_type(model, f)})")
        out(f"{i2}}}")
    out()
    out(f"{i2}public init() {{}}")
    members = [(f.prop, prop_type(model, f), swift_default(model, f)) for f in m.plain_fields()]
    members += [(o.prop, o.type_name + "?", "nil") for o in m.oneofs]
    if members:
        out()
        params = ", ".join(f"{esc(n)}: {t} = {d}" for n, t, d in members)
        out(f"{i2}public init({params}) {{")
        for n, _, _ in members:
            out(f"{i2}    self.{esc(n)} = {esc(n)}")
        out(f"{i2}}}")
    for e in m.enums:
        out()
        emit_enum_decl(model, out, e, i2)
    for n in m.messages:
        out()
        emit_message_decl(model, out, n, i2)
    out(f"{ind}}}")


def emit_enum_impl(model, out, e):
    t = e.swift_name
    out()
    out(f"extension {t} {{")
    out(f"    public static let protoEnumName = {string_literal(e.full_name)}")
    out(f"    public static let allCases: [{t}] = [{', '.join('.' + esc(c) for _, _, c, _ in e.values)}]")
    out()
    out(f"    public init() {{ self = .{esc(e.values[0][2])} }}")
    out()
    out("    public init(rawValue: Int32) {")
    out("        switch rawValue {")
    for _, number, case, _ in e.values:
        out(f"        case {number}: self = .{esc(case)}")
    out("        default: self = .unrecognized(rawValue)")
    out("        }")
    out("    }")
    out()
    out("    public init?(protoName: String) {")
    out("        switch protoName {")
    for name, _, case, _ in e.values:
        out(f"        case {string_literal(name)}: self = .{esc(case)}")
    out("        default: return nil")
    out("        }")
    out("    }")
    out()
    out("    public var rawValue: Int32 {")
    out("        switch self {")
    for _, number, case, _ in e.values:
        out(f"        case .{esc(case)}: {number}")
    out("        case .unrecognized(let value): value")
    out("        }")
    out("    }")
    out()
    out("    /// The value's name in the .proto file; the decimal number when unrecognized.")
    out("    public var protoName: String {")
    out("        switch self {")
    for name, _, case, _ in e.values:
        out(f"        case .{esc(case)}: {string_literal(name)}")
    out("        case .unrecognized(let value): String(value)")
    out("        }")
    out("    }")
    out()
    out(f"    public static func == (lhs: {t}, rhs: {t}) -> Bool {{ lhs.rawValue == rhs.rawValue }}")
    out("    public func hash(into hasher: inout Hasher) { hasher.combine(rawValue) }")
    out("    public init(from decoder: any Decoder) throws { self = try wireDecodeEnum(from: decoder) }")
    out("    public func encode(to encoder: any Encoder) throws { try wireEncodeEnum(self, to: encoder) }")
    out("}")


# --- Swift: Codable ------------------------------------------------------------------

def coding_keys(fields):
    return ", ".join(esc(f.prop) if f.prop == f.json else f"{esc(f.prop)} = {string_literal(f.json)}" for f in fields)


def decode_stmt(model, f, key, target, ind):
    """Lines that decode field f (if present) from container `c` into `target`."""
    if f.type == F.TYPE_BYTES:
        fn = "wireDecodeBytesArray" if f.repeated else "wireDecodeBytes"
        return f"{ind}if let v = try c.{fn}(forKey: .{key}) {{ {target} }}"
    return f"{ind}if let v = try c.decodeIfPresent({swift_type(model, f)}.self, forKey: .{key}) {{ {target} }}"


def encode_stmt(f, value, key):
    if f.type == F.TYPE_BYTES:
        fn = "wireEncodeBytesArray" if f.repeated else "wireEncodeBytes"
        return f"try c.{fn}({value}, forKey: .{key})"
    return f"try c.encode({value}, forKey: .{key})"


def emit_codable(model, out, m):
    keys = m.fields
    out()
    if not keys:
        out("    public init(from decoder: any Decoder) throws { self.init() }")
        out("    public func encode(to encoder: any Encoder) throws { _ = encoder.container(keyedBy: WireNoKeys.self) }")
        return
    out(f"    enum CodingKeys: String, CodingKey {{ case {coding_keys(keys)} }}")
    out()
    out("    /// A missing key (or null) leaves the field at its default, so JSON templates may omit fields.")
    out("    public init(from decoder: any Decoder) throws {")
    out("        let c = try decoder.container(keyedBy: CodingKeys.self)")
    out("        self.init()")
    for f in m.plain_fields():
        out(decode_stmt(model, f, esc(f.prop), f"self.{esc(f.prop)} = v", "        "))
    for o in m.oneofs:
        for f in o.fields:
            out(decode_stmt(model, f, esc(f.prop), f"self.{esc(o.prop)} = .{esc(f.prop)}(v)", "        "))
    out("    }")
    out()
    out("    public func encode(to encoder: any Encoder) throws {")
    out("        var c = encoder.container(keyedBy: CodingKeys.self)")
    for f in m.plain_fields():
        if f.type == F.TYPE_MESSAGE and not f.repeated:
            out(f"        if let v = self.{esc(f.prop)} {{ try c.encode(v, forKey: .{esc(f.prop)}) }}")
        else:
            out(f"        {encode_stmt(f, 'self.' + esc(f.prop), esc(f.prop))}")
    for o in m.oneofs:
        out(f"        switch self.{esc(o.prop)} {{")
        for f in o.fields:
            out(f"        case .{esc(f.prop)}(let v)?: {encode_stmt(f, 'v', esc(f.prop))}")
        out("        case nil: break")
        out("        }")
    out("    }")


def emit_oneof_extras(model, out, m, o):
    """Accessors on the message and Codable for the oneof enum itself ({"case": value})."""
    out()
    for f in o.fields:
        t = swift_type(model, f)
        p = esc(f.prop)
        out(f"    /// `{o.prop}` when it holds `.{f.prop}`; setting nil clears `{o.prop}` only if it held `.{f.prop}`.")
        out(f"    public var {p}: {t}? {{")
        out(f"        get {{ if case .{p}(let v)? = self.{esc(o.prop)} {{ v }} else {{ nil }} }}")
        out(f"        set {{")
        out(f"            if let newValue {{ self.{esc(o.prop)} = .{p}(newValue) }}")
        out(f"            else if case .{p}? = self.{esc(o.prop)} {{ self.{esc(o.prop)} = nil }}")
        out(f"        }}")
        out(f"    }}")
    out("}")
    out()
    ot = f"{m.swift_name}.{o.type_name}"
    out(f"extension {ot} {{")
    out(f"    enum CodingKeys: String, CodingKey {{ case {coding_keys(o.fields)} }}")
    out()
    out("    public init(from decoder: any Decoder) throws {")
    out("        let c = try decoder.container(keyedBy: CodingKeys.self)")
    for f in o.fields:
        out(decode_stmt(model, f, esc(f.prop), f"self = .{esc(f.prop)}(v); return", "        "))
    out(f"        throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: {string_literal('expected one of: ' + ', '.join(f.prop for f in o.fields))}))")
    out("    }")
    out()
    out("    public func encode(to encoder: any Encoder) throws {")
    out("        var c = encoder.container(keyedBy: CodingKeys.self)")
    out("        switch self {")
    for f in o.fields:
        out(f"        case .{esc(f.prop)}(let v): {encode_stmt(f, 'v', esc(f.prop))}")
    out("        }")
    out("    }")
    out("}")


def emit_message_impl(model, out, m):
    t = m.swift_name
    out()
    out(f"extension {t} {{")
    out("    public init<Bytes: Swift.Collection>(serializedBytes bytes: Bytes) throws(WireError) where Bytes.Element == UInt8 {")
    out("        self = try wireDecode(bytes)")
    out("    }")
    out()
    out("    public func serializedBytes() throws(WireError) -> [UInt8] { try wireEncode(self) }")
    emit_codable(model, out, m)
    if m.oneofs:
        for i, o in enumerate(m.oneofs):
            if i > 0:
                out()
                out(f"extension {t} {{")
            emit_oneof_extras(model, out, m, o)
    else:
        out("}")
    emit_bridge(model, out, m)


# --- Swift: C bridging ---------------------------------------------------------------

def c_read(model, f, src):
    """Swift expression converting C field `src` (non-repeated) to Swift."""
    if f.type == F.TYPE_MESSAGE:
        return f"try wireMessage({src}, \"{f.name}\") as {model.type(f).swift_name}"
    if f.type == F.TYPE_ENUM:
        return f"{model.type(f).swift_name}(rawValue: Int32(truncatingIfNeeded: {src}.rawValue))"
    if f.type == F.TYPE_STRING:
        return f"try wireString({src}, \"{f.name}\")"
    if f.type == F.TYPE_BYTES:
        return f"wireBytes({src})"
    if f.type == F.TYPE_BOOL:
        return f"{src} != 0"
    return src


def c_read_repeated(model, f, n, p):
    if f.type == F.TYPE_MESSAGE:
        return f"try wireMessages({n}, {p}, \"{f.name}\")"
    if f.type == F.TYPE_ENUM:
        return f"wireMapped({n}, {p}) {{ {model.type(f).swift_name}(rawValue: Int32(truncatingIfNeeded: $0.rawValue)) }}"
    if f.type == F.TYPE_STRING:
        return f"try wireStrings({n}, {p}, \"{f.name}\")"
    if f.type == F.TYPE_BYTES:
        return f"wireMapped({n}, {p}) {{ wireBytes($0) }}"
    if f.type == F.TYPE_BOOL:
        return f"wireMapped({n}, {p}) {{ $0 != 0 }}"
    return f"wireScalars({n}, {p})"


def c_write(model, f, value):
    """Swift expression producing the C value for a non-repeated Swift value."""
    if f.type == F.TYPE_MESSAGE:
        return f"try arena.message({value}, \"{f.name}\")"
    if f.type == F.TYPE_ENUM:
        return f".init(rawValue: .init(truncatingIfNeeded: {value}.rawValue))"
    if f.type == F.TYPE_STRING:
        return f"try arena.string({value}, \"{f.name}\")"
    if f.type == F.TYPE_BYTES:
        return f"arena.bytes({value})"
    if f.type == F.TYPE_BOOL:
        return f"{value} ? 1 : 0"
    return value


def c_write_repeated(model, f, value):
    if f.type == F.TYPE_MESSAGE:
        return f"try arena.messages({value}, \"{f.name}\")"
    if f.type == F.TYPE_ENUM:
        return f"arena.mapped({value}) {{ .init(rawValue: .init(truncatingIfNeeded: $0.rawValue)) }}"
    if f.type == F.TYPE_STRING:
        return f"try arena.strings({value}, \"{f.name}\")"
    if f.type == F.TYPE_BYTES:
        return f"arena.byteArrays({value})"
    if f.type == F.TYPE_BOOL:
        return f"arena.mapped({value}) {{ $0 ? 1 : 0 }}"
    return f"arena.scalars({value})"


def emit_bridge(model, out, m):
    out()
    out(f"extension {m.swift_name}: CMessageBridge {{")
    out(f"    typealias CStruct = {m.c_type}")
    out("    nonisolated(unsafe) static let cDescriptor = descriptorOfEmptyC()")
    out()
    out(f"    static func cEmpty() -> CStruct {{")
    out(f"        var c = CStruct()")
    out(f"        {m.c_init}(&c)")
    out(f"        return c")
    out(f"    }}")
    out()
    out("    init(c: UnsafePointer<CStruct>) throws(WireError) {")
    for f in m.plain_fields():
        src = f"c.pointee.{esc(f.c_name)}"
        if f.repeated:
            expr = c_read_repeated(model, f, f"c.pointee.n_{f.c_name}", src)
        elif f.type == F.TYPE_MESSAGE:
            out(f"        if let p = {src} {{ self.{esc(f.prop)} = {c_read(model, f, 'p')} }} else {{ self.{esc(f.prop)} = nil }}")
            continue
        else:
            expr = c_read(model, f, src)
        out(f"        self.{esc(f.prop)} = {expr}")
    for o in m.oneofs:
        out(f"        switch c.pointee.{o.c_case}.rawValue {{")
        for f in o.fields:
            src = f"c.pointee.{esc(f.c_name)}"
            out(f"        case {f.number}: self.{esc(o.prop)} = .{esc(f.prop)}({c_read(model, f, src)})")
        out(f"        default: self.{esc(o.prop)} = nil")
        out("        }")
    out("    }")
    out()
    if not m.fields:
        out("    func fill(_ c: inout CStruct, in arena: inout WireArena) throws(WireError) {}")
        out("}")
        return
    out("    func fill(_ c: inout CStruct, in arena: inout WireArena) throws(WireError) {")
    for f in m.plain_fields():
        v = f"self.{esc(f.prop)}"
        dst = f"c.{esc(f.c_name)}"
        if f.repeated:
            out(f"        if !{v}.isEmpty {{")
            out(f"            c.n_{f.c_name} = {v}.count")
            out(f"            {dst} = {c_write_repeated(model, f, v)}")
            out(f"        }}")
        elif f.type == F.TYPE_MESSAGE:
            out(f"        if let v = {v} {{ {dst} = {c_write(model, f, 'v')} }}")
        elif f.type in (F.TYPE_STRING, F.TYPE_BYTES):
            # Empty keeps protobuf-c's default (its shared empty string / {0, NULL}).
            out(f"        if !{v}.isEmpty {{ {dst} = {c_write(model, f, v)} }}")
        else:
            out(f"        {dst} = {c_write(model, f, v)}")
    for o in m.oneofs:
        out(f"        switch self.{esc(o.prop)} {{")
        for f in o.fields:
            # A oneof member is sent even when empty, so strings always get a buffer.
            out(f"        case .{esc(f.prop)}(let v)?:")
            out(f"            c.{o.c_case} = .init(rawValue: {f.number})")
            out(f"            c.{esc(f.c_name)} = {c_write(model, f, 'v')}")
        out("        case nil: break")
        out("        }")
    out("    }")
    out("}")


# --- files ---------------------------------------------------------------------------

def wire_file(model, f, declares_namespace):
    out = Out()
    out.raw(HEADER.format(src=f"proto/{f.name}"))
    out()
    out("internal import CProtobufC")
    out("internal import CProtos")
    if declares_namespace:
        out()
        out(f"/// Types of proto package `{f.package}`.")
        out(f"public enum {f.prefix} {{}}")
    if f.messages or f.enums:
        out()
        out(f"extension {f.prefix} {{")
        first = True
        for e in f.enums:
            if not first:
                out()
            first = False
            emit_enum_decl(model, out, e, "    ")
        for m in f.messages:
            if not first:
                out()
            first = False
            emit_message_decl(model, out, m, "    ")
        out("}")
    for e in f.all_enums():
        emit_enum_impl(model, out, e)
    for m in f.all_messages():
        emit_message_impl(model, out, m)
    return out.text()


def registry_file(model):
    out = Out()
    out.raw(HEADER.format(src="proto/**/*.proto"))
    out()
    out("extension WireRegistry {")
    out("    static let generatedMessageTypes: [any WireMessage.Type] = [")
    for m in sorted((m for f in model.files for m in f.all_messages()), key=lambda m: m.full_name):
        out(f"        {m.swift_name}.self,")
    out("    ]")
    out("}")
    return out.text()


def services_file(model, f):
    out = Out()
    out.raw(HEADER.format(src=f"proto/{f.name}"))
    out()
    out("public import RPCCore")
    out("public import Wire")
    for s in f.services:
        out()
        out(f"extension {f.prefix} {{")
        out.raw(doc(s.comment, "    "))
        out(f"    public enum {s.name} {{")
        out(f"        public static let serviceName = {string_literal(s.full_name)}")
        out()
        out("        public enum Method {")
        for m, comment in s.methods:
            i_t = model.types[m.input_type].swift_name
            o_t = model.types[m.output_type].swift_name
            out.raw(doc(comment, "            "))
            out(f"            public enum {m.name} {{")
            out(f"                public typealias Input = {i_t}")
            out(f"                public typealias Output = {o_t}")
            out(f"                public static let descriptor = MethodDescriptor(service: {string_literal(s.full_name)}, method: {string_literal(m.name)})")
            out("            }")
            out()
        out("            public static let descriptors: [MethodDescriptor] = [")
        for m, _ in s.methods:
            out(f"                {m.name}.descriptor,")
        out("            ]")
        out("        }")
        out()
        out("        public protocol ServiceProtocol: RegistrableRPCService {")
        for m, comment in s.methods:
            out.raw(doc(comment, "            "))
            i_t, o_t = model.types[m.input_type].swift_name, model.types[m.output_type].swift_name
            out(f"            func {esc(lower_camel_rpc(m.name))}(request: {i_t}, context: ServerContext) async throws -> {o_t}")
        out("        }")
        out()
        out("        public struct Client: Sendable {")
        out("            public let wrapped: RPCClient")
        out()
        out("            public init(wrapping client: RPCClient) {")
        out("                self.wrapped = client")
        out("            }")
        for m, comment in s.methods:
            n = m.name
            i_t, o_t = model.types[m.input_type].swift_name, model.types[m.output_type].swift_name
            out()
            out.raw(doc(comment, "            "))
            out(f"            nonisolated(nonsending) public func {esc(lower_camel_rpc(n))}(")
            out(f"                _ request: {i_t},")
            out("                metadata: Metadata = [:],")
            out("                options: CallOptions = .defaults")
            out(f"            ) async throws -> {o_t} {{")
            out("                try await wrapped.unary(")
            out("                    request: request,")
            out(f"                    descriptor: Method.{n}.descriptor,")
            out(f"                    serializer: WireSerializer<Method.{n}.Input>(),")
            out(f"                    deserializer: WireDeserializer<Method.{n}.Output>(),")
            out("                    metadata: metadata,")
            out("                    options: options")
            out("                )")
            out("            }")
        out("        }")
        out("    }")
        out("}")
        out()
        out(f"extension {s.swift_name}.ServiceProtocol {{")
        out("    public func registerMethods(with router: inout RPCRouter) {")
        for i, (m, _) in enumerate(s.methods):
            n = m.name
            mt = f"{s.swift_name}.Method.{n}"
            if i > 0:
                out()
            out("        router.registerHandler(")
            out(f"            forMethod: {mt}.descriptor,")
            out(f"            inputType: {mt}.Input.protoMessageName,")
            out(f"            outputType: {mt}.Output.protoMessageName,")
            out(f"            deserializer: WireDeserializer<{mt}.Input>(),")
            out(f"            serializer: WireSerializer<{mt}.Output>(),")
            out(f"            handler: {{ request, context in try await self.{esc(lower_camel_rpc(n))}(request: request, context: context) }}")
            out("        )")
        out("    }")
        out("}")
    return out.text()


def lower_camel_rpc(name):
    """`SearchByPhone` -> `searchByPhone`; a leading acronym goes down whole (`URLFor` -> `urlFor`)."""
    m = re.match(r"^([A-Z]+)(?=[A-Z][a-z]|$)", name)
    if m and len(m.group(1)) > 1:
        return m.group(1).lower() + name[len(m.group(1)):]
    return name[:1].lower() + name[1:]


def catalog_file(model):
    out = Out()
    out.raw(HEADER.format(src="proto/**/*.proto"))
    out()
    out("public import RPCCore")
    out("public import Wire")
    out()
    out("/// Every method of every service, for tools that pick a method at run time.")
    out("public enum APICatalog {")
    out("    public struct Entry: Sendable {")
    out("        public let descriptor: MethodDescriptor")
    out("        public let input: any WireMessage.Type")
    out("        public let output: any WireMessage.Type")
    out("    }")
    out()
    out("    /// Sorted by full method name.")
    out("    public static let methods: [Entry] = [")
    entries = []
    for f in model.files:
        for s in f.services:
            for m, _ in s.methods:
                entries.append((f"{s.full_name}/{m.name}", f"{s.swift_name}.Method.{m.name}"))
    for _, mt in sorted(entries):
        out(f"        Entry(descriptor: {mt}.descriptor, input: {mt}.Input.self, output: {mt}.Output.self),")
    out("    ]")
    out()
    out("    public static func method(named fullName: String) -> Entry? {")
    out("        methods.first { $0.descriptor.fullName == fullName }")
    out("    }")
    out("}")
    return out.text()


# --- samples for the round-trip tests ------------------------------------------------

def sample_value(model, f, n, k):
    """A non-default Swift literal for field f, element k (k varies repeated elements)."""
    seed = f.number * 10 + k + 1
    t = f.type
    if t == F.TYPE_MESSAGE:
        return f"{model.type(f).swift_name}.wireSamples[0]"
    if t == F.TYPE_ENUM:
        values = model.type(f).values
        case = values[1 + (k % (len(values) - 1))][2] if len(values) > 1 else values[0][2]
        return f"{model.type(f).swift_name}.{esc(case)}"
    if t in (F.TYPE_INT32, F.TYPE_SINT32, F.TYPE_SFIXED32):
        return f"-{1_000_000 + seed}"
    if t in (F.TYPE_INT64, F.TYPE_SINT64, F.TYPE_SFIXED64):
        return f"-{5_000_000_000 + seed}"
    if t in (F.TYPE_UINT32, F.TYPE_FIXED32):
        return f"{4_000_000_000 + seed}"
    if t in (F.TYPE_UINT64, F.TYPE_FIXED64):
        return f"{18_000_000_000_000_000_000 + seed}"
    if t == F.TYPE_DOUBLE:
        return f"-{seed}.25"
    if t == F.TYPE_FLOAT:
        return f"-{seed}.5"
    if t == F.TYPE_BOOL:
        return "true" if k == 0 else "false"
    if t == F.TYPE_STRING:
        return string_literal(f"Привет, {f.name} №{seed} ✓")
    if t == F.TYPE_BYTES:
        return f"[0, 1, 127, 128, 255, {seed % 256}]"
    raise GenError(f"no sample for type {t}")


def samples_file(model, f):
    out = Out()
    out.raw(HEADER.format(src=f"proto/{f.name}"))
    out()
    out("import Wire")
    for m in f.all_messages():
        count = max([len(o.fields) for o in m.oneofs] + [1])
        out()
        out(f"extension {m.swift_name}: WireSampled {{")
        out(f"    static var wireSamples: [{m.swift_name}] {{")
        if not m.fields:
            out(f"        [{m.swift_name}()]")
            out("    }")
            out("}")
            continue
        out(f"        (0..<{count}).map {{ i in")
        out(f"            var m = {m.swift_name}()")
        for fl in m.plain_fields():
            if fl.repeated:
                v = f"[{sample_value(model, fl, 0, 0)}, {sample_value(model, fl, 0, 1)}]"
            else:
                v = sample_value(model, fl, 0, 0)
            out(f"            m.{esc(fl.prop)} = {v}")
        for o in m.oneofs:
            out(f"            switch i % {len(o.fields)} {{")
            for j, fl in enumerate(o.fields):
                label = "default" if j == len(o.fields) - 1 else f"case {j}"
                out(f"            {label}: m.{esc(o.prop)} = .{esc(fl.prop)}({sample_value(model, fl, 0, 0)})")
            out("            }")
        if not m.oneofs:
            out("            _ = i")
        out("            return m")
        out("        }")
        out("    }")
        out("}")
    return out.text()


def samples_index_file(model):
    out = Out()
    out.raw(HEADER.format(src="proto/**/*.proto"))
    out()
    out("import Wire")
    out()
    out("let generatedSampledTypes: [any WireSampled.Type] = [")
    for m in sorted((m for f in model.files for m in f.all_messages()), key=lambda m: m.full_name):
        out(f"    {m.swift_name}.self,")
    out("]")
    return out.text()


# --- checks against protoc-c's output ------------------------------------------------

def check_c_names(model, c_headers):
    """Fail here, with a clear message, rather than as a Swift compile error."""
    for f in model.files:
        path = os.path.join(c_headers, f.name[:-len(".proto")] + ".pb-c.h")
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
        for m in f.all_messages():
            if f"struct  {m.c_type}\n" not in text or f"void   {m.c_init}\n" not in text:
                raise GenError(f"{f.name}: protoc-c names for {m.full_name} are not {m.c_type} / {m.c_init}; update the naming helpers")


def write(path, text, written):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)
    written.append(path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--descriptor-set", required=True)
    ap.add_argument("--c-headers", required=True)
    ap.add_argument("--wire-out", required=True)
    ap.add_argument("--api-out", required=True)
    ap.add_argument("--samples-out", required=True)
    ap.add_argument("--proto-root", default="proto")
    args = ap.parse_args()

    fds = pb.FileDescriptorSet()
    with open(args.descriptor_set, "rb") as fh:
        fds.ParseFromString(fh.read())
    try:
        model = Model(fds, args.proto_root)
        check_c_names(model, args.c_headers)
        first_of_package = model.packages()
        written = []
        for f in model.files:
            declares = first_of_package[f.package] is f
            write(os.path.join(args.wire_out, f.base() + ".pb.swift"), wire_file(model, f, declares), written)
            if f.services:
                write(os.path.join(args.api_out, f.base() + "+Services.swift"), services_file(model, f), written)
            if any(True for _ in f.all_messages()):
                write(os.path.join(args.samples_out, f.base() + "+Samples.swift"), samples_file(model, f), written)
        write(os.path.join(args.wire_out, "WireRegistry+Messages.swift"), registry_file(model), written)
        write(os.path.join(args.api_out, "APICatalog.swift"), catalog_file(model), written)
        write(os.path.join(args.samples_out, "SampledTypes.swift"), samples_index_file(model), written)
    except GenError as e:
        print(f"generate-swift-wire: error: {e}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
