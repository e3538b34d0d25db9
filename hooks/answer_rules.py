"""The rules every answer must follow, as plain functions returning an error message or ``""``.

copier.yml's ``validator`` entries call these through the Jinja extension in ``hooks/context.py``
(an empty string means valid), so an interactive user is re-asked at once and a ``--data`` answer
stops copier before anything is written. Each message is one line: the rule, and what would be valid
(copier itself names the question: ``Validation error for question 'project_name': …``).
"""

from __future__ import annotations

import keyword
import re
import sys

#: Longest package name accepted (crates.io allows 64).
MAX_NAME_LENGTH = 64

#: Strict and reserved Rust keywords (edition 2024, including the reserved ``gen``).
RUST_KEYWORDS = frozenset(
    "as async await break const continue crate dyn else enum extern false fn for if impl in let "
    "loop match mod move mut pub ref return self Self static struct super trait true type unsafe "
    "use where while abstract become box do final gen macro override priv try typeof unsized "
    "virtual yield".split()
)

#: Names that would shadow a crate of the standard distribution, or that cargo refuses.
RESERVED_NAMES = frozenset(
    "std core alloc test proc_macro proc-macro build deps examples incremental "
    "con prn aux nul com1 com2 com3 com4 com5 com6 com7 com8 com9 "
    "lpt1 lpt2 lpt3 lpt4 lpt5 lpt6 lpt7 lpt8 lpt9".split()
)

#: Python's standard-library module names (copier needs Python >= 3.10, which has them).
STDLIB_MODULES = frozenset(sys.stdlib_module_names)

_PYTHON_PACKAGE = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_NAME_CHARS = re.compile(r"[A-Za-z0-9_-]")
_EMAIL = re.compile(r"[^@\s<>\"]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")
_HTTPS_URL = re.compile(r"https://[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*(:[0-9]{1,5})?(/[A-Za-z0-9._~%-]+)+/?")


def _slug(name: str, separator: str) -> str:
    """Return ``name`` in lowercase ASCII, starting with a letter, every run of characters other
    than letters, digits, ``_`` (and ``-`` when ``separator`` is ``-``) replaced by ``separator``;
    the base of the valid names the messages suggest. May be empty."""
    allowed = "a-z0-9_-" if separator == "-" else "a-z0-9_"
    cleaned = re.sub(f"[^{allowed}]+", separator, name.encode("ascii", "ignore").decode().lower())
    return re.sub(r"^[^a-z]+", "", cleaned).rstrip("-_")


def _suggest(name: str) -> str:
    """Return a valid package name close to ``name`` (used in messages), or ``my-crate``."""
    cleaned = _slug(name, "-")[:MAX_NAME_LENGTH].rstrip("-_")
    if not cleaned or cleaned in RUST_KEYWORDS or cleaned.replace("-", "_") in RESERVED_NAMES:
        return "my-crate" if not cleaned else f"{cleaned}-rs"
    return cleaned


def package_name_from(folder: str) -> str:
    """Return the default package name for a destination folder: its name when that is a valid
    package name, else the closest valid one (``MyCrate`` gives ``mycrate``). Defaults are not
    validated under ``--defaults``, so the default itself must be valid."""
    return folder if not project_name_error(folder) else _suggest(folder)


def project_name_error(name: object) -> str:
    """Check a package name (the ``project_name`` question).

    Args:
        name: the answer.

    Returns:
        ``""`` when valid, else a one-line message naming the rule and a valid alternative.
    """
    if not isinstance(name, str) or not name:
        return "must not be empty; use an ASCII letter, then letters, digits, '-' or '_' (e.g. vector-cache)"
    hint = f"e.g. {_suggest(name)}"
    if len(name) > MAX_NAME_LENGTH:
        return f"at most {MAX_NAME_LENGTH} characters (got {len(name)}); {hint}"
    bad = sorted({char for char in name if not _NAME_CHARS.fullmatch(char)})
    if bad:
        shown = " ".join(repr(char) for char in bad)
        return f"only ASCII letters, digits, '-' and '_' are allowed (found {shown}); {hint}"
    if not name[0].isalpha():
        return f"must start with an ASCII letter (found {name[0]!r}); {hint}"
    lib_name = name.replace("-", "_")
    if name in RUST_KEYWORDS or lib_name in RUST_KEYWORDS:
        return f"{name!r} is a Rust keyword; {hint}"
    if name.lower() in RESERVED_NAMES or lib_name.lower() in RESERVED_NAMES:
        return f"{name!r} shadows a standard crate or a name cargo reserves; {hint}"
    if name != name.lower():
        return f"must be lowercase (cargo warns about uppercase package names); e.g. {_suggest(name.lower())}"
    return ""


def description_error(text: object) -> str:
    """Check the one-line crate description (``description``); ``""`` when valid."""
    if not isinstance(text, str) or not text.strip():
        return "must not be empty; one line saying what the crate does"
    if "\n" in text or "\r" in text:
        return "must be a single line (it becomes Cargo.toml's description)"
    if len(text) > 200:
        return f"at most 200 characters (got {len(text)}); keep it to one sentence"
    return ""


def author_name_error(name: object) -> str:
    """Check ``author_name`` (written into Cargo.toml ``authors`` and the licence); ``""`` when valid."""
    if not isinstance(name, str) or not name.strip():
        return "must not be empty; your name or your team's, e.g. Search Team"
    if any(char in name for char in "<>\n\r"):
        return "must be one line without '<' or '>' (the email has its own question)"
    if len(name) > 100:
        return f"at most 100 characters (got {len(name)})"
    return ""


def author_email_error(email: object) -> str:
    """Check ``author_email``: empty (no email) or one address; ``""`` when valid."""
    if email in ("", None):
        return ""
    if not isinstance(email, str) or not _EMAIL.fullmatch(email):
        return f"{email!r} is not an email address; use name@example.org, or leave it empty"
    return ""


_SCP_LIKE = re.compile(r"^(?:[\w.-]+@)?(?P<host>[A-Za-z0-9.-]+\.[A-Za-z]{2,}):(?P<path>[^/].*)$")
_OTHER_SCHEME = re.compile(
    r"^(?:[a-z+]+://)?(?:[\w.-]+@)?(?P<host>[A-Za-z0-9.-]+\.[A-Za-z]{2,})(?::\d+)?/(?P<path>.+)$"
)


def _https_suggestion(url: str) -> str:
    """Return the https form of ``url`` when it names a host and a path (``git@host:owner/repo.git``,
    ``ssh://git@host/owner/repo``, ``http://…``, ``host/owner/repo``), else the example URL."""
    text = url.strip()
    match = _SCP_LIKE.match(text) if "://" not in text else None
    match = match or _OTHER_SCHEME.match(text)
    if match:
        path = match["path"].strip("/").removesuffix(".git").strip("/")
        candidate = f"https://{match['host']}/{path}"
        if path and _HTTPS_URL.fullmatch(candidate):
            return candidate
    return "https://github.com/reasonkit/vector-cache"


def repository_url_error(url: object) -> str:
    """Check ``repository_url``: an https URL with a path; ``""`` when valid. The suggestion keeps
    the user's own host and path (``git@github.com:me/x.git`` suggests ``https://github.com/me/x``)."""
    if not isinstance(url, str) or not _HTTPS_URL.fullmatch(url):
        suggestion = _https_suggestion(url) if isinstance(url, str) else "https://github.com/reasonkit/vector-cache"
        return f"{url!r} is not an https URL with a path; e.g. {suggestion}"
    return ""


def python_package_error(name: object) -> str:
    """Check the import name of the Python package (``python_package``).

    The rules: a Python identifier in ASCII (it names a directory, the wheel and the extension
    module's ``PyInit_`` symbol), starting with a letter; not a Python keyword (``import class`` is
    a syntax error); not a Rust keyword (the bindings pass the name to PyO3's
    ``create_exception!`` as a Rust path); not a standard-library module (``import json`` would
    find the stdlib first).

    Args:
        name: the answer.

    Returns:
        ``""`` when valid, else a one-line message naming the rule and a valid alternative.
    """
    if not isinstance(name, str) or not name:
        return "must not be empty; use a Python identifier such as vector_cache"
    if not _PYTHON_PACKAGE.fullmatch(name):
        suggestion = _slug(name, "_") or "my_package"
        return (
            f"{name!r} is not a Python identifier in ASCII (letters, digits and '_', starting with "
            f"a letter); e.g. {suggestion}"
        )
    if keyword.iskeyword(name):
        return f"{name!r} is a Python keyword and cannot be imported; e.g. {name}_rs"
    if name in RUST_KEYWORDS:
        return f"{name!r} is a Rust keyword, which PyO3's create_exception! cannot take as module; e.g. {name}_rs"
    if name in STDLIB_MODULES or name.lower() in STDLIB_MODULES:
        return f"{name!r} is a Python standard-library module and would shadow it; e.g. {name}_rs"
    return ""


def workspace_root_error(path: object) -> str:
    """Check ``workspace_root``: ``""`` (the crate is its own workspace) or a relative POSIX path
    from the crate up to its workspace root (``..`` segments only, e.g. ``../..``: cargo's root is
    a folder above the member); ``""`` when valid. The form only: copier validates this answer
    again inside ``copier update``'s temporary copies, where the root does not exist
    (hooks/workspace.py checks the folder at copy time)."""
    if not isinstance(path, str):
        return f"must be a path such as ../.. (got {path!r})"
    if not path:
        return ""
    if path.strip("/") and all(part == ".." for part in path.rstrip("/").split("/")):
        return ""
    return (
        f"{path!r} is not a path up from the crate to its workspace root: only '..' segments, e.g. ../.. "
        "(or '' for a crate of its own)"
    )


#: Backstage's rule for an entity name (catalog-model 1.10's `isValidObjectName`, with at most 63
#: characters): letters, digits, `-`, `_`, `.`, starting and ending with a letter or digit.
_CATALOG_NAME = re.compile(r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]")
#: A namespace is a DNS label (catalog-model's `isValidNamespace`).
_CATALOG_NAMESPACE = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
#: The kinds an owner reference may name (any case); no kind means a group.
OWNER_KINDS = ("group", "user")


def catalog_name(name: str) -> str:
    """Return ``name`` as a valid Backstage entity name: other characters dropped, trimmed of
    ``-``/``_``/``.`` at both ends, at most 63 characters; ``component`` when nothing is left."""
    kept = re.sub(r"[^-A-Za-z0-9_.]", "", name).strip("-_.")[:63].rstrip("-_.")
    return kept if _CATALOG_NAME.fullmatch(kept) else "component"


def repository_owner(url: str) -> str:
    """Return the owner (first path segment) of a repository URL, as a catalog name, or ``""``."""
    match = re.match(r"https://[^/]+/([^/]+)/", url or "")
    return catalog_name(match[1].lower()) if match else ""


def project_slug(url: str) -> str:
    """Return ``owner/repo`` of a github.com repository URL (Backstage's
    ``github.com/project-slug`` annotation), or ``""`` for another host."""
    match = re.fullmatch(r"https://(?:www\.)?github\.com/([^/]+)/([^/]+?)(?:\.git)?/?", url or "")
    return f"{match[1]}/{match[2]}" if match else ""


def mcp_registry_name(url: str, project_name: str) -> str:
    """Return the MCP registry's name for the server whose repository is ``url``: the namespace the
    registry verifies, ``io.github.<owner>/<repo>`` on github.com (its GitHub login), else the
    host in reverse-DNS order (a domain the org proves it owns) and the repository's last path
    segment (``project_name`` when there is none)."""
    slug = project_slug(url)
    if slug:
        owner, repo = slug.split("/")
        return f"io.github.{owner}/{repo}"
    match = re.match(r"https://([^/:]+)(?::\d+)?/(.*)", url or "")
    host = ".".join(reversed(match[1].lower().split("."))) if match else "com.example"
    repo = (match[2].strip("/").removesuffix(".git").rsplit("/", 1)[-1] if match else "") or project_name
    return f"{host}/{re.sub(r'[^A-Za-z0-9._-]', '-', repo)}"


def registry_description(text: str, limit: int = 100) -> str:
    """Return ``text`` within the MCP registry's ``limit`` on a description (100 characters): as
    it is when it fits, else cut at the last word that fits, with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:.-")
    return f"{cut}…"


def catalog_owner_error(owner: object) -> str:
    """Check ``catalog_owner``: a Backstage entity reference to a group or user
    (``group:default/rust-platform``, ``group:rust-platform``, ``user:jane``, or a bare name,
    which Backstage reads as a group); ``""`` when valid."""
    example = "group:default/rust-platform"
    if not isinstance(owner, str) or not owner.strip():
        return f"must not be empty; the team that owns the crate, e.g. {example}"
    kind, _, ref = owner.rpartition(":") if ":" in owner else ("", "", owner)
    namespace, _, name = ref.rpartition("/")
    if kind and kind.lower() not in OWNER_KINDS:
        return f"{owner!r}: the owner is a group or a user (kind {kind!r}); e.g. {example}"
    if namespace and not _CATALOG_NAMESPACE.fullmatch(namespace):
        return f"{owner!r}: namespace {namespace!r} is not a DNS label (lowercase letters, digits, '-'); e.g. {example}"
    if len(name) > 63 or not _CATALOG_NAME.fullmatch(name):
        return (
            f"{owner!r}: {name!r} is not a Backstage entity name (letters, digits, '-', '_', '.', "
            f"starting and ending with a letter or digit, at most 63 characters); e.g. {example}"
        )
    return ""
