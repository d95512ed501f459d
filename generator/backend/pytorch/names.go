package pytorch

import (
	"strconv"
	"strings"
	"unicode"

	"github.com/rules-neural/rules_neural/generator/ir"
)

// Identifiers in generated code come from network, input and layer names.
// Sema already restricts them to identifiers, but the backend does not rely
// on it: ident() maps any string to [A-Za-z_][A-Za-z0-9_]*, never a Python
// keyword, and the scopes below keep them clear of the names the generated
// code itself uses.

var pythonKeywords = set("False None True and as assert async await break class continue def del elif " +
	"else except finally for from global if import in is lambda nonlocal not or pass raise return try " +
	"while with yield match case")

// moduleNames are the global names of a generated module: a class called
// `nn` or `L` would shadow the imports.
var moduleNames = set("sys torch nn rn L SPEC main print super len range tuple list dict int float " +
	"str bool object type isinstance getattr setattr hasattr Exception ImportError ValueError")

// localNames are the names forward() and predict() use besides the inputs
// and the values they name after layers.
var localNames = set("self x torch nn rn L sys SPEC super len range tuple list dict int float " +
	"str bool print type")

// moduleAttrs are the attributes of torch.nn.Module (torch 1.13 and 2.x) and
// the methods of the generated class: a layer named `train` or `forward`
// must not replace them.
var moduleAttrs = set("T_destination dump_patches training add_module apply bfloat16 buffers children " +
	"compile cpu cuda double eval extra_repr float forward get_buffer get_extra_state get_parameter " +
	"get_submodule half ipu load_state_dict modules mtia named_buffers named_children named_modules " +
	"named_parameters parameters register_backward_hook register_buffer register_forward_hook " +
	"register_forward_pre_hook register_full_backward_hook register_full_backward_pre_hook " +
	"register_load_state_dict_post_hook register_load_state_dict_pre_hook register_module " +
	"register_parameter register_state_dict_post_hook register_state_dict_pre_hook requires_grad_ " +
	"set_extra_state set_submodule share_memory smart_apply state_dict to to_empty train type xpu " +
	"zero_grad call_super_init predict reset_parameters regularization_loss")

// stdlibModules are module names a generated file must not take: a file
// called torch.py or typing.py next to the generated modules would shadow
// the real module for every script run from that directory.
var stdlibModules = set("abc aifc argparse array ast asynchat asyncio asyncore atexit audioop base64 bdb " +
	"binascii bisect builtins bz2 cProfile calendar cgi cgitb chunk cmath cmd code codecs codeop " +
	"collections colorsys compileall concurrent configparser contextlib contextvars copy copyreg crypt " +
	"csv ctypes curses dataclasses datetime dbm decimal difflib dis distutils doctest email encodings " +
	"ensurepip enum errno faulthandler fcntl filecmp fileinput fnmatch fractions ftplib functools gc " +
	"genericpath getopt getpass gettext glob graphlib grp gzip hashlib heapq hmac html http idlelib " +
	"imaplib imghdr imp importlib inspect io ipaddress itertools json keyword lib2to3 linecache locale " +
	"logging lzma mailbox mailcap marshal math mimetypes mmap modulefinder msilib msvcrt multiprocessing " +
	"netrc nis nntplib nt ntpath nturl2path numbers opcode operator optparse os ossaudiodev pathlib pdb " +
	"pickle pickletools pipes pkgutil platform plistlib poplib posix posixpath pprint profile pstats pty " +
	"pwd py_compile pyclbr pydoc pydoc_data pyexpat queue quopri random re readline reprlib resource " +
	"rlcompleter runpy sched secrets select selectors shelve shlex shutil signal site smtpd smtplib " +
	"sndhdr socket socketserver spwd sqlite3 sre_compile sre_constants sre_parse ssl stat statistics " +
	"string stringprep struct subprocess sunau symtable sys sysconfig syslog tabnanny tarfile telnetlib " +
	"tempfile termios textwrap this threading time timeit tkinter token tokenize tomllib trace traceback " +
	"tracemalloc tty turtle turtledemo types typing unicodedata unittest urllib uu uuid venv warnings " +
	"wave weakref webbrowser winreg winsound wsgiref xdrlib xml xmlrpc zipapp zipfile zipimport zlib " +
	"zoneinfo torch torchvision numpy onnx onnxruntime optuna rules_neural setuptools pkg_resources " +
	"google typing_extensions sympy networkx jinja2 filelock fsspec yaml tqdm scipy conftest test tests")

func set(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}

// ident maps s to a Python identifier: characters outside [A-Za-z0-9_]
// become `_`, a leading digit (or nothing) gets a `_` prefix, a keyword a
// `_` suffix.
func ident(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r < unicode.MaxASCII && (r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r)) {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	out := b.String()
	if out == "" || (out[0] >= '0' && out[0] <= '9') {
		out = "_" + out
	}
	if pythonKeywords[out] {
		out += "_"
	}
	return out
}

// scope hands out unique identifiers, avoiding reserved names.
type scope struct {
	taken    map[string]bool
	reserved []map[string]bool
}

func newScope(reserved ...map[string]bool) *scope {
	return &scope{taken: map[string]bool{}, reserved: reserved}
}

func (s *scope) isReserved(name string) bool {
	for _, r := range s.reserved {
		if r[name] {
			return true
		}
	}
	return false
}

// claim returns a fresh identifier derived from name.
func (s *scope) claim(name string) string {
	base := ident(name)
	for s.isReserved(base) {
		base += "_"
	}
	cand := base
	for i := 2; s.taken[cand] || s.isReserved(cand); i++ {
		cand = base + "_" + strconv.Itoa(i)
	}
	s.taken[cand] = true
	return cand
}

// snakeCase converts a network name to a module name (ir.SnakeCase), with
// a suffix where that would be a Python keyword or a standard module.
func snakeCase(name string) string {
	s := ir.SnakeCase(ident(name))
	if pythonKeywords[s] || stdlibModules[s] {
		s += "_model"
	}
	return s
}
